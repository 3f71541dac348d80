/*
 * op_scan.c — Scan of one split (byte range) of a CSV or text file.
 *
 * A record belongs to the split that holds its first byte. A split that does not start a file
 * begins at the first record boundary at or after its offset: a line end outside quotes. The
 * parser's state at the offset (inside a quoted field or not) comes from the stage's pre-pass
 * (rf_scanprep, computed collectively before the stage runs), so quoted fields may hold line ends
 * (RFC 4180). The last record may run past the split's end; the reader reads on until it ends.
 *
 * As in Spark: a line ends at \n, \r or \r\n (outside quotes); a field is quoted only when its
 * first byte is the quote, and a quote anywhere else is data; "" inside a quoted field is one
 * quote; bytes between a closing quote and the next delimiter make the record malformed; an int,
 * bigint, decimal, boolean, date or timestamp field with spaces around it is malformed (a double
 * may have them, as Java's parser allows).
 *
 * Each record is parsed in two passes: find the field spans (restartable when the buffer must
 * grow), then convert the fields the plan reads into the output columns. Malformed records follow
 * the source's mode: PERMISSIVE (bad or missing fields become NULL), DROPMALFORMED (skip the
 * record), FAILFAST (error naming file, line and column).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include "exec/exec.h"

typedef struct { int64_t start, len; bool quoted; } span;

typedef struct {
    int        fd;
    const rf_source *src;
    const char *fname;
    int64_t    fsize;
    char      *buf;
    int64_t    buf_off, buf_len, buf_cap;   /* buf holds file bytes [buf_off, buf_off + buf_len) */
    int64_t    pos;                         /* next record start (file offset) */
    int64_t    end;                         /* split end (file offset) */
    int64_t    line;                        /* line of pos, counted from the split's first line (1) */
    int64_t    split_off;
    bool       done, skip_header;
    int       *col_of;                      /* file column -> output column or -1 */
    const char *null_value;
    int64_t    null_len;
    char       last_text[32];               /* the last date / timestamp text parsed, and its value: */
    int64_t    last_len, last_val;          /* dates repeat, so most parses are a 10-byte compare */
    rf_type    last_type;
    span      *sp;
    int64_t    sp_cap;
    rf_buf     tmp;
} scan_st;

/* The big read buffer is reused by the next split this thread scans: first touch of fresh memory
 * is slow, and every split needs the same size. */
static _Thread_local char *spare_buf;
static _Thread_local int64_t spare_cap;

static int read_more(scan_st *s, int64_t want_end)
{
    if (!s->buf && spare_buf) { s->buf = spare_buf; s->buf_cap = spare_cap; spare_buf = NULL; spare_cap = 0; }
    if (want_end > s->fsize) want_end = s->fsize;
    int64_t have_end = s->buf_off + s->buf_len;
    if (want_end <= have_end) return RF_OK;
    int64_t need = want_end - s->buf_off;
    if (need > s->buf_cap) {
        int64_t nc = s->buf_cap ? s->buf_cap : 1 << 16;
        while (nc < need) nc *= 2;
        char *b = rf_realloc(s->buf, (size_t)nc + 1);
        if (!b) return rf__err_set(RF_ERR_NOMEM, "out of memory reading %s", s->fname);
        s->buf = b;
        s->buf_cap = nc;
    }
    while (have_end < want_end) {
        ssize_t r = pread(s->fd, s->buf + (have_end - s->buf_off), (size_t)(want_end - have_end), have_end);
        if (r < 0) {
            if (errno == EINTR) continue;
            return rf__err_set(RF_ERR_IO, "%s: read failed: %s", s->fname, strerror(errno));
        }
        if (r == 0) { s->fsize = have_end; break; }   /* file shrank */
        have_end += r;
    }
    s->buf_len = have_end - s->buf_off;
    return RF_OK;
}

static inline char at(const scan_st *s, int64_t off) { return s->buf[off - s->buf_off]; }

int rf__csv_advance(int st, const char *buf, size_t n, int prev, char q, char d)
{
    size_t p = 0;
    for (;;) {
        if (st == RF_CSV_QUOTE_SEEN) {   /* the byte after a quote in a quoted field decides */
            if (p >= n) return st;
            st = buf[p] == q ? RF_CSV_QUOTED : RF_CSV_OUT;   /* "" is a quote; anything else closed the field */
            p++;
            continue;
        }
        const char *hit = p < n ? memchr(buf + p, q, n - p) : NULL;
        if (!hit) return st;   /* no quote: outside stays outside, inside stays inside */
        size_t i = (size_t)(hit - buf);
        if (st == RF_CSV_OUT) {   /* a quote opens a field only as the field's first byte */
            int pb = i ? (unsigned char)buf[i - 1] : prev;
            if (pb < 0 || pb == (unsigned char)d || pb == '\n' || pb == '\r') st = RF_CSV_QUOTED;
        } else st = RF_CSV_QUOTE_SEEN;
        p = i + 1;
    }
}

static inline bool is_eol(char c) { return c == '\n' || c == '\r'; }

/* Line ends in [c, e): \n, \r, and \r\n once; next is the byte after e (-1 when unknown or none). */
static int64_t count_eols(const char *c, const char *e, int next)
{
    int64_t n = 0;
    for (; c < e; c++) {
        if (*c == '\n') n++;
        else if (*c == '\r' && (c + 1 < e ? c[1] != '\n' : next != '\n')) n++;
    }
    return n;
}

/* First byte in [c, e) equal to d, '\n' or '\r' (e when none): SWAR, a word of 8 bytes per step. */
static inline const char *find_stop(const char *c, const char *e, char d)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* a byte of w equal to x makes a zero byte of w ^ x; the lowest flagged byte is always a real
     * zero (borrows only flag bytes above one), and on little endian it is the first in memory */
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    const uint64_t dd = ones * (uint8_t)d, nn = ones * (uint8_t)'\n', rr = ones * (uint8_t)'\r';
    while (e - c >= 8) {
        uint64_t w;
        memcpy(&w, c, 8);
        uint64_t a = w ^ dd, b = w ^ nn, r = w ^ rr;
        uint64_t hit = ((a - ones) & ~a & highs) | ((b - ones) & ~b & highs) | ((r - ones) & ~r & highs);
        if (hit) return c + (__builtin_ctzll(hit) >> 3);
        c += 8;
    }
#endif
    while (c < e && *c != d && !is_eol(*c)) c++;
    return c;
}

/* Pass 1: field spans of the record at s->pos. *rec_end: offset after its line end. *more: the
 * buffer ended mid-record (read more and retry). *newlines: line ends passed (for line numbers). */
static int find_fields(scan_st *s, int64_t *nf, int64_t *rec_end, int64_t *newlines, bool *bad_quote, bool *more)
{
    const char d = s->src->format == RF_FMT_TEXT ? '\n' : s->src->delim, q = s->src->format == RF_FMT_TEXT ? 0 : s->src->quote;
    int64_t lim = s->buf_off + s->buf_len, p = s->pos, n = 0;
    bool at_eof = lim >= s->fsize;
    *more = false;
    *bad_quote = false;
    *newlines = 0;
    for (;;) {
        if (n >= s->sp_cap) {
            int rc = rf__grow((void **)&s->sp, &s->sp_cap, n + 1, sizeof *s->sp);
            if (rc) return rc;
        }
        span *f = &s->sp[n++];
        f->quoted = false;
        if (q && p < lim && at(s, p) == q) {
            f->quoted = true;
            f->start = ++p;
            for (;;) {
                const char *base = s->buf + (p - s->buf_off);
                const char *hit = p < lim ? memchr(base, q, (size_t)(lim - p)) : NULL;
                if (!hit) {
                    if (!at_eof) { *more = true; return RF_OK; }
                    *bad_quote = true;   /* unterminated quote: the field runs to the end of the file */
                    *newlines += count_eols(base, s->buf + s->buf_len, -1);
                    f->len = lim - f->start;
                    p = lim;
                    *nf = n;
                    *rec_end = lim;
                    return RF_OK;
                }
                *newlines += count_eols(base, hit, (unsigned char)*hit);
                p = s->buf_off + (hit - s->buf);
                if (p + 1 < lim && at(s, p + 1) == q) { p += 2; continue; }   /* "" */
                if (p + 1 >= lim && !at_eof) { *more = true; return RF_OK; }
                break;
            }
            f->len = p - f->start;
            p++;   /* closing quote */
            /* anything up to the next delimiter belongs to the field (malformed but tolerated) */
            while (p < lim && at(s, p) != d && !is_eol(at(s, p))) { p++; *bad_quote = true; }
        } else {
            f->start = p;
            const char *c = s->buf + (p - s->buf_off), *e = s->buf + (lim - s->buf_off);
            c = find_stop(c, e, d);   /* the hot loop: the next delimiter or line end, eight bytes at a time */
            p = s->buf_off + (c - s->buf);
            f->len = p - f->start;
        }
        if (p >= lim) {
            if (!at_eof) { *more = true; return RF_OK; }
            *nf = n;
            *rec_end = lim;
            return RF_OK;
        }
        if (is_eol(at(s, p))) {   /* \r\n is one line end: look at the byte after a \r */
            if (at(s, p) == '\r' && p + 1 >= lim && !at_eof) { *more = true; return RF_OK; }
            (*newlines)++;
            *nf = n;
            *rec_end = p + 1 + (at(s, p) == '\r' && p + 1 < lim && at(s, p + 1) == '\n');
            return RF_OK;
        }
        p++;   /* delimiter */
    }
}

/* The file line of a split-relative line: counts the newlines before the split (only on errors). */
static int64_t abs_line(scan_st *s, int64_t rel)
{
    int64_t nl = 0, off = 0;
    char tmp[1 << 16];
    while (off < s->split_off) {
        ssize_t r = pread(s->fd, tmp, (size_t)(s->split_off - off < (int64_t)sizeof tmp - 1 ? s->split_off - off : (int64_t)sizeof tmp - 1), off);
        if (r <= 0) break;
        char next = 0;   /* the byte after this piece decides a \r at its end */
        int nx = pread(s->fd, &next, 1, off + r) == 1 ? (unsigned char)next : -1;
        nl += count_eols(tmp, tmp + r, nx);
        off += r;
    }
    return nl + rel;
}

static void truncate_col(rf_column *c, int64_t len)
{
    if (c->valid) for (int64_t i = len; i < c->len; i++) c->valid[i >> 3] |= (uint8_t)(1u << (i & 7));
    if (c->type == RF_TYPE_STRING) c->nbytes = ((int64_t *)c->data)[len];
    c->len = len;
}

/* Converts field f into column c. Returns false when the text does not parse as c's type. */
static int convert(scan_st *s, const span *f, rf_column *c, bool *ok)
{
    const char *p = s->buf + (f->start - s->buf_off);
    int64_t n = f->len;
    *ok = true;
    if (f->quoted && memchr(p, s->src->quote, (size_t)n)) {   /* undo "" escapes */
        s->tmp.len = 0;
        for (int64_t i = 0; i < n; i++) {
            int rc = rf_buf_put_u8(&s->tmp, (uint8_t)p[i]);
            if (rc) return rc;
            if (p[i] == s->src->quote && i + 1 < n && p[i + 1] == s->src->quote) i++;
        }
        p = (const char *)s->tmp.data;
        n = (int64_t)s->tmp.len;
    }
    if (!f->quoted && s->src->format == RF_FMT_CSV && n == s->null_len && memcmp(p, s->null_value, (size_t)n) == 0)
        return rf_column_append_null(c);
    rf_type base = rf_type_base(c->type);
    if (n > 0 && base != RF_TYPE_STRING && base != RF_TYPE_DOUBLE && ((unsigned char)p[0] <= ' ' || (unsigned char)p[n - 1] <= ' '))
        base = RF_TYPE_NULL;   /* " 42" is no int in Spark's CSV reader: malformed */
    switch (base) {
    case RF_TYPE_STRING: return rf_column_append_str(c, p, n);
    case RF_TYPE_DECIMAL: {
        rf_dec v;
        if (!rf_dec_parse(p, (size_t)n, rf_type_precision(c->type), rf_type_scale(c->type), &v)) break;
        return rf_column_append_dec(c, v);
    }
    case RF_TYPE_INT32: case RF_TYPE_INT64: {
        int64_t v = 0;
        if (n > 0 && n < 19 && p[0] >= '0' && p[0] <= '9') {   /* plain digits: the common case */
            int64_t k = 0;
            for (; k < n && p[k] >= '0' && p[k] <= '9'; k++) v = v * 10 + (p[k] - '0');
            if (k == n) {
                if (c->type == RF_TYPE_INT32 && v > INT32_MAX) break;
                return rf_column_append_i64(c, v);
            }
        }
        if (!rf_parse_int64(p, (size_t)n, &v) || (c->type == RF_TYPE_INT32 && (v < INT32_MIN || v > INT32_MAX))) break;
        return rf_column_append_i64(c, v);
    }
    case RF_TYPE_DOUBLE: {
        double v;
        if (!rf_parse_double(p, (size_t)n, &v)) break;
        return rf_column_append_f64(c, v);
    }
    case RF_TYPE_BOOL: {
        bool v;
        if (!rf_parse_bool(p, (size_t)n, &v)) break;
        return rf_column_append_i64(c, v);
    }
    case RF_TYPE_DATE: case RF_TYPE_TIMESTAMP: {
        if (n == s->last_len && c->type == s->last_type && memcmp(p, s->last_text, (size_t)n) == 0)
            return rf_column_append_i64(c, s->last_val);
        int64_t v;
        int32_t d;
        if (c->type == RF_TYPE_DATE) {
            if (!rf_parse_date(p, (size_t)n, &d)) break;
            v = d;
        } else if (!rf_parse_timestamp(p, (size_t)n, &v)) break;
        if (n <= (int64_t)sizeof s->last_text) {
            memcpy(s->last_text, p, (size_t)n);
            s->last_len = n;
            s->last_val = v;
            s->last_type = c->type;
        }
        return rf_column_append_i64(c, v);
    }
    default: break;
    }
    *ok = false;
    return rf_column_append_null(c);
}

static int open_(rf_op *op)
{
    const rf_source *src = op->plan->src;
    scan_st *s = rf_calloc(1, sizeof *s);
    int rc = RF_OK;
    if (!s) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    op->st = s;
    s->fd = -1;
    s->src = src;
    s->null_value = src->null_value ? src->null_value : "";
    s->null_len = (int64_t)strlen(s->null_value);
    s->last_len = -1;
    int64_t t = op->task;
    RF_CHECK(t >= 0 && t < src->n_splits, RF_ERR_INTERNAL, "scan task %lld out of range", (long long)t);
    s->fname = src->files[src->split_file[t]];
    int64_t off = src->split_off[t];
    s->end = off + src->split_len[t];
    s->fd = open(s->fname, O_RDONLY | O_CLOEXEC);
    RF_CHECK(s->fd >= 0, RF_ERR_IO, "%s: cannot open: %s", s->fname, strerror(errno));
    s->fsize = lseek(s->fd, 0, SEEK_END);
    RF_CHECK(s->fsize >= 0, RF_ERR_IO, "%s: cannot seek: %s", s->fname, strerror(errno));
    RF_CHECK((s->col_of = rf_malloc((size_t)(src->file_schema->n + 1) * sizeof *s->col_of)) != NULL, RF_ERR_NOMEM, "out of memory");
    for (int i = 0; i < src->file_schema->n; i++) s->col_of[i] = -1;   /* (partition columns are never in the file) */
    for (int k = 0; k < src->n_read; k++) s->col_of[src->read[k]] = k;
    /* where does this split's first record start, and on which line? */
    int state = RF_CSV_OUT;
    s->line = 1;
    s->split_off = off;
    for (int i = 0; i < op->ctx->n_prep; i++)
        if (op->ctx->prep[i].node_id == op->plan->id && t < op->ctx->prep[i].n) state = op->ctx->prep[i].start[t];
    s->buf_off = off > 0 ? off - 1 : 0;
    RF_TRY(read_more(s, s->end + (1 << 16)));
    char q = src->format == RF_FMT_CSV ? src->quote : 0, d = src->format == RF_FMT_CSV ? src->delim : '\n';
    if (off == 0) {
        s->pos = 0;
        s->skip_header = src->header && src->format == RF_FMT_CSV;
    } else if (state == RF_CSV_OUT && s->buf_len > 0 && is_eol(at(s, off - 1)) &&
               !(at(s, off - 1) == '\r' && off < s->buf_off + s->buf_len && at(s, off) == '\n')) {
        s->pos = off;   /* the split starts a line */
    } else {   /* skip to the first line end outside quotes, the parser's state machine from `state` */
        int64_t p = off;
        for (;;) {
            if (p >= s->buf_off + s->buf_len) {
                if (p >= s->end || p >= s->fsize) break;
                RF_TRY(read_more(s, p + (1 << 20)));
                if (p >= s->buf_off + s->buf_len) break;
            }
            char c = at(s, p);
            if (state == RF_CSV_QUOTE_SEEN) state = q && c == q ? RF_CSV_QUOTED : RF_CSV_OUT;
            else if (state == RF_CSV_QUOTED) { if (c == q) state = RF_CSV_QUOTE_SEEN; }
            else if (q && c == q) {
                char pb = at(s, p - 1);
                if (pb == d || is_eol(pb)) state = RF_CSV_QUOTED;
            }
            if (state == RF_CSV_OUT && is_eol(c)) {
                if (c == '\r' && p + 1 >= s->buf_off + s->buf_len && p + 1 < s->fsize) RF_TRY(read_more(s, p + 2));
                bool crlf = c == '\r' && p + 1 < s->buf_off + s->buf_len && at(s, p + 1) == '\n';
                p += crlf ? 1 : 0;
                s->line++;
                break;
            }
            if (is_eol(c) && !(c == '\r' && p + 1 < s->buf_off + s->buf_len && at(s, p + 1) == '\n')) s->line++;
            p++;
        }
        s->pos = p + 1;
    }
    if (s->pos >= s->end) s->done = true;
done:
    return rc;
}

static int next_batch(rf_op *op, rf_batch **out)
{
    scan_st *s = op->st;
    const rf_plan *pl = op->plan;
    const rf_source *src = s->src;
    rf_batch *b = NULL;
    int rc = RF_OK, ncols = pl->schema->n, nfile = src->file_schema->n - src->n_part;
    if (s->done) return RF_OK;
    RF_TRY(rf_batch_create(ncols, 0, &b));
    for (int k = 0; k < ncols; k++) RF_TRY(rf_column_create(pl->schema->f[k].type, 1024, &b->cols[k]));
    int64_t rows = 0;
    while (rows < op->ctx->batch_rows && s->pos < s->end && s->pos < s->fsize) {
        int64_t nf, rec_end, nl;
        bool bad_quote, more;
        for (;;) {
            RF_TRY(find_fields(s, &nf, &rec_end, &nl, &bad_quote, &more));
            if (!more) break;
            /* drop consumed bytes, then read further */
            int64_t keep_from = s->pos;
            if (keep_from > s->buf_off) {
                memmove(s->buf, s->buf + (keep_from - s->buf_off), (size_t)(s->buf_off + s->buf_len - keep_from));
                s->buf_len -= keep_from - s->buf_off;
                s->buf_off = keep_from;
            }
            RF_TRY(read_more(s, s->buf_off + s->buf_len + (s->buf_len > (1 << 20) ? s->buf_len : (1 << 20))));
        }
        int64_t rec_line = s->line;
        int64_t rec_start = s->pos;
        s->pos = rec_end;
        s->line += nl;
        if (s->skip_header) { s->skip_header = false; continue; }
        if (src->format == RF_FMT_CSV && nf == 1 && s->sp[0].len == 0 && !s->sp[0].quoted) continue;   /* blank line */
        bool bad = bad_quote;
        const char *why = bad_quote ? "malformed quoted field" : NULL;
        int bad_field = 0;
        if (src->format == RF_FMT_CSV && nf != nfile && !bad) {
            bad = true;
            why = nf < nfile ? "too few fields" : "too many fields";
            bad_field = (int)(nf < nfile ? nf : nfile);
        }
        if (bad && src->mode == RF_CSV_FAILFAST) {
            int64_t col = (bad_field < nf ? s->sp[bad_field].start : rec_end) - rec_start + 1;
            rc = rf__err_set(RF_ERR_INVALID, "%s:%lld:%lld: %s: expected %d, found %lld (mode FAILFAST)", s->fname,
                             (long long)abs_line(s, rec_line), (long long)col, why, nfile, (long long)nf);
            goto done;
        }
        if (bad && src->mode == RF_CSV_DROPMALFORMED) continue;
        for (int k = 0; k < ncols; k++) {
            int fi = src->read[k];
            rf_column *c = b->cols[k];
            if (fi >= nfile) continue;   /* a partition column: filled in below */
            if (src->format == RF_FMT_TEXT) { RF_TRY(convert(s, &s->sp[0], c, &(bool){ true })); continue; }
            if (fi >= nf) { RF_TRY(rf_column_append_null(c)); continue; }
            bool ok;
            RF_TRY(convert(s, &s->sp[fi], c, &ok));
            if (ok) continue;
            if (src->mode == RF_CSV_FAILFAST) {
                const span *f = &s->sp[fi];
                int64_t col = f->start - rec_start + 1 - (f->quoted ? 1 : 0);
                int64_t show = f->len > 40 ? 40 : f->len;
                rc = rf__err_set(RF_ERR_INVALID, "%s:%lld:%lld: cannot parse '%.*s%s' as %s for column '%s' (mode FAILFAST)",
                                 s->fname, (long long)abs_line(s, rec_line), (long long)col, (int)show, s->buf + (f->start - s->buf_off),
                                 f->len > show ? "..." : "", rf_type_name(c->type), src->file_schema->f[fi].name);
                goto done;
            }
            if (src->mode == RF_CSV_DROPMALFORMED) { bad = true; break; }
        }
        if (bad && src->mode == RF_CSV_DROPMALFORMED) {
            for (int k = 0; k < ncols; k++) truncate_col(b->cols[k], rows);
            continue;
        }
        rows++;
    }
    if (s->pos >= s->end || s->pos >= s->fsize) s->done = true;
    b->nrows = rows;
    if (rows > 0 && src->n_part) RF_TRY(rf__partition_values(src, src->split_file[op->task], b));
    if (rows > 0) { *out = b; b = NULL; }
done:
    rf_batch_destroy(&b);
    return rc;
}

/* A batch whose records were all skipped (blank lines, dropped records) is not an end: read on. */
static int next(rf_op *op, rf_batch **out)
{
    scan_st *s = op->st;
    int rc = RF_OK;
    while (!rc && !*out && !s->done) rc = next_batch(op, out);
    return rc;
}

static void close_(rf_op *op)
{
    scan_st *s = op->st;
    if (!s) return;
    if (s->fd >= 0) close(s->fd);
    if (s->buf && s->buf_cap > spare_cap) {   /* keep the larger buffer for this thread's next split */
        rf_free(spare_buf);
        spare_buf = s->buf;
        spare_cap = s->buf_cap;
        s->buf = NULL;
    }
    rf_free(s->buf);
    rf_free(s->col_of);
    rf_free(s->sp);
    rf_buf_fini(&s->tmp);
    RF_FREE(op->st);
}

const rf_op_vt rf__op_scan_vt = { "Scan", open_, next, close_ };
