/*
 * riffle.c — the `riffle` command: runs Spark SQL scripts on every rank of an MPI job.
 *
 *   mpirun -np N src/riffle run JOB.sql [--conf key=value]... [--format table|csv|json] [--event-log PATH]
 *   mpirun -np N src/riffle sql "SQL TEXT" [same options]
 *   src/riffle explain JOB.sql
 *   src/riffle --help | --version | help COMMAND
 *
 * Rank 0 parses and plans; every rank executes. Results print on rank 0's stdout; an error prints
 * once on rank 0's stderr with its position in the script, and the exit status is non-zero.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "riffle/riffle.h"
#include "sql/sql.h"
#include "runtime/runtime.h"
#include "cli/report.h"
#include "cli/submit.h"

static const char *usage_main =
    "usage: riffle COMMAND [ARGS] [--conf key=value]... [--format table|csv|json] [--event-log PATH]\n"
    "\n"
    "Runs Spark SQL on every rank of an MPI job (launch with mpirun or srun).\n"
    "\n"
    "commands:\n"
    "  submit [-n RANKS] [-c THREADS] JOB.sql|PROGRAM [ARGS]\n"
    "                  start a job with srun (in a Slurm allocation) or mpirun / mpiexec, with\n"
    "                  the right binding and OMP_NUM_THREADS (riffle help submit); run without mpirun\n"
    "  run FILE        run the statements of a SQL script (';'-separated, -- and /* */ comments)\n"
    "  sql TEXT        run SQL given on the command line\n"
    "  explain FILE    print the logical, optimized and physical plans and the stages; runs nothing\n"
    "  convert IN OUT  convert a CSV file or directory (header, inferred types) to an HDF5 table:\n"
    "                  OUT.h5 is one file; with --partition-by COL[,COL] OUT is a directory of COL=value/\n"
    "  report LOG [-o FILE]\n"
    "                  one self-contained HTML page from an event log: timeline, task time per rank,\n"
    "                  shuffle matrices, skew, spill, adaptive decisions, plan, configuration, Slurm job\n"
    "  help COMMAND    explain a command\n"
    "\n"
    "options:\n"
    "  --conf key=value   set a configuration key (riffle.* or its Spark name; see docs/CONFIG.md)\n"
    "  --var name=value   replace ${name} in the SQL text with value (also -d name=value, as spark-sql)\n"
    "  --format FORMAT    how SELECT results print: table (Spark's show() layout, the default),\n"
    "                     csv (a header line, RFC 4180 rows, NULL as an empty field) or json\n"
    "                     (one object per line)\n"
    "  --event-log PATH   write what every job did (plans, stages, rows, shuffle bytes, seconds) to\n"
    "                     PATH as JSON lines; PATH.inprogress until the run ends\n"
    "  --version          print the version\n";

static const char *help_for(const char *cmd)
{
    if (!strcmp(cmd, "run"))
        return "usage: mpirun -np N riffle run FILE [--conf key=value]... [--format table|csv|json] [--event-log PATH]\n\n"
               "Runs every statement of FILE in order. Supported statements: SELECT / WITH queries (their\n"
               "results print on rank 0's stdout), CREATE [OR REPLACE] TEMPORARY VIEW name [(col TYPE, ...)]\n"
               "USING csv|text OPTIONS (path '...', header 'true', ...), CREATE TEMPORARY VIEW name AS query,\n"
               "INSERT OVERWRITE DIRECTORY 'path' USING csv [OPTIONS (...)] query, SET key = value, EXPLAIN query.\n"
               "Exit status 0 on success; on error one message on stderr naming the line and column.\n";
    if (!strcmp(cmd, "sql"))
        return "usage: mpirun -np N riffle sql \"SQL TEXT\" [--conf key=value]... [--format table|csv|json]\n\n"
               "Like run, with the script given as one argument.\n";
    if (!strcmp(cmd, "convert"))
        return "usage: mpirun -np N riffle convert INPUT OUTPUT [--partition-by COL[,COL]] [--read OPTIONS] [--write OPTIONS]\n"
               "                                [--overwrite] [--conf key=value]...\n\n"
               "Reads INPUT (a CSV file, directory or glob, with a header line and inferred column types; or an\n"
               "HDF5 table, when it ends in .h5) and writes it as an HDF5 table (docs/FORMAT.md), every rank\n"
               "writing its share of one file. OUTPUT ending in .h5 is a single file; with --partition-by, OUTPUT\n"
               "is a directory of COL=value/part-00000.h5 files. The output appears whole or not at all; an\n"
               "existing OUTPUT is an error unless --overwrite.\n"
               "  --read OPTIONS    CSV reader options, e.g. \"header=true,inferSchema=true,delimiter=;\"\n"
               "  --write OPTIONS   HDF5 writer options: rowGroupRows=N, compression=deflate[:1-9], collective=false\n";
    if (!strcmp(cmd, "submit")) return rf__submit_usage();
    if (!strcmp(cmd, "report"))
        return "usage: riffle report EVENTLOG [-o FILE]\n\n"
               "Writes one self-contained HTML page (FILE, default EVENTLOG.html; it needs no network to view)\n"
               "from the event log of a run (riffle.eventLog.path or --event-log): the job and stage timeline,\n"
               "each stage's rows, shuffle, skew (largest / median partition) and spill, task time per rank\n"
               "(which rank lagged), the rank x rank shuffle matrix of every exchange, the adaptive decisions,\n"
               "the plan, the configuration and the Slurm job (id, nodes, limits). A log still in progress\n"
               "(LOG.inprogress, or a run that was killed) works too. Runs without mpirun.\n";
    if (!strcmp(cmd, "explain"))
        return "usage: riffle explain FILE [--conf key=value]...\n\n"
               "Parses and plans every statement of FILE and prints, for each query, the analyzed logical plan,\n"
               "the optimized plan, the physical plan with its exchanges, and the stages. No query runs and no\n"
               "output is written (views over CSV files read the header to learn their columns).\n";
    return NULL;
}

/* Replaces ${name} by value for every --var name=value, over the whole text (which may hold any
 * byte: lengths, never strlen). A ${name} left without a value is an error naming it: it must not
 * become a path or a literal. Returns the new text (returned-owned) or NULL with *err set. */
static char *substitute(char *text, size_t *len, char **vars, int n_vars, char *err, size_t errcap)
{
    rf_buf out = { 0 };
    const char *p = text, *end = text + *len;
    while (p < end) {
        const char *hit = memmem(p, (size_t)(end - p), "${", 2);
        if (!hit) { rf_buf_put(&out, p, (size_t)(end - p)); break; }
        rf_buf_put(&out, p, (size_t)(hit - p));
        const char *name = hit + 2, *close = memchr(name, '}', (size_t)(end - name));
        size_t nl = close ? (size_t)(close - name) : 0;
        bool ident = close && nl > 0 && nl < 256;
        for (size_t k = 0; ident && k < nl; k++)
            ident = (name[k] >= 'a' && name[k] <= 'z') || (name[k] >= 'A' && name[k] <= 'Z') || (name[k] >= '0' && name[k] <= '9') ||
                    name[k] == '_' || name[k] == '.' || name[k] == ':' || name[k] == '-';
        if (!ident) { rf_buf_put(&out, hit, 2); p = hit + 2; continue; }   /* not a variable reference */
        const char *val = NULL;
        for (int v = n_vars - 1; v >= 0 && !val; v--) {   /* the last --var of a name wins */
            const char *eq = strchr(vars[v], '=');
            if ((size_t)(eq - vars[v]) == nl && !memcmp(vars[v], name, nl)) val = eq + 1;
        }
        if (!val) {
            int line = 1;
            for (const char *q = text; q < hit; q++) line += *q == '\n';
            snprintf(err, errcap, "line %d: ${%.*s} has no value (give it with --var %.*s=VALUE)", line, (int)nl, name, (int)nl, name);
            rf_buf_fini(&out);
            free(text);
            return NULL;
        }
        rf_buf_put(&out, val, strlen(val));
        p = close + 1;
    }
    rf_buf_put_u8(&out, 0);
    free(text);
    char *r = malloc(out.len ? out.len : 1);
    if (r) memcpy(r, out.data, out.len);
    *len = out.len ? out.len - 1 : 0;
    rf_buf_fini(&out);
    if (!r) snprintf(err, errcap, "out of memory");
    return r;
}

/* The whole file (returned-owned, NUL added, *len without it); NULL with errno set. A directory
 * or a read error is an error, never an empty script. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) { fclose(f); errno = EISDIR; return NULL; }
    rf_buf b = { 0 };
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) rf_buf_put(&b, tmp, n);
    int bad = ferror(f);
    fclose(f);
    if (bad) { rf_buf_fini(&b); errno = EIO; return NULL; }
    rf_buf_put_u8(&b, 0);
    char *r = malloc(b.len);
    if (r) memcpy(r, b.data, b.len);
    *len = b.len - 1;
    rf_buf_fini(&b);
    return r;
}

static bool ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && !strcmp(s + n - m, suf);
}

/* riffle convert: CSV (or HDF5) in, HDF5 table out. Returns the exit status. */
static int convert(rf_session *s, const char *in, const char *out, const char *pby, const char *ropts, const char *wopts, bool overwrite)
{
    rf_df *d = ends_with(in, ".h5") ? rf_read_hdf5(s, in) : rf_read_csv(s, in, ropts ? ropts : "header=true,inferSchema=true");
    if (rf_df_status(d)) {
        fprintf(stderr, "riffle: error: %s\n", rf_df_error(d));
        return 1;
    }
    char opts[4096];
    int n = snprintf(opts, sizeof opts, "mode=%s", overwrite ? "overwrite" : "error");
    if (pby) {
        n += snprintf(opts + n, sizeof opts - (size_t)n, ",partitionBy=");
        for (const char *p = pby; *p && (size_t)n + 1 < sizeof opts; p++) opts[n++] = *p == ',' ? ';' : *p;
        opts[n] = '\0';
    } else if (ends_with(out, ".h5")) {
        n += snprintf(opts + n, sizeof opts - (size_t)n, ",singleFile=true");
    }
    if (wopts && *wopts) snprintf(opts + n, sizeof opts - (size_t)n, ",%s", wopts);
    if (rf_df_write_hdf5(d, out, opts)) {
        const char *m = rf_session_error(s);
        fprintf(stderr, "riffle: error: %s%s\n", m, strstr(m, "already exists") ? " (riffle convert: add --overwrite)" : "");
        return 1;
    }
    fprintf(stderr, "riffle: converted %s -> %s\n", in, out);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "submit")) return rf__cli_submit(argc - 2, argv + 2, argv[0]);   /* no MPI: starts the launcher */
    if (argc >= 2 && !strcmp(argv[1], "report")) return rf__cli_report(argc - 2, argv + 2);   /* no MPI: reads a log, writes a page */
    for (int i = 1; i < argc; i++) {   /* answered without starting MPI */
        if (!strcmp(argv[i], "--version")) { printf("riffle %s\n", RF_VERSION_STRING); return 0; }
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            const char *h = i > 1 ? help_for(argv[1]) : NULL;
            fputs(h ? h : usage_main, stdout);
            return 0;
        }
    }
    if (argc >= 2 && !strcmp(argv[1], "help")) {
        const char *h = argc >= 3 ? help_for(argv[2]) : NULL;
        fputs(h ? h : usage_main, stdout);
        return h || argc < 3 ? 0 : 2;
    }
    rf_session *s = NULL;
    int orc = rf_session_open(&argc, &argv, &s);
    if (orc) return orc == RF_ERR_INVALID ? 2 : 1;   /* a bad --conf is a usage error; memory or MPI is not */
    rf_outfmt fmt = RF_OUT_TABLE;
    const char *cmd = NULL, *arg = NULL;
    char *vars[256];
    int n_vars = 0;
    const char *out_arg = NULL, *pby = NULL, *ropts = NULL, *wopts = NULL;
    bool overwrite = false;
    for (int i = 1; i < argc; i++) {
        if ((!strcmp(argv[i], "--var") || !strcmp(argv[i], "-d") || !strcmp(argv[i], "--hivevar") || !strcmp(argv[i], "--define")) && i + 1 < argc) {
            if (!strchr(argv[i + 1], '=') || n_vars == 256) { fprintf(stderr, "riffle: error: %s %s: expected name=value\n", argv[i], argv[i + 1]); return rf_session_close(&s, 2); }
            vars[n_vars++] = argv[++i];
            continue;
        }
        if (!strcmp(argv[i], "--format") && i + 1 < argc) {
            const char *v = argv[++i];
            if (!strcmp(v, "table")) fmt = RF_OUT_TABLE;
            else if (!strcmp(v, "csv")) fmt = RF_OUT_CSV;
            else if (!strcmp(v, "json")) fmt = RF_OUT_JSON;
            else { fprintf(stderr, "riffle: error: --format %s: expected table, csv or json\n", v); return rf_session_close(&s, 2); }
        } else if (!strncmp(argv[i], "--format=", 9)) {
            const char *v = argv[i] + 9;
            fmt = !strcmp(v, "csv") ? RF_OUT_CSV : !strcmp(v, "json") ? RF_OUT_JSON : RF_OUT_TABLE;
            if (strcmp(v, "csv") && strcmp(v, "json") && strcmp(v, "table")) { fprintf(stderr, "riffle: error: --format %s: expected table, csv or json\n", v); return rf_session_close(&s, 2); }
        } else if (!strcmp(argv[i], "--event-log") || !strncmp(argv[i], "--event-log=", 12)) {
            const char *p = argv[i][11] == '=' ? argv[i] + 12 : i + 1 < argc ? argv[++i] : "";
            if (!*p) { fprintf(stderr, "riffle: error: --event-log needs a file path\n"); return rf_session_close(&s, 2); }
            rf_conf_set(s, "riffle.eventLog.path", p);
        } else if (!strcmp(argv[i], "--partition-by") && i + 1 < argc) pby = argv[++i];
        else if (!strcmp(argv[i], "--read") && i + 1 < argc) ropts = argv[++i];
        else if (!strcmp(argv[i], "--write") && i + 1 < argc) wopts = argv[++i];
        else if (!strcmp(argv[i], "--overwrite")) overwrite = true;
        else if (argv[i][0] == '-' && argv[i][1] == '-') {
            fprintf(stderr, "riffle: error: unknown option %s (see riffle --help)\n", argv[i]);
            return rf_session_close(&s, 2);
        } else if (!cmd) cmd = argv[i];
        else if (!arg) arg = argv[i];
        else if (cmd && !strcmp(cmd, "convert") && !out_arg) out_arg = argv[i];
        else { fprintf(stderr, "riffle: error: unexpected argument '%s' (see riffle --help)\n", argv[i]); return rf_session_close(&s, 2); }
    }
    if (cmd && !strcmp(cmd, "convert")) {
        if (!arg || !out_arg) { fprintf(stderr, "riffle: error: convert needs INPUT and OUTPUT\n%s", help_for("convert")); return rf_session_close(&s, 2); }
        return rf_session_close(&s, convert(s, arg, out_arg, pby, ropts, wopts, overwrite));
    }
    if (!cmd || (strcmp(cmd, "run") && strcmp(cmd, "sql") && strcmp(cmd, "explain")) || !arg) {
        if (cmd && strcmp(cmd, "run") && strcmp(cmd, "sql") && strcmp(cmd, "explain")) fprintf(stderr, "riffle: error: unknown command '%s'\n", cmd);
        else if (cmd) fprintf(stderr, "riffle: error: %s needs %s\n", cmd, strcmp(cmd, "sql") ? "a FILE" : "SQL TEXT");
        fputs(usage_main, stderr);
        return rf_session_close(&s, 2);
    }
    char *text = NULL;
    size_t len = 0;
    const char *file = NULL;
    if (!strcmp(cmd, "sql")) {
        text = strdup(arg);
        len = strlen(arg);
        if (!text) { fprintf(stderr, "riffle: error: out of memory\n"); return rf_session_close(&s, 2); }
    } else {
        file = arg;
        if (!(text = read_file(arg, &len))) {
            fprintf(stderr, "riffle: error: %s: cannot read: %s\n", arg, strerror(errno));
            return rf_session_close(&s, 2);
        }
    }
    char serr[600];
    if (!(text = substitute(text, &len, vars, n_vars, serr, sizeof serr))) {
        fprintf(stderr, "riffle: error: %s%s%s\n", file ? file : "", file ? ": " : "", serr);
        return rf_session_close(&s, 2);
    }
    rf__err_clear();
    int rc = rf__sql_run_script(s, text, len, fmt, stdout, !strcmp(cmd, "explain"));
    if (rc) rf__sql_format_error(rf__err_slot(), text, len, file, stderr);
    else if (rf__stop_requested())   /* the signal came after the last statement: nothing was cut short */
        fprintf(stderr, "riffle: %s arrived after the last statement finished; every statement completed\n",
                rf__stop_signal() == SIGINT ? "SIGINT" : rf__stop_signal() == SIGUSR1 ? "SIGUSR1" : "SIGTERM");
    free(text);
    /* a stop signal: 128 + its number, as a shell reports a process it ended */
    /* preempted at the wall-time warning with checkpoints: 75 (EX_TEMPFAIL), run again to resume */
    return rf_session_close(&s, rc == RF_ERR_PREEMPTED ? 75 : rc == RF_ERR_STOPPED ? 128 + (rf__stop_signal() ? rf__stop_signal() : 15) : rc ? 1 : 0);
}
