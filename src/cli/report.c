/*
 * report.c — `riffle report EVENTLOG [-o FILE]`: one self-contained HTML page from an event log.
 *
 * The page (report_page.html, built into the program) carries the log's events as one JSON array
 * and draws itself in the browser: timeline, stages, task time per rank, shuffle matrices, skew,
 * spill, adaptive decisions, plan, configuration and the Slurm job. Nothing is fetched: the page
 * opens without a network. Every line of the log is checked as JSON first (an error names the
 * file, line and column); the last line of a log still in progress (PATH.inprogress, a run that
 * was killed) may be cut short and is left out with a warning. The page is written beside FILE and
 * renamed into place: never half-written.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/report.h"
#include "cli/report_page.h"

enum { MAX_DEPTH = 64 };

typedef struct { const char *p, *end, *start; const char *err; } jv;

static void ws(jv *v) { while (v->p < v->end && (*v->p == ' ' || *v->p == '\t' || *v->p == '\r' || *v->p == '\n')) v->p++; }
static bool fail(jv *v, const char *why) { if (!v->err) v->err = why; return false; }

static bool value(jv *v, int depth);
static bool in(char c, const char *set) { return c && strchr(set, c); }   /* never the NUL at the set's end */

static bool string(jv *v)
{
    if (v->p >= v->end || *v->p != '"') return fail(v, "expected a string");
    for (v->p++; v->p < v->end; v->p++) {
        unsigned char c = (unsigned char)*v->p;
        if (c == '"') { v->p++; return true; }
        if (c < 0x20) return fail(v, "a control character inside a string");
        if (c == '\\') {
            if (++v->p >= v->end) break;
            if (*v->p == 'u') {
                for (int i = 0; i < 4; i++)
                    if (++v->p >= v->end || !in(*v->p, "0123456789abcdefABCDEF")) return fail(v, "a bad \\u escape");
            } else if (!in(*v->p, "\"\\/bfnrt")) return fail(v, "a bad escape");
        }
    }
    return fail(v, "a string not closed");
}

static bool number(jv *v)
{
    const char *s = v->p;
    if (v->p < v->end && *v->p == '-') v->p++;
    if (v->p >= v->end || *v->p < '0' || *v->p > '9') { v->p = s; return fail(v, "expected a value"); }
    while (v->p < v->end && ((*v->p >= '0' && *v->p <= '9') || in(*v->p, ".eE+-"))) v->p++;
    char *e = NULL, buf[64];
    size_t n = (size_t)(v->p - s);
    if (n >= sizeof buf) { v->p = s; return fail(v, "a number too long"); }
    memcpy(buf, s, n);
    buf[n] = '\0';
    strtod(buf, &e);
    if (*e) { v->p = s + (e - buf); return fail(v, "a bad number"); }
    return true;
}

static bool word(jv *v, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(v->end - v->p) < n || memcmp(v->p, w, n)) return fail(v, "expected a value");
    v->p += n;
    return true;
}

static bool items(jv *v, int depth, char close, bool keys)
{
    v->p++;
    ws(v);
    if (v->p < v->end && *v->p == close) { v->p++; return true; }
    for (;;) {
        ws(v);
        if (keys) {
            if (!string(v)) return false;
            ws(v);
            if (v->p >= v->end || *v->p != ':') return fail(v, "expected ':'");
            v->p++;
        }
        if (!value(v, depth + 1)) return false;
        ws(v);
        if (v->p < v->end && *v->p == ',') { v->p++; continue; }
        if (v->p < v->end && *v->p == close) { v->p++; return true; }
        return fail(v, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static bool value(jv *v, int depth)
{
    if (depth > MAX_DEPTH) return fail(v, "nested too deeply");
    ws(v);
    if (v->p >= v->end) return fail(v, "the line ends early");
    switch (*v->p) {
    case '{': return items(v, depth, '}', true);
    case '[': return items(v, depth, ']', false);
    case '"': return string(v);
    case 't': return word(v, "true");
    case 'f': return word(v, "false");
    case 'n': return word(v, "null");
    default: return number(v);
    }
}

/* NULL when line[0..n) is one JSON object with an "event" member; else why, with *col (1-based). */
static const char *check_event(const char *line, size_t n, size_t *col)
{
    jv v = { line, line + n, line, NULL };
    ws(&v);
    if (v.p >= v.end || *v.p != '{') { v.err = "not a JSON object"; goto bad; }
    if (!value(&v, 0)) goto bad;
    ws(&v);
    if (v.p < v.end) { v.err = "text after the object"; goto bad; }
    if (!memmem(line, n, "\"event\":", 8)) { *col = 1; return "no \"event\" member: not a riffle event"; }
    return NULL;
bad:
    *col = (size_t)(v.p - line) + 1;
    return v.err;
}

static int usage(void)
{
    fprintf(stderr, "usage: riffle report EVENTLOG [-o FILE]\n"
                    "  Writes one self-contained HTML page (FILE, default EVENTLOG.html) from an event log\n"
                    "  (riffle.eventLog.path / --event-log): timeline, stages, task time per rank, shuffle\n"
                    "  matrices, skew, spill, adaptive decisions, plan, configuration, the Slurm job.\n");
    return 2;
}

/* The page with the events in it: the page up to its marker line, the events as a JSON array in
 * which "</" is written "<\/" (the same JSON, and no "</script>" can end the block), the rest. */
static int write_page(FILE *out, char **lines, size_t *lens, size_t n)
{
    static const char marker[] = "<!--EVENTS-->\n";
    const char *m = strstr(report_page, marker);
    if (!m) return -1;
    fwrite(report_page, 1, (size_t)(m - report_page), out);
    fputs("[\n", out);
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < lens[i]; k++) {
            if (lines[i][k] == '/' && k > 0 && lines[i][k - 1] == '<') fputc('\\', out);
            fputc(lines[i][k], out);
        }
        fputs(i + 1 < n ? ",\n" : "\n", out);
    }
    fputs("]\n", out);
    fputs(m + sizeof marker - 1, out);
    return ferror(out) ? -1 : 0;
}

int rf__cli_report(int argc, char **argv)
{
    const char *in = NULL, *outp = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) {
            if (++i >= argc) return usage();
            outp = argv[i];
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage();
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "riffle: error: report: unknown option %s\n", argv[i]);
            return usage();
        } else if (!in) in = argv[i];
        else return usage();
    }
    if (!in) return usage();
    char defout[4096];
    if (!outp) {
        snprintf(defout, sizeof defout, "%s.html", in);
        outp = defout;
    }
    FILE *f = fopen(in, "r");
    if (!f) { fprintf(stderr, "riffle: error: report: %s: cannot open: %s\n", in, strerror(errno)); return 1; }
    bool live = strlen(in) > 11 && !strcmp(in + strlen(in) - 11, ".inprogress");
    char **lines = NULL, *line = NULL;
    size_t *lens = NULL, n = 0, cap = 0, lcap = 0, lineno = 0;
    ssize_t len;
    int rc = 0;
    while ((len = getline(&line, &lcap, f)) >= 0) {
        lineno++;
        bool whole = len > 0 && line[len - 1] == '\n';
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if (len == 0) continue;
        size_t col = 0;
        const char *why = check_event(line, (size_t)len, &col);
        if (why && live && !whole) {   /* a live log's last line, cut short by the writer */
            fprintf(stderr, "riffle: warning: report: %s:%zu: the last line is incomplete (the run is still going, or was killed); left out\n", in, lineno);
            break;
        }
        if (why) {
            fprintf(stderr, "riffle: error: report: %s:%zu:%zu: %s\n", in, lineno, col, why);
            rc = 1;
            break;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            char **l2 = realloc(lines, cap * sizeof *l2);
            size_t *n2 = l2 ? realloc(lens, cap * sizeof *n2) : NULL;
            if (l2) lines = l2;
            if (!l2 || !n2) { fprintf(stderr, "riffle: error: report: out of memory\n"); rc = 1; break; }
            lens = n2;
        }
        if (!(lines[n] = malloc((size_t)len + 1))) { fprintf(stderr, "riffle: error: report: out of memory\n"); rc = 1; break; }
        memcpy(lines[n], line, (size_t)len + 1);
        lens[n++] = (size_t)len;
    }
    if (!rc && ferror(f)) { fprintf(stderr, "riffle: error: report: %s: read failed: %s\n", in, strerror(errno)); rc = 1; }
    fclose(f);
    free(line);
    if (!rc && n == 0) { fprintf(stderr, "riffle: error: report: %s: no events (an empty log)\n", in); rc = 1; }
    if (!rc) {   /* beside the destination, then renamed: the page appears whole or not at all */
        char tmp[4200];
        snprintf(tmp, sizeof tmp, "%s.tmp-%ld", outp, (long)getpid());
        FILE *o = fopen(tmp, "w");
        if (!o) { fprintf(stderr, "riffle: error: report: %s: cannot create: %s\n", tmp, strerror(errno)); rc = 1; }
        else {
            int w = write_page(o, lines, lens, n);
            if (fclose(o) || w) { fprintf(stderr, "riffle: error: report: %s: write failed\n", tmp); rc = 1; }
            else if (rename(tmp, outp)) { fprintf(stderr, "riffle: error: report: %s: cannot rename into place: %s\n", outp, strerror(errno)); rc = 1; }
            if (rc) unlink(tmp);
        }
    }
    if (!rc) fprintf(stderr, "riffle: report: %zu event(s) from %s written to %s\n", n, in, outp);
    for (size_t i = 0; i < n; i++) free(lines[i]);
    free(lines);
    free(lens);
    return rc;
}
