/*
 * fuzz.c — riffle's fuzz harness: many generated bad inputs in one MPI job (one session), each
 * checked for what must always hold: no crash, no hang, an error that says something, and never
 * a silently different answer.
 *
 *   mpirun -np N fuzz sql --seed S --cases K --work DIR --setup SETUP.sql --data DIR TEST.sql...
 *   mpirun -np N fuzz csv --seed S --cases K --work DIR
 *   mpirun -np N fuzz h5  --seed S --cases K --work DIR
 *   (--seconds T stops early after T seconds of cases; --case I runs case I only, to reproduce one)
 *
 * sql: mutates the golden SQL scripts (tokens deleted, repeated thousands of times, swapped,
 *      replaced by keywords, operators and extreme literals; bytes flipped, NUL and line ends
 *      inserted; scripts cut and spliced) and runs each as `riffle run` does. A script may fail, but
 *      with a message whose position lies inside the script.
 * csv: damages a CSV file (bytes flipped, quotes, delimiters and \r, \n, NUL inserted, lines cut and
 *      repeated) and reads it in every mode with one split and with many: the row counts, sums and
 *      FAILFAST messages must not depend on where the splits fall, and PERMISSIVE keeps at least
 *      what DROPMALFORMED keeps.
 * h5:  damages an HDF5 table riffle wrote (truncated, bytes flipped, ranges zeroed) and reads it:
 *      the answer is the original one or an error, never another number.
 *
 * Each case's input is written to DIR/case.* before it runs, so a crash leaves its reproducer. A
 * case that runs long is stopped the way SIGTERM stops a job (10 s), and one that does not stop
 * within 30 more seconds is reported as a hang.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include "riffle/riffle.h"
#include "sql/sql.h"
#include "runtime/runtime.h"

/* ---------------------------------------------------------------- randomness */
static uint64_t rng;
static uint64_t rnd(void) { rng ^= rng >> 12; rng ^= rng << 25; rng ^= rng >> 27; return rng * 2685821657736338717ULL; }
static uint64_t below(uint64_t n) { return n ? rnd() % n : 0; }
static void seed_case(uint64_t seed, int64_t i) { rng = (seed * 0x9E3779B97F4A7C15ULL) ^ ((uint64_t)i * 0xD1B54A32D192ED03ULL) ^ 0x2545F4914F6CDD1DULL; if (!rng) rng = 1; for (int k = 0; k < 4; k++) rnd(); }

/* ---------------------------------------------------------------- watchdog */
static volatile sig_atomic_t alarms;
static char case_name[256];

static void on_alarm(int sig)
{
    (void)sig;
    if (alarms++ == 0) { raise(SIGTERM); alarm(30); return; }   /* slow: stop it as a signal would */
    char msg[400];
    int n = snprintf(msg, sizeof msg, "fuzz: HANG: %s did not stop within 30 s of being asked to\n", case_name);
    if (n > 0) { ssize_t w = write(2, msg, (size_t)n); (void)w; }
    _exit(3);
}

static void arm(const char *name)
{
    snprintf(case_name, sizeof case_name, "%s", name);
    rf__stop_reset();
    alarms = 0;
    alarm(10);
}

static bool disarm(void)
{
    alarm(0);
    bool stopped = alarms > 0;
    rf__stop_reset();
    return stopped;
}

/* ---------------------------------------------------------------- small helpers */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    rf_buf b = { 0 };
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) rf_buf_put(&b, tmp, n);
    fclose(f);
    rf_buf_put_u8(&b, 0);
    *len = b.len - 1;
    return (char *)b.data;
}

static int spit(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t w = fwrite(p, 1, n, f);
    return fclose(f) == 0 && w == n ? 0 : -1;
}

static int failures;
static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "fuzz: FAIL: %s: ", case_name);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    failures++;
}

/* ---------------------------------------------------------------- SQL mutation */
typedef struct { const char *p; size_t n; } tok;

static bool wordc(unsigned char c) { return c == '_' || c == '.' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

/* Splits text into tokens: words, numbers, quoted strings, blanks, single other bytes. */
static tok *tokenize(const char *s, size_t n, int64_t *nt)
{
    tok *v = NULL;
    int64_t cap = 0;
    *nt = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        unsigned char c = (unsigned char)s[i];
        if (c == '\'' || c == '"' || c == '`') { while (j < n && s[j] != (char)c) j++; if (j < n) j++; }
        else if (c == ' ' || c == '\n' || c == '\t') { while (j < n && (s[j] == ' ' || s[j] == '\n' || s[j] == '\t')) j++; }
        else if (wordc(c))
            while (j < n && wordc((unsigned char)s[j])) j++;
        if (rf__grow((void **)&v, &cap, *nt + 1, sizeof *v)) break;
        v[(*nt)++] = (tok){ s + i, j - i };
        i = j;
    }
    return v;
}

static const char *const words[] = {
    "SELECT", "FROM", "WHERE", "GROUP BY", "ORDER BY", "HAVING", "LIMIT", "JOIN", "LEFT JOIN", "FULL OUTER JOIN",
    "CROSS JOIN", "ON", "USING (id)", "UNION", "UNION ALL", "INTERSECT", "EXCEPT", "AND", "OR", "NOT", "IN", "EXISTS",
    "BETWEEN", "LIKE", "IS NULL", "IS NOT NULL", "CASE", "WHEN", "THEN", "ELSE", "END", "NULL", "TRUE", "DISTINCT",
    "OVER (PARTITION BY 1 ORDER BY 1)", "ROWS BETWEEN 9223372036854775807 PRECEDING AND CURRENT ROW", "CAST(", "AS",
    "INT", "BIGINT", "DOUBLE", "STRING", "DATE", "DECIMAL(38,10)", "DECIMAL(39,2)", "INTERVAL '3' DAY", "(", ")", ")", ",",
    ";", "*", "+", "-", "/", "%", "||", "<=>", "=", "<", ">=", "!=", ".", "count(*)", "sum(", "avg(", "min(", "max(",
    "count(DISTINCT", "upper(", "lower(", "substring(", "concat(", "coalesce(", "split(", "explode(", "to_date(",
    "date_add(", "datediff(", "round(", "abs(", "nullif(", "date_trunc('month',", "row_number()", "rank()", "lag(",
    "0", "-1", "2147483648", "-2147483649", "9223372036854775807", "9223372036854775808", "1e308", "1e309", "-0.0",
    "1e-400", "99999999999999999999999999999999999999", "999999999999999999999999999999999999999",
    "0.000000000000000000000000000000000000001", "1.5BD", "5e36BD", "10L", "128Y", "1.0D", "''", "'x'", "'%'",
    "'\\\\'", "'it''s'", "DATE '2020-02-30'", "DATE '2020-02-29'", "TIMESTAMP '2020-01-01 25:00:00'", "'2020-13-01'",
    "people", "orders", "t1", "t2", "empty", "vals", "id", "name", "amount", "x", "`weird name`", "p.id", "*",
    "INSERT OVERWRITE DIRECTORY", "CREATE TEMPORARY VIEW", "SET riffle.shuffle.partitions = 0", "EXPLAIN", "WITH w AS (",
    "${data}", "${nope}", "/*", "*/", "--", "CLUSTER BY id", "SORT BY id", "LATERAL VIEW",
    "array(", "map(", "named_struct(", "struct(", "x ->", "(x, y) ->", "->", "[", "]", "[0]", "['k']", ".f",
    "ARRAY<INT>", "MAP<STRING, ARRAY<INT>>", "STRUCT<a: INT, b: STRING>", "array<", ">", "transform(", "filter(",
    "aggregate(", "exists(", "zip_with(", "explode(map(", "inline(", "posexplode(", "from_json(", "to_json(",
    "'a INT'", "json_tuple(", "sequence(", "sort_array(", "array_union(", "element_at(", "collect_list(",
    "RANGE BETWEEN 2 PRECEDING AND CURRENT ROW", "RANGE BETWEEN INTERVAL 1 DAY PRECEDING AND CURRENT ROW", "(1, 2)",
    "PIVOT (sum(amount) FOR (id, name) IN ((1, 'a')))",
};
#define N_WORDS (sizeof words / sizeof words[0])

/* A mutated script (returned-owned): 1 to 4 edits of tokens or bytes of text, or a splice with other. */
static char *mutate(const char *text, size_t n, const char *other, size_t on, size_t *out_len)
{
    rf_buf b = { 0 };
    rf_buf_put(&b, text, n);
    int edits = below(4) ? 1 : 2 + (int)below(3);
    for (int e = 0; e < edits; e++) {
        int64_t nt = 0;
        tok *t = tokenize((const char *)b.data, b.len, &nt);
        if (!t || nt == 0) { rf_free(t); break; }
        int64_t i = (int64_t)below((uint64_t)nt), j = i + (int64_t)below(4);
        if (j >= nt) j = nt - 1;
        size_t a = (size_t)(t[i].p - (const char *)b.data), z = (size_t)(t[j].p + t[j].n - (const char *)b.data);
        rf_buf nb = { 0 };
        rf_buf_put(&nb, b.data, a);
        if (below(2)) {   /* a change of the same kind: the script stays well-formed more often and runs */
            static const char *const nums[] = { "0", "-1", "1", "2147483647", "-2147483648", "9223372036854775807", "1e308", "-0.0", "0.5",
                                                "99999999999999999999999999999999999999", "1.99", "NULL", "CAST(NULL AS INT)" };
            static const char *const ops[] = { "+", "-", "*", "/", "%", "=", "<", ">=", "!=", "<=>", "||", "AND", "OR" };
            static const char *const strs[] = { "''", "'x'", "'%'", "'_'", "'2020-01-01'", "'a,b'", "'\\'", "'ü'", "NULL" };
            static const char *const cols[] = { "id", "name", "amount", "dept", "x", "y", "k", "v", "a", "b", "dt", "ts", "*" };
            const tok *tk = &t[i];
            unsigned char c0 = (unsigned char)tk->p[0];
            if (c0 >= '0' && c0 <= '9') rf_buf_printf(&nb, "%s", nums[below(sizeof nums / sizeof nums[0])]);
            else if (c0 == '\'') rf_buf_printf(&nb, "%s", strs[below(sizeof strs / sizeof strs[0])]);
            else if (strchr("+-*/%=<>!|", (char)c0) || (tk->n <= 3 && (!strncasecmp(tk->p, "AND", tk->n) || !strncasecmp(tk->p, "OR", tk->n))))
                rf_buf_printf(&nb, " %s ", ops[below(sizeof ops / sizeof ops[0])]);
            else if (wordc(c0)) rf_buf_printf(&nb, "%s", below(3) ? cols[below(sizeof cols / sizeof cols[0])] : words[below(N_WORDS)]);
            else rf_buf_put(&nb, tk->p, tk->n);
            rf_buf_put(&nb, b.data + a + tk->n, b.len - a - tk->n);
            rf_buf_fini(&b);
            b = nb;
            rf_free(t);
            continue;
        }
        switch (below(11)) {
        case 0: break;                                                      /* delete tokens i..j */
        case 1: rf_buf_put(&nb, b.data + a, z - a); rf_buf_put(&nb, b.data + a, z - a); break;   /* doubled */
        case 2: {                                                           /* repeated many times: deep nesting, long chains */
            bool joinish = memmem(b.data + a, z - a, "JOIN", 4) || memmem(b.data + a, z - a, ",", 1) || memmem(b.data + a, z - a, "FROM", 4);
            uint64_t k = joinish ? 2 + below(2) : 2 + below(below(2) ? 40 : 3000);
            for (uint64_t r = 0; r < k && nb.len < (4u << 20); r++) rf_buf_put(&nb, b.data + a, z - a);
            break;
        }
        case 3: case 4: {                                                   /* replaced by a keyword, operator or literal */
            const char *w = words[below(N_WORDS)];
            rf_buf_printf(&nb, " %s ", w);
            break;
        }
        case 5: rf_buf_put(&nb, b.data + a, z - a); rf_buf_printf(&nb, " %s ", words[below(N_WORDS)]); break;   /* inserted after */
        case 6: {                                                           /* two tokens swapped */
            int64_t k = (int64_t)below((uint64_t)nt);
            rf_buf_put(&nb, t[k].p, t[k].n);
            rf_buf_put(&nb, b.data + a + t[i].n, z - a - t[i].n);
            break;
        }
        case 7: {                                                           /* a byte inserted: NUL, line ends, quotes, anything */
            static const char bytes[] = { 0, '\r', '\n', '\'', '"', '`', '\\', '#', '$', '{', 0x7f, (char)0xff, (char)0xc3, ';' };
            rf_buf_put(&nb, b.data + a, z - a);
            uint8_t c = below(3) ? (uint8_t)bytes[below(sizeof bytes)] : (uint8_t)below(256);
            rf_buf_put_u8(&nb, c);
            break;
        }
        case 8: rf_buf_put(&nb, b.data + a, (z - a) / 2); rf_free(t); t = NULL; rf_buf_fini(&b); b = nb; goto next;   /* cut here */
        case 9: {                                                           /* a piece of another script */
            size_t x = below(on), y = x + below(on - x + 1);
            rf_buf_put(&nb, b.data + a, z - a);
            rf_buf_put(&nb, other + x, y - x);
            break;
        }
        default: {                                                          /* deep parentheses or NOT / - chains */
            static const char *const pre[] = { "(", "NOT ", "- ", "CAST(" }, *const post[] = { ")", "", "", " AS STRING)" };
            int w = (int)below(4);
            uint64_t k = below(2) ? below(50) : 150 + below(3000);
            for (uint64_t r = 0; r < k; r++) rf_buf_printf(&nb, "%s", pre[w]);
            rf_buf_put(&nb, b.data + a, z - a);
            for (uint64_t r = 0; r < k; r++) rf_buf_printf(&nb, "%s", post[w]);
            break;
        }
        }
        rf_buf_put(&nb, b.data + z, b.len - z);
        rf_buf_fini(&b);
        b = nb;
        rf_free(t);
    next:;
    }
    rf_buf_put_u8(&b, 0);
    *out_len = b.len - 1;
    return (char *)b.data;
}

/* Replaces ${data} (the scripts are mutated after, so a mutation may break or add references). */
static char *with_data(const char *text, const char *data)
{
    rf_buf b = { 0 };
    for (const char *p = text; *p;) {
        if (!strncmp(p, "${data}", 7)) { rf_buf_printf(&b, "%s", data); p += 7; }
        else rf_buf_put_u8(&b, (uint8_t)*p++);
    }
    rf_buf_put_u8(&b, 0);
    return (char *)b.data;
}

static int fuzz_sql(rf_session *s, uint64_t seed, int64_t cases, int64_t only, double seconds, const char *work, const char *setup_path,
                    const char *data, char **tests, int ntests)
{
    size_t ls = 0;
    char *setup = slurp(setup_path, &ls);
    if (!setup || !ntests) { fprintf(stderr, "fuzz sql: no setup or no tests\n"); return 2; }
    char **texts = calloc((size_t)ntests, sizeof *texts);
    size_t *lens = calloc((size_t)ntests, sizeof *lens);
    for (int i = 0; i < ntests; i++) {
        size_t lt = 0;
        char *t = slurp(tests[i], &lt), *joined = NULL;
        if (!t) { fprintf(stderr, "fuzz sql: cannot read %s\n", tests[i]); return 2; }
        rf_buf b = { 0 };
        rf_buf_printf(&b, "%s%s", setup, t);
        joined = with_data((const char *)b.data, data);
        rf_buf_fini(&b);
        rf_free(t);
        texts[i] = joined;
        lens[i] = strlen(joined);
    }
    FILE *devnull = fopen("/dev/null", "w");
    char casefile[4200];
    snprintf(casefile, sizeof casefile, "%s/case.sql", work);
    int64_t ran = 0, errors = 0, stopped = 0;
    double t0 = rf_now();
    for (int64_t c = only >= 0 ? only : 0; c < (only >= 0 ? only + 1 : cases); c++) {
        if (seconds > 0 && rf_now() - t0 > seconds) break;
        seed_case(seed, c);
        int a = (int)below((uint64_t)ntests), b = (int)below((uint64_t)ntests);
        size_t n = 0;
        char *text = mutate(texts[a], lens[a], texts[b], lens[b], &n);
        spit(casefile, text, n);
        char name[128];
        snprintf(name, sizeof name, "sql case %lld (seed %llu, from %s)", (long long)c, (unsigned long long)seed, strrchr(tests[a], '/') ? strrchr(tests[a], '/') + 1 : tests[a]);
        rf_conf saved;
        rf__conf_copy(&saved, &s->conf);
        int64_t keep = s->n_dfs;
        rf__err_clear();
        arm(name);
        int rc = rf__sql_run_script(s, text, n, RF_OUT_CSV, devnull, false);
        bool slow = disarm();
        rf__conf_fini(&s->conf);
        s->conf = saved;
        rf__df_free_from(s, keep);
        ran++;
        if (slow) stopped++;
        if (rc) {
            errors++;
            const rf_error *e = rf__err_slot();
            int lines = 1;
            for (size_t k = 0; k < n; k++) lines += text[k] == '\n';
            if (!e->msg[0]) fail("an error without a message (code %d)", rc);
            else if (e->line > lines || e->line < 0 || e->col < 0) fail("the error's position (line %d, column %d) is outside the script: %s", e->line, e->col, e->msg);
            else if (rc == RF_ERR_INTERNAL) fail("an internal error: %s", e->msg);
            else if (rc == RF_ERR_STOPPED && !slow) fail("stopped without a stop request: %s", e->msg);
        }
        rf_free(text);
    }
    fclose(devnull);
    fprintf(stderr, "fuzz sql: %lld cases (seed %llu): %lld ran to an answer, %lld errors, %lld stopped for time, %d failures\n",
            (long long)ran, (unsigned long long)seed, (long long)(ran - errors), (long long)errors, (long long)stopped, failures);
    return failures ? 1 : 0;
}

/* ---------------------------------------------------------------- CSV damage */
/* A CSV with every kind of field riffle reads: quoted fields holding delimiters, quotes and line
 * ends, CRLF and LF lines, empty fields, dates, decimals. */
static void base_csv(rf_buf *b, int rows)
{
    rf_buf_printf(b, "id,name,amount,d\n");
    for (int i = 1; i <= rows; i++) {
        const char *eol = i % 7 == 0 ? "\r\n" : "\n";
        switch (i % 5) {
        case 0: rf_buf_printf(b, "%d,\"n,%d\",%d.%02d,2020-%02d-%02d%s", i, i, i, i % 100, 1 + i % 12, 1 + i % 28, eol); break;
        case 1: rf_buf_printf(b, "%d,\"say \"\"%d\"\"\",%d.5,2021-01-%02d%s", i, i, i, 1 + i % 28, eol); break;
        case 2: rf_buf_printf(b, "%d,\"two\nlines %d\",,2019-12-31%s", i, i, eol); break;
        case 3: rf_buf_printf(b, "%d,plain%d,-%d.25,%s", i, i, i, eol); break;
        default: rf_buf_printf(b, "%d,,%d,2020-02-29%s", i, i, eol); break;
        }
    }
}

static void damage_text(rf_buf *b)
{
    int edits = 1 + (int)below(5);
    for (int e = 0; e < edits && b->len; e++) {
        size_t at = below(b->len);
        static const char ins[] = { '"', ',', '\r', '\n', 0, ' ', '\\', (char)0xff };
        switch (below(6)) {
        case 0: b->data[at] ^= (uint8_t)(1u << below(8)); break;
        case 1: b->data[at] = (uint8_t)ins[below(sizeof ins)]; break;
        case 2: {   /* insert */
            rf_buf_reserve(b, 1);
            memmove(b->data + at + 1, b->data + at, b->len - at);
            b->data[at] = (uint8_t)ins[below(sizeof ins)];
            b->len++;
            break;
        }
        case 3: { size_t k = 1 + below(20); if (at + k > b->len) k = b->len - at; memmove(b->data + at, b->data + at + k, b->len - at - k); b->len -= k; break; }
        case 4: b->len = at; break;   /* cut */
        default: {   /* a piece repeated */
            size_t k = 1 + below(60);
            if (at + k > b->len) k = b->len - at;
            rf_buf_reserve(b, k);
            memmove(b->data + at + k, b->data + at, b->len - at);
            b->len += k;
            break;
        }
        }
    }
}

typedef struct { int rc; int64_t rows, ids; char msg[600]; } csvres;

static csvres read_csv(rf_session *s, const char *path, const char *mode, const char *split)
{
    csvres r = { 0 };
    rf_conf_set(s, "riffle.files.maxPartitionBytes", split);
    char opts[300];
    snprintf(opts, sizeof opts, "header=true,mode=%s,schema=id INT; name STRING; amount DECIMAL(12,2); d DATE", mode);
    rf_df *d = rf_read_csv(s, path, opts);
    rf_expr *aggs[2] = { rf_as(rf_count(NULL), "n"), rf_as(rf_sum(rf_col("id")), "ids") };
    rf_df *a = rf_df_agg(d, 0, NULL, 2, aggs);
    rf_result *res = NULL;
    r.rc = rf_df_collect(a, &res);
    if (r.rc) snprintf(r.msg, sizeof r.msg, "%s", rf_session_error(s));
    else {
        r.rows = rf_result_int(res, 0, 0);
        r.ids = rf_result_is_null(res, 0, 1) ? -1 : rf_result_int(res, 0, 1);
    }
    rf_result_destroy(&res);
    rf_df_release(&a);
    rf_df_release(&d);
    return r;
}

/* The message without its "rank N: " prefix (which rank ran the failing task may differ). */
static const char *unranked(const char *m) { return !strncmp(m, "rank ", 5) && strchr(m, ':') ? strchr(m, ':') + 2 : m; }

static int fuzz_csv(rf_session *s, uint64_t seed, int64_t cases, int64_t only, double seconds, const char *work)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/case.csv", work);
    int64_t ran = 0, errs = 0;
    double t0 = rf_now();
    for (int64_t c = only >= 0 ? only : 0; c < (only >= 0 ? only + 1 : cases); c++) {
        if (seconds > 0 && rf_now() - t0 > seconds) break;
        seed_case(seed, c);
        rf_buf b = { 0 };
        base_csv(&b, 50 + (int)below(400));
        damage_text(&b);
        spit(path, b.data, b.len);
        char tiny[32];
        snprintf(tiny, sizeof tiny, "%zu", 1 + b.len / (2 + below(12)));   /* 2 to 13 splits, boundaries anywhere */
        static const char *const modes[] = { "PERMISSIVE", "DROPMALFORMED", "FAILFAST" };
        csvres res[3][2];
        for (int m = 0; m < 3; m++)
            for (int k = 0; k < 2; k++) {
                char name[160];
                snprintf(name, sizeof name, "csv case %lld (seed %llu) %s, %s", (long long)c, (unsigned long long)seed, modes[m], k ? "many splits" : "one split");
                arm(name);
                res[m][k] = read_csv(s, path, modes[m], k ? tiny : "1g");
                disarm();
                ran++;
                errs += res[m][k].rc != 0;
                if (res[m][k].rc == RF_ERR_INTERNAL) fail("an internal error: %s", res[m][k].msg);
                if (res[m][k].rc && !res[m][k].msg[0]) fail("an error without a message");
            }
        snprintf(case_name, sizeof case_name, "csv case %lld (seed %llu)", (long long)c, (unsigned long long)seed);
        for (int m = 0; m < 3; m++) {
            csvres *x = &res[m][0], *y = &res[m][1];
            if (x->rc != y->rc) fail("%s: one split says %s, many splits %s", modes[m], x->rc ? x->msg : "ok", y->rc ? y->msg : "ok");
            else if (!x->rc && (x->rows != y->rows || x->ids != y->ids))
                fail("%s: one split reads %lld rows (ids %lld), many splits %lld (ids %lld)", modes[m], (long long)x->rows, (long long)x->ids,
                     (long long)y->rows, (long long)y->ids);
            else if (x->rc && strcmp(unranked(x->msg), unranked(y->msg))) fail("%s: the error depends on the splits: '%s' / '%s'", modes[m], x->msg, y->msg);
        }
        if (!res[0][0].rc && !res[1][0].rc && res[0][0].rows < res[1][0].rows)
            fail("PERMISSIVE keeps %lld rows, fewer than DROPMALFORMED's %lld", (long long)res[0][0].rows, (long long)res[1][0].rows);
        rf_buf_fini(&b);
    }
    fprintf(stderr, "fuzz csv: %lld reads of damaged CSV (seed %llu): %lld errors, %d failures\n", (long long)ran, (unsigned long long)seed,
            (long long)errs, failures);
    return failures ? 1 : 0;
}

/* ---------------------------------------------------------------- HDF5 damage */
typedef struct { int rc; int64_t rows, ids, namelen, dates, head; char dmax[32]; char msg[600]; } h5res;

/* The sum of the ids of the first 3 rows read 100 at a time, or -1 on an error: a LIMIT stops inside
 * a row group, so the scan must check a group before it hands out any of its rows. */
static int64_t head_h5(rf_session *s, const char *path)
{
    rf_conf_set(s, "riffle.batch.rows", "100");
    rf_df *d = rf_read_hdf5(s, path), *l = rf_df_limit(rf_df_select(d, 1, rf_col("id")), 3);
    rf_result *res = NULL;
    int64_t sum = -1;
    if (rf_df_collect(l, &res) == RF_OK) {
        sum = 0;
        for (int64_t i = 0; i < res->batch->nrows; i++) sum += rf_result_is_null(res, i, 0) ? 1000000 : rf_result_int(res, i, 0);
    }
    rf_result_destroy(&res);
    rf_df_release(&l);
    rf_df_release(&d);
    rf_conf_set(s, "riffle.batch.rows", "32768");
    return sum;
}

static h5res read_h5(rf_session *s, const char *path)
{
    h5res r = { 0 };
    rf_df *d = rf_read_hdf5(s, path);
    rf_expr *aggs[5] = { rf_as(rf_count(NULL), "n"), rf_as(rf_sum(rf_col("id")), "ids"), rf_as(rf_sum(rf_length(rf_col("name"))), "nl"),
                         rf_as(rf_count(rf_col("d")), "nd"), rf_as(rf_max(rf_col("amount")), "mx") };
    rf_df *a = rf_df_agg(d, 0, NULL, 5, aggs);
    rf_result *res = NULL;
    r.rc = rf_df_collect(a, &res);
    if (r.rc) snprintf(r.msg, sizeof r.msg, "%s", rf_df_status(a) ? rf_df_error(a) : rf_session_error(s));
    else {
        r.rows = rf_result_int(res, 0, 0);
        r.ids = rf_result_is_null(res, 0, 1) ? -1 : rf_result_int(res, 0, 1);
        r.namelen = rf_result_is_null(res, 0, 2) ? -1 : rf_result_int(res, 0, 2);
        r.dates = rf_result_int(res, 0, 3);
        rf_buf t = { 0 };
        bool isnull;
        rf_format_value(res->batch->cols[4], 0, &t, &isnull);
        snprintf(r.dmax, sizeof r.dmax, "%.*s", isnull ? 4 : (int)t.len, isnull ? "NULL" : (const char *)t.data);
        rf_buf_fini(&t);
    }
    rf_result_destroy(&res);
    rf_df_release(&a);
    rf_df_release(&d);
    return r;
}

static int fuzz_h5(rf_session *s, uint64_t seed, int64_t cases, int64_t only, double seconds, const char *work)
{
    char csv[4200], ref[4200], path[4200];
    snprintf(csv, sizeof csv, "%s/base.csv", work);
    snprintf(ref, sizeof ref, "%s/base.h5", work);
    snprintf(path, sizeof path, "%s/case.h5", work);
    seed_case(seed, -1);
    rf_buf b = { 0 };
    base_csv(&b, 3000);
    spit(csv, b.data, b.len);
    rf_buf_fini(&b);
    rf_df *d = rf_read_csv(s, csv, "header=true,schema=id INT; name STRING; amount DECIMAL(12,2); d DATE");
    if (rf_df_write_hdf5(d, ref, "mode=overwrite,singleFile=true,rowGroupRows=500")) { fprintf(stderr, "fuzz h5: cannot write %s: %s\n", ref, rf_session_error(s)); return 2; }
    rf_df_release(&d);
    snprintf(case_name, sizeof case_name, "h5 reference");
    h5res want = read_h5(s, ref);
    want.head = head_h5(s, ref);
    if (want.rc || want.head < 0) { fprintf(stderr, "fuzz h5: cannot read the reference: %s\n", want.msg); return 2; }
    size_t n = 0;
    char *orig = slurp(ref, &n);
    int64_t ran = 0, errs = 0;
    double t0 = rf_now();
    for (int64_t c = only >= 0 ? only : 0; c < (only >= 0 ? only + 1 : cases); c++) {
        if (seconds > 0 && rf_now() - t0 > seconds) break;
        seed_case(seed, c);
        rf_buf f = { 0 };
        rf_buf_put(&f, orig, n);
        switch (below(4)) {
        case 0: f.len = below(n); break;   /* truncated */
        case 1: { int k = 1 + (int)below(8); for (int i = 0; i < k; i++) f.data[below(n)] ^= (uint8_t)(1u << below(8)); break; }
        case 2: { size_t at = below(n), k = 1 + below(64); if (at + k > n) k = n - at; memset(f.data + at, below(2) ? 0 : 0xff, k); break; }
        default: { size_t at = below(n < 4096 ? n : 4096); f.data[at] ^= (uint8_t)(1u << below(8)); break; }   /* the metadata at the start */
        }
        spit(path, f.data, f.len);
        rf_buf_fini(&f);
        char name[128];
        snprintf(name, sizeof name, "h5 case %lld (seed %llu)", (long long)c, (unsigned long long)seed);
        arm(name);
        h5res got = read_h5(s, path);
        int64_t head = head_h5(s, path);
        disarm();
        if (head >= 0 && head != want.head)
            fail("a damaged file's first rows read as different ids (sum %lld, the table's %lld)", (long long)head, (long long)want.head);
        ran++;
        if (got.rc) {
            errs++;
            if (!got.msg[0]) fail("an error without a message");
            if (got.rc == RF_ERR_INTERNAL) fail("an internal error: %s", got.msg);
            continue;
        }
        if (got.rows != want.rows || got.ids != want.ids || got.namelen != want.namelen || got.dates != want.dates || strcmp(got.dmax, want.dmax))
            fail("a damaged file read as different data: %lld rows, ids %lld, name bytes %lld, dates %lld, max %s (the table has %lld, %lld, %lld, %lld, %s)",
                 (long long)got.rows, (long long)got.ids, (long long)got.namelen, (long long)got.dates, got.dmax,
                 (long long)want.rows, (long long)want.ids, (long long)want.namelen, (long long)want.dates, want.dmax);
    }
    {   /* a flipped bit in the second row's id: a LIMIT 3 that reads only part of the row group must fail */
        static const uint8_t ids123[12] = { 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0 };
        size_t at = SIZE_MAX;
        for (size_t i = 0; i + sizeof ids123 <= n && at == SIZE_MAX; i++) if (!memcmp(orig + i, ids123, sizeof ids123)) at = i;
        snprintf(case_name, sizeof case_name, "h5 damaged first row group under a LIMIT");
        if (at == SIZE_MAX) fail("the ids 1, 2, 3 are not in the reference file (test setup)");
        else {
            orig[at + 4] ^= 0x10;
            spit(path, orig, n);
            int64_t head = head_h5(s, path);
            if (head >= 0) fail("a LIMIT read a damaged row group's rows (id sum %lld) without an error", (long long)head);
        }
    }
    rf_free(orig);
    fprintf(stderr, "fuzz h5: %lld damaged files (seed %llu): %lld errors, %lld read as the original, %d failures\n", (long long)ran,
            (unsigned long long)seed, (long long)errs, (long long)(ran - errs), failures);
    return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
    rf_session *s = NULL;
    if (rf_session_open(&argc, &argv, &s)) return 2;
    signal(SIGALRM, on_alarm);
    const char *what = argc > 1 ? argv[1] : "", *work = "/tmp", *setup = NULL, *data = ".";
    uint64_t seed = 1;
    int64_t cases = 100, only = -1;
    double seconds = 0;
    char **tests = calloc((size_t)argc + 1, sizeof *tests);
    int ntests = 0;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--seed") && i + 1 < argc) seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--cases") && i + 1 < argc) cases = strtoll(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--case") && i + 1 < argc) only = strtoll(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--seconds") && i + 1 < argc) seconds = strtod(argv[++i], NULL);
        else if (!strcmp(argv[i], "--work") && i + 1 < argc) work = argv[++i];
        else if (!strcmp(argv[i], "--setup") && i + 1 < argc) setup = argv[++i];
        else if (!strcmp(argv[i], "--data") && i + 1 < argc) data = argv[++i];
        else tests[ntests++] = argv[i];
    }
    rf_conf_set(s, "riffle.driver.maxResultSize", "4m");
    rf_conf_set(s, "riffle.shuffle.partitions", "3");
    int rc = !strcmp(what, "sql") ? fuzz_sql(s, seed, cases, only, seconds, work, setup ? setup : "", data, tests, ntests)
           : !strcmp(what, "csv") ? fuzz_csv(s, seed, cases, only, seconds, work)
           : !strcmp(what, "h5")  ? fuzz_h5(s, seed, cases, only, seconds, work)
           : (fprintf(stderr, "usage: fuzz sql|csv|h5 --seed S --cases N --work DIR ...\n"), 2);
    free(tests);
    return rf_session_close(&s, rc);
}
