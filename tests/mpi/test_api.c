/*
 * test_api.c — the DataFrame API end to end, at 1-4 ranks (tests/run-mpi), against sqlite3.
 *
 * Rank 0 writes two small CSV tables (with NULLs, non-ASCII text and a key present on one side
 * only), then for each case builds a DataFrame, collects it, and compares the rows with what the
 * sqlite3 command computes from the same files. Doubles are printed as sqlite3 prints REAL (%.15g).
 * Cases without ORDER BY compare sorted rows. A small shuffle partition count and split size make
 * every stage run many tasks even on small data.
 */
#include <stdbool.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include "riffle/riffle.h"

static int failures, cases;
static char dir[512];

/* foreachBatch callbacks: counting the batch's rows (an action inside the callback); failing */
struct fb { int64_t rows, next_id; int bad; };
static int fb_count(rf_df *batch, int64_t id, void *ctx)
{
    struct fb *g = ctx;
    int64_t n = -1;
    if (id != g->next_id++) g->bad++;
    if (rf_df_count(batch, &n)) return 1;
    g->rows += n;
    return 0;
}
static int fb_fail(rf_df *batch, int64_t id, void *ctx) { (void)batch; (void)id; (void)ctx; return 7; }

/* The socket source's test server: a listening socket on a free port; one client gets three lines,
 * the last in two pieces, then the connection closes. */
struct srv { int fd; int port; };
static void *serve(void *arg)
{
    struct srv *v = arg;
    int c = accept(v->fd, NULL, NULL);
    if (c < 0) return NULL;
    const char *parts[3] = { "x y\ny\n", "z", " y\n" };
    for (int i = 0; i < 3; i++) {
        if (write(c, parts[i], strlen(parts[i])) < 0) break;
        struct timespec ts = { 0, 200000000 };
        nanosleep(&ts, NULL);
    }
    close(c);
    return NULL;
}
static rf_stream *sock_q;
static int64_t sock_rows;
static int sock_batch(rf_df *batch, int64_t id, void *ctx)
{
    (void)id; (void)ctx;
    int64_t n = 0;
    if (rf_df_count(batch, &n)) return 1;
    if ((sock_rows += n) >= 5) rf_stream_stop(sock_q);   /* every word came */
    return 0;
}
static rf_session *rf_test_session;

static void write_file(const char *name, const char *text)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    fputs(text, f);
    fclose(f);
}

static int cmp_lines(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Renders a result as lines "v1|v2|..." (NULL as NULL, doubles as %.6f). */
static char *render(rf_result *r, int sorted)
{
    int64_t n = rf_result_rows(r);
    char **lines = calloc((size_t)n + 1, sizeof *lines);
    for (int64_t i = 0; i < n; i++) {
        char line[4096] = "", v[1024];
        for (int c = 0; c < rf_result_cols(r); c++) {
            if (c) strcat(line, "|");
            if (rf_result_is_null(r, i, c)) strcpy(v, "NULL");
            else if (rf_result_type(r, c) == RF_TYPE_DOUBLE) {   /* as sqlite3 prints REAL: %!.15g */
                snprintf(v, sizeof v, "%.15g", rf_result_double(r, i, c));
                if (!strpbrk(v, ".eEni")) strcat(v, ".0");
            }
            else if (rf_result_type(r, c) == RF_TYPE_BOOL) snprintf(v, sizeof v, "%d", (int)rf_result_int(r, i, c));
            else rf_result_format(r, i, c, v, sizeof v);
            strncat(line, v, sizeof line - strlen(line) - 1);
        }
        lines[i] = strdup(line);
    }
    if (sorted) qsort(lines, (size_t)n, sizeof *lines, cmp_lines);
    size_t total = 1;
    for (int64_t i = 0; i < n; i++) total += strlen(lines[i]) + 1;
    char *out = calloc(total, 1);
    for (int64_t i = 0; i < n; i++) { strcat(out, lines[i]); strcat(out, "\n"); free(lines[i]); }
    free(lines);
    return out;
}

static char *sqlite(const char *sql, int sorted)
{
    char script[1024], cmd[2048];
    snprintf(script, sizeof script, "%s/q.sql", dir);
    FILE *f = fopen(script, "w");
    fprintf(f,
            "CREATE TABLE people(id INTEGER, name TEXT, dept TEXT, salary REAL, born TEXT);\n"
            "CREATE TABLE depts(dept TEXT, floor INTEGER);\n"
            ".mode csv\n.import --skip 1 %s/people.csv people\n.import --skip 1 %s/depts.csv depts\n"
            "UPDATE people SET name = NULL WHERE name = '';UPDATE people SET dept = NULL WHERE dept = '';\n"
            "UPDATE people SET salary = NULL WHERE salary = '';UPDATE people SET born = NULL WHERE born = '';\n"
            ".mode list\n.nullvalue NULL\n.separator |\n%s;\n",
            dir, dir, sql);
    fclose(f);
    snprintf(cmd, sizeof cmd, "sqlite3 :memory: < %s", script);
    FILE *p = popen(cmd, "r");
    char **lines = NULL, buf[4096];
    int n = 0;
    while (fgets(buf, sizeof buf, p)) {
        lines = realloc(lines, (size_t)(n + 1) * sizeof *lines);
        lines[n++] = strdup(buf);
    }
    if (pclose(p) != 0) fprintf(stderr, "sqlite3 failed on: %s\n", sql);
    if (sorted) qsort(lines, (size_t)n, sizeof *lines, cmp_lines);
    size_t total = 1;
    for (int i = 0; i < n; i++) total += strlen(lines[i]);
    char *out = calloc(total, 1);
    for (int i = 0; i < n; i++) { strcat(out, lines[i]); free(lines[i]); }
    free(lines);
    return out;
}

/* df's EXPLAIN text (returned-owned; NULL if it could not be captured). */
static char *explain_of(rf_df *df)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) return NULL;
    rf_df_explain(df, m);
    fclose(m);
    return buf;
}

static void check(const char *name, rf_df *df, const char *sql, int sorted)
{
    rf_result *r = NULL;
    cases++;
    if (rf_df_collect(df, &r)) {
        failures++;
        fprintf(stderr, "FAIL %s: %s\n", name, rf_df_error(df) ? rf_df_error(df) : rf_session_error(rf_test_session));
        return;
    }
    char *got = render(r, sorted), *want = sqlite(sql, sorted);
    if (strcmp(got, want) != 0) {
        failures++;
        fprintf(stderr, "FAIL %s\n--- riffle\n%s--- sqlite3\n%s", name, got, want);
    }
    free(got);
    free(want);
    rf_result_destroy(&r);
}

static void expect_error(const char *name, rf_df *df, const char *needle)
{
    cases++;
    const char *e = rf_df_error(df);
    if (!e || !strstr(e, needle)) {
        failures++;
        fprintf(stderr, "FAIL %s: expected an error containing '%s', got '%s'\n", name, needle, e ? e : "(none)");
    }
}

int main(int argc, char **argv)
{
    rf_session *s = NULL;
    if (rf_session_open(&argc, &argv, &s)) return 2;
    rf_test_session = s;
    snprintf(dir, sizeof dir, "%s/rf-api-%d", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "rm -rf %s && mkdir -p %s", dir, dir);
    if (system(cmd) != 0) return rf_session_close(&s, 2);
    write_file("people.csv",
               "id,name,dept,salary,born\n"
               "1,Ada,eng,120.5,1990-12-10\n2,Bob,eng,95,1985-01-31\n3,Chloé,sales,70.25,1992-07-04\n"
               "4,Dan,,50,2000-02-29\n5,Eve,ops,,1979-05-05\n6,,sales,88,1995-11-30\n7,Gus,eng,95,1988-03-15\n"
               "8,Hé Li,hr,61.5,\n9,Ivy,sales,70.25,1999-09-09\n10,Jo,ops,40,2001-01-01\n");
    write_file("depts.csv", "dept,floor\neng,3\nsales,1\nops,2\nlegal,4\n");
    rf_conf_set(s, "riffle.shuffle.partitions", "5");
    rf_conf_set(s, "riffle.files.maxPartitionBytes", "64");   /* many splits from a small file */
    char pp[600], dp[600];
    snprintf(pp, sizeof pp, "%s/people.csv", dir);
    snprintf(dp, sizeof dp, "%s/depts.csv", dir);
    rf_df *people = rf_read_csv(s, pp, "header=true,inferSchema=true");
    rf_df *depts = rf_read_csv(s, dp, "header=true,inferSchema=true");

    check("select/withColumn/filter",
          rf_df_order_by(rf_df_filter(rf_df_with_column(people, "bonus", rf_mul(rf_col("salary"), rf_lit_double(0.1))),
                                      rf_gt(rf_col("salary"), rf_lit_int(60))), 1, rf_col("id")),
          "SELECT id, name, dept, salary, born, salary * 0.1 FROM people WHERE salary > 60 ORDER BY id", 0);
    {
        rf_expr *k[1] = { rf_col("dept") };
        rf_expr *a[6] = { rf_as(rf_count(NULL), "n"), rf_sum(rf_col("salary")), rf_avg(rf_col("salary")),
                          rf_min(rf_col("name")), rf_max(rf_col("born")), rf_count(rf_col("salary")) };
        check("groupBy agg", rf_df_agg(people, 1, k, 6, a),
              "SELECT dept, COUNT(*), SUM(salary), AVG(salary), MIN(name), MAX(born), COUNT(salary) FROM people GROUP BY dept", 1);
    }
    {
        rf_expr *k[1] = { rf_col("dept") };
        rf_expr *a[1] = { rf_count_distinct(rf_col("salary")) };
        check("count distinct", rf_df_agg(people, 1, k, 1, a), "SELECT dept, COUNT(DISTINCT salary) FROM people GROUP BY dept", 1);
        rf_expr *a2[2] = { rf_count(NULL), rf_sum(rf_col("id")) };
        check("global agg", rf_df_agg(people, 0, NULL, 2, a2), "SELECT COUNT(*), SUM(id) FROM people", 0);
        rf_expr *a3[1] = { rf_count(NULL) };
        check("global agg of nothing", rf_df_agg(rf_df_filter(people, rf_lit_bool(false)), 0, NULL, 1, a3), "SELECT COUNT(*) FROM people WHERE 0", 0);
    }
    check("inner join using", rf_df_join(people, depts, "dept", RF_JOIN_INNER),
          "SELECT p.dept, id, name, salary, born, floor FROM people p JOIN depts d ON p.dept = d.dept", 1);
    check("left join using", rf_df_join(people, depts, "dept", RF_JOIN_LEFT),
          "SELECT p.dept, id, name, salary, born, floor FROM people p LEFT JOIN depts d ON p.dept = d.dept", 1);
    check("right join using", rf_df_join(people, depts, "dept", RF_JOIN_RIGHT),
          "SELECT d.dept, id, name, salary, born, floor FROM depts d LEFT JOIN people p ON p.dept = d.dept", 1);
    check("full join using", rf_df_join(people, depts, "dept", RF_JOIN_FULL),
          "SELECT p.dept, id, name, salary, born, floor FROM people p LEFT JOIN depts d ON p.dept = d.dept "
          "UNION ALL SELECT d.dept, NULL, NULL, NULL, NULL, floor FROM depts d WHERE d.dept NOT IN (SELECT dept FROM people WHERE dept IS NOT NULL)", 1);
    check("semi join", rf_df_join(people, depts, "dept", RF_JOIN_SEMI),
          "SELECT * FROM people WHERE dept IN (SELECT dept FROM depts)", 1);
    check("anti join", rf_df_join(people, depts, "dept", RF_JOIN_ANTI),
          "SELECT * FROM people p WHERE NOT EXISTS (SELECT 1 FROM depts d WHERE d.dept = p.dept)", 1);
    check("join on expression with a residual condition",
          rf_df_select(rf_df_join_on(people, depts, rf_and(rf_eq(rf_df_col(people, "dept"), rf_df_col(depts, "dept")),
                                                                rf_gt(rf_col("salary"), rf_mul(rf_col("floor"), rf_lit_int(30)))), RF_JOIN_LEFT),
                       2, rf_col("id"), rf_col("floor")),
          "SELECT id, floor FROM people p LEFT JOIN depts d ON p.dept = d.dept AND p.salary > d.floor * 30", 1);
    check("non-equi join (nested loop)",
          rf_df_select(rf_df_join_on(people, depts, rf_lt(rf_col("id"), rf_col("floor")), RF_JOIN_INNER), 2, rf_col("id"), rf_df_col(depts, "dept")),
          "SELECT id, d.dept FROM people p JOIN depts d ON p.id < d.floor", 1);
    check("distinct", rf_df_distinct(rf_df_select(people, 1, rf_col("dept"))), "SELECT DISTINCT dept FROM people", 1);
    check("orderBy desc with NULLs last, limit",
          rf_df_limit(rf_df_order_by(people, 2, rf_desc(rf_col("salary")), rf_asc(rf_col("id"))), 4),
          "SELECT * FROM people ORDER BY salary IS NULL, salary DESC, id LIMIT 4", 0);
    check("orderBy asc NULLs first (range exchange)",
          rf_df_select(rf_df_order_by(people, 2, rf_asc(rf_col("name")), rf_asc(rf_col("id"))), 1, rf_col("id")),
          "SELECT id FROM people ORDER BY name IS NOT NULL, name, id", 0);
    check("union all", rf_df_union_all(rf_df_select(people, 1, rf_col("dept")), rf_df_select(depts, 1, rf_col("dept"))),
          "SELECT dept FROM people UNION ALL SELECT dept FROM depts", 1);
    check("repartition and coalesce keep every row",
          rf_df_coalesce(rf_df_repartition(people, 3), 2), "SELECT * FROM people", 1);
    check("strings", rf_df_select(people, 5, rf_col("id"), rf_lower(rf_col("name")), rf_upper(rf_col("name")), rf_length(rf_col("name")),
                                  rf_concat(3, rf_col("name"), rf_lit_str("@"), rf_col("dept"))),
          /* sqlite3's upper() is ASCII only; Spark's (and riffle's) changes é too, the one such letter here */
          "SELECT id, lower(name), replace(upper(name), 'é', 'É'), length(name), name || '@' || dept FROM people", 1);
    check("substring", rf_df_select(people, 2, rf_col("id"), rf_substring(rf_col("name"), 2, 2)),
          "SELECT id, substr(name, 2, 2) FROM people", 1);
    check("dates", rf_df_select(people, 5, rf_col("id"), rf_year(rf_col("born")), rf_month(rf_col("born")),
                                rf_datediff(rf_lit_date("2026-01-01"), rf_col("born")), rf_date_add(rf_col("born"), rf_lit_int(40))),
          "SELECT id, CAST(strftime('%Y', born) AS INT), CAST(strftime('%m', born) AS INT), "
          "CAST(julianday('2026-01-01') - julianday(born) AS INT), date(born, '+40 days') FROM people", 1);
    check("case, in, cast, is null",
          rf_df_select(people, 4, rf_col("id"),
                       rf_case(rf_lit_str("other"), 2, rf_in(rf_col("dept"), 2, rf_lit_str("eng"), rf_lit_str("ops")), rf_lit_str("tech"),
                               rf_is_null(rf_col("dept")), rf_lit_str("none")),
                       rf_cast(rf_col("salary"), RF_TYPE_INT64), rf_is_not_null(rf_col("born"))),
          "SELECT id, CASE WHEN dept IN ('eng','ops') THEN 'tech' WHEN dept IS NULL THEN 'none' ELSE 'other' END, "
          "CAST(salary AS INT), born IS NOT NULL FROM people", 1);
    check("explode(split())",
          rf_df_select(people, 2, rf_col("id"), rf_as(rf_explode(rf_split(rf_col("name"), " ")), "part")),
          "SELECT id, name FROM people WHERE name IS NOT NULL AND instr(name, ' ') = 0 "
          "UNION ALL SELECT 8, 'Hé' UNION ALL SELECT 8, 'Li'", 1);
    check("arrays and lambdas",
          rf_df_select(people, 3, rf_col("id"),
                       rf_fn("aggregate", 3, rf_fn("array", 2, rf_col("id"), rf_lit_int(10)), rf_lit_int(0),
                             rf_lambda(rf_add(rf_col("acc"), rf_col("x")), 2, "acc", "x")),
                       rf_fn("size", 1, rf_fn("filter", 2, rf_fn("array", 3, rf_col("id"), rf_lit_int(5), rf_lit_int(9)),
                                               rf_lambda(rf_gt(rf_col("id"), rf_lit_int(4)), 1, "id")))),
          /* the lambda's id hides the column id: every element of (id, 5, 9) over 4 counts */
          "SELECT id, id + 10, (id > 4) + 2 FROM people", 1);
    check("drop and rename", rf_df_drop(rf_df_with_column_renamed(depts, "floor", "level"), "dept"), "SELECT floor FROM depts", 1);
    {
        int64_t n = -1;
        cases++;
        if (rf_df_count(rf_df_filter(people, rf_eq(rf_col("dept"), rf_lit_str("eng"))), &n) || n != 3) {
            failures++;
            fprintf(stderr, "FAIL count: %lld\n", (long long)n);
        }
        rf_result *r = NULL;
        cases++;
        if (rf_df_take(rf_df_order_by(people, 1, rf_col("id")), 2, &r) || rf_result_rows(r) != 2 || rf_result_int(r, 1, 0) != 2) {
            failures++;
            fprintf(stderr, "FAIL take\n");
        }
        rf_result_destroy(&r);
    }
    {   /* the plan says what it will do */
        rf_expr *k[1] = { rf_col("dept") };
        rf_expr *a[1] = { rf_count(NULL) };
        char *buf = explain_of(rf_df_agg(rf_df_join(people, depts, "dept", RF_JOIN_INNER), 1, k, 1, a));
        cases++;
        if (!buf || !strstr(buf, "HashAggregate(partial)") || !strstr(buf, "BroadcastExchange") || !strstr(buf, "hashpartitioning") ||
            !strstr(buf, "Stage 2")) {
            failures++;
            fprintf(stderr, "FAIL explain:\n%s\n", buf ? buf : "");
        }
        free(buf);
    }
    {   /* 300 caches filled by one job's concurrent tasks, then read: no cap, no lost registry entry */
        enum { NC = 300 };
        rf_df *u = NULL;
        char *sql = malloc(NC * 64);
        size_t at = 0;
        for (int i = 0; i < NC; i++) {
            rf_df *c = rf_df_select(rf_df_cache(rf_df_filter(people, rf_gt(rf_col("id"), rf_lit_int(i % 10)))), 1, rf_col("id"));
            u = u ? rf_df_union_all(u, c) : c;
            at += (size_t)snprintf(sql + at, NC * 64 - at, "%sSELECT id FROM people WHERE id > %d", i ? " UNION ALL " : "", i % 10);
        }
        check("300 caches: filled", u, sql, 1);
        check("300 caches: read", u, sql, 1);
        free(sql);
    }
    {   /* a cached DataFrame: the first action fills it, later ones read it and agree */
        rf_df *c = rf_df_cache(rf_df_filter(people, rf_gt(rf_col("salary"), rf_lit_int(60))));
        rf_expr *k[1] = { rf_col("dept") };
        rf_expr *a[1] = { rf_count(NULL) };
        check("cache: first action fills", rf_df_agg(c, 1, k, 1, a), "SELECT dept, COUNT(*) FROM people WHERE salary > 60 GROUP BY dept", 1);
        check("cache: later actions read", rf_df_order_by(c, 1, rf_col("id")), "SELECT * FROM people WHERE salary > 60 ORDER BY id", 0);
        check("cache: read in both branches of a union", rf_df_union_all(rf_df_select(c, 1, rf_col("id")), rf_df_select(c, 1, rf_col("id"))),
              "SELECT id FROM people WHERE salary > 60 UNION ALL SELECT id FROM people WHERE salary > 60", 1);
        char *buf = explain_of(rf_df_select(c, 1, rf_col("id")));
        cases++;
        if (!buf || !strstr(buf, "InMemoryRelation")) { failures++; fprintf(stderr, "FAIL cache not used:\n%s\n", buf ? buf : ""); }
        free(buf);
    }
    {   /* persist with each storage level, then unpersist: the same answers; read from the cache, then not */
        static const rf_storage_level lv[3] = { RF_MEMORY_AND_DISK, RF_MEMORY_ONLY, RF_DISK_ONLY };
        for (int i = 0; i < 3; i++) {
            rf_df *c = rf_df_persist(rf_df_filter(people, rf_gt(rf_col("salary"), rf_lit_int(50 + i))), lv[i]);
            char sql[160];
            snprintf(sql, sizeof sql, "SELECT * FROM people WHERE salary > %d ORDER BY id", 50 + i);
            check("persist: fills", rf_df_order_by(c, 1, rf_col("id")), sql, 0);
            check("persist: reads", rf_df_order_by(c, 1, rf_col("id")), sql, 0);
            for (int round = 0; round < 2; round++) {
                char *buf = explain_of(rf_df_select(c, 1, rf_col("id")));
                cases++;
                bool reads = buf && strstr(buf, "InMemoryRelation #");
                if (reads != (round == 0)) { failures++; fprintf(stderr, "FAIL persist level %d, %s unpersist:\n%s\n", i, round ? "after" : "before", buf ? buf : ""); }
                free(buf);
                if (round == 0) rf_df_unpersist(c);
            }
            check("persist: after unpersist", rf_df_order_by(c, 1, rf_col("id")), sql, 0);
        }
        expect_error("persist: bad level", rf_df_persist(people, (rf_storage_level)7), "storage level");
    }
    /* errors are caught when the plan is built, with a suggestion */
    expect_error("unknown column", rf_df_select(people, 1, rf_col("salry")), "did you mean 'salary'");
    expect_error("type mismatch", rf_df_filter(people, rf_and(rf_col("id"), rf_lit_bool(true))), "boolean");
    expect_error("errors are sticky", rf_df_limit(rf_df_select(people, 1, rf_col("nope")), 1), "nope");
    expect_error("missing path", rf_read_csv(s, "/nonexistent/x.csv", "header=true"), "/nonexistent/x.csv");
    /* the variadic calls count what was written: a wrong count is an error, not a read past the end */
    expect_error("select count", rf_df_select(people, 3, rf_col("id"), rf_col("name")), "count does not match the 2 argument(s)");
    expect_error("in count", rf_df_filter(people, rf_in(rf_col("id"), 3, rf_lit_int(1), rf_lit_int(2))), "count does not match the 2 argument(s)");
    expect_error("case pairs", rf_df_select(people, 1, rf_case(rf_lit_int(0), 2, rf_lit_bool(true), rf_lit_int(1))), "count does not match");
    expect_error("order by count", rf_df_order_by(people, 2, rf_col("id")), "count does not match the 1 argument(s)");
    expect_error("bad option", rf_read_csv(s, pp, "header=true,colour=blue"), "colour");
    {   /* results larger than riffle.driver.maxResultSize fail cleanly */
        rf_conf_set(s, "riffle.driver.maxResultSize", "100");
        rf_result *r = NULL;
        cases++;
        int rc = rf_df_collect(people, &r);
        if (rc != RF_ERR_LIMIT || !strstr(rf_session_error(s), "maxResultSize")) {
            failures++;
            fprintf(stderr, "FAIL maxResultSize: rc %d: %s\n", rc, rf_session_error(s));
        }
        rf_result_destroy(&r);
        rf_conf_set(s, "riffle.driver.maxResultSize", "1g");
    }
    {   /* HDF5 through the C API: a partitioned write and its read-back (the partition column comes last) */
        char hp[700];
        snprintf(hp, sizeof hp, "%s/people-h5", dir);
        cases++;
        if (rf_df_write_hdf5(people, hp, "mode=overwrite,partitionBy=dept,rowGroupRows=3")) {
            failures++;
            fprintf(stderr, "FAIL hdf5 write: %s\n", rf_session_error(s));
        }
        rf_df *h = rf_read_hdf5(s, hp);
        check("hdf5 partitioned round trip", rf_df_select(h, 5, rf_col("id"), rf_col("name"), rf_col("dept"), rf_col("salary"), rf_col("born")),
              "SELECT id, name, dept, salary, born FROM people", 1);
        check("hdf5 partition filter", rf_df_filter(rf_df_select(h, 2, rf_col("id"), rf_col("dept")), rf_eq(rf_col("dept"), rf_lit_str("eng"))),
              "SELECT id, dept FROM people WHERE dept = 'eng'", 1);
        expect_error("hdf5 missing path", rf_read_hdf5(s, "/nonexistent/t.h5"), "/nonexistent/t.h5");
    }
    {   /* DISTINCT aggregates over two columns beside a plain one, and an exact decimal */
        rf_expr *k[1] = { rf_col("dept") };
        rf_expr *a[3] = { rf_count_distinct(rf_col("salary")), rf_count_distinct(rf_col("born")), rf_sum(rf_col("id")) };
        check("two distinct aggregates", rf_df_agg(people, 1, k, 3, a),
              "SELECT dept, COUNT(DISTINCT salary), COUNT(DISTINCT born), SUM(id) FROM people GROUP BY dept", 1);
        check("decimal", rf_df_select(rf_df_filter(people, rf_eq(rf_col("id"), rf_lit_int(3))), 1,
                                      rf_cast(rf_mul(rf_cast(rf_col("salary"), rf_type_decimal(10, 2)), rf_lit_decimal("1.10")), RF_TYPE_STRING)),
              "SELECT printf('%.4f', salary * 1.10) FROM people WHERE id = 3", 0);
    }
    {   /* streams: what a streaming query may not do is an error when it starts, not a crash */
        char land[600], opts[800], sink[700];
        snprintf(land, sizeof land, "%s/land", dir);
        snprintf(cmd, sizeof cmd, "mkdir -p %s", land);
        if (system(cmd) != 0) failures++;
        snprintf(opts, sizeof opts, "path=%s,header=true,schema=id INT; name STRING", land);
        snprintf(sink, sizeof sink, "checkpointLocation=%s/ckpt", dir);
        rf_df *st = rf_read_stream(s, "csv", opts);
        rf_result *r = NULL;
        cases++;
        if (!rf_df_collect(st, &r) || !strstr(rf_session_error(s), "must be executed with rf_df_write_stream")) {
            failures++;
            fprintf(stderr, "FAIL a batch action on a stream: %s\n", rf_session_error(s));
        }
        rf_result_destroy(&r);
        rf_expr *k[1] = { rf_col("name") };
        rf_expr *a[1] = { rf_count(NULL) };
        const struct { const char *name; rf_df *df; const char *opts; const char *want; } bad[] = {
            { "stream aggregation in append mode", rf_df_agg(st, 1, k, 1, a), sink, "Append output mode not supported when there are streaming aggregations" },
            { "stream sort", rf_df_order_by(st, 1, rf_col("id")), sink, "Sorting is not supported on streaming" },
            { "stream limit", rf_df_limit(st, 3), sink, "Limits are not supported on streaming" },
            { "stream right join", rf_df_join(rf_df_with_column(st, "dept", rf_col("name")), depts, "dept", RF_JOIN_RIGHT), sink, "outer join between a stream and a static" },
            { "stream complete mode", st, "checkpointLocation=/tmp/x,outputMode=complete", "Complete output mode not supported" },
            { "stream without checkpoint", st, "trigger=once", "needs checkpointLocation" },
            { "stream bad trigger", st, "checkpointLocation=/tmp/x,trigger=sometimes", "trigger 'sometimes'" },
        };
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
            char out[700];
            snprintf(out, sizeof out, "%s/out%d", dir, (int)i);
            rf_stream *q = rf_df_write_stream(bad[i].df, out, bad[i].opts);
            const char *e = rf_stream_error(q);
            cases++;
            if (!e || !strstr(e, bad[i].want)) { failures++; fprintf(stderr, "FAIL %s: got '%s'\n", bad[i].name, e ? e : "(no error)"); }
            rf_stream_close(&q);
        }
        expect_error("stream without a schema", rf_read_stream(s, "csv", "path=/tmp,header=true"), "needs schema=");
        expect_error("stream of a missing directory", rf_read_stream(s, "text", "path=/nonexistent/landing"), "/nonexistent/landing");
        expect_error("watermark on a string column", rf_df_with_watermark(st, "name", "1 minute"), "Event time must be defined on a window or a timestamp");
        expect_error("watermark with a bad delay", rf_df_with_watermark(st, "name", "soon"), "is not a duration");
        expect_error("watermark on a missing column", rf_df_with_watermark(st, "nope", "1 minute"), "no column 'nope'");
        /* foreachBatch: two landed files in two batches; the callback counts each batch's rows with an
         * action of its own (a job of every rank) and sees the batch ids in order */
        FILE *f1 = NULL;
        char p1[700], fckpt[700];
        for (int i = 0; i < 2; i++) {
            snprintf(p1, sizeof p1, "%s/f%d.csv", land, i);
            if ((f1 = fopen(p1, "w"))) { fprintf(f1, "id,name\n"); for (int k = 0; k <= i * 3; k++) fprintf(f1, "%d,n%d\n", k, k); fclose(f1); }
            snprintf(cmd, sizeof cmd, "touch -d '2026-01-01 00:00:0%d' %s", i, p1);
            if (system(cmd) != 0) failures++;
        }
        snprintf(fckpt, sizeof fckpt, "checkpointLocation=%s/fckpt,trigger=availableNow", dir);
        struct fb got = { 0, 0, 0 };
        rf_stream *fq = rf_df_write_stream_foreach(rf_df_filter(st, rf_ge(rf_col("id"), rf_lit_int(1))), fb_count, &got, fckpt);
        /* maxFilesPerTrigger is the source's: the two files came in one batch unless split by it, so
         * both layouts are checked by the rows */
        int frc = fq && !rf_stream_error(fq) ? rf_stream_await(fq) : 1;
        cases++;
        if (frc || got.bad || got.rows != 3 || got.next_id < 1) {
            failures++;
            fprintf(stderr, "FAIL foreachBatch: rc %d, %lld rows (want 3), %lld batches, bad %d: %s\n", frc, (long long)got.rows, (long long)got.next_id, got.bad,
                    fq && rf_stream_error(fq) ? rf_stream_error(fq) : "");
        }
        rf_stream_close(&fq);
        /* dropDuplicates over a stream: a row is written the first time its (user, ts) is seen, NULL
         * users equal; with a 10-minute watermark a row older than the last batch's watermark is late.
         * Hand counts: without the watermark rows v = 1, 3, 5, 6, 9, 10; with it e@09:40 is late. */
        {
            char dl[700], p[800], o[800], c[800], ro[900];
            snprintf(dl, sizeof dl, "%s/dland", dir);
            snprintf(cmd, sizeof cmd, "mkdir -p %s", dl);
            if (system(cmd) != 0) failures++;
            const char *files[3] = { "a,2024-01-01 10:00:00,1\na,2024-01-01 10:00:00,2\nb,2024-01-01 10:01:00,3\n",
                                     "a,2024-01-01 10:00:00,4\nc,2024-01-01 10:30:00,5\n,2024-01-01 10:30:00,6\n",
                                     "b,2024-01-01 10:01:00,7\n,2024-01-01 10:30:00,8\nd,2024-01-01 10:40:00,9\ne,2024-01-01 09:40:00,10\n" };
            for (int i = 0; i < 3; i++) {
                snprintf(p, sizeof p, "%s/d%d.csv", dl, i);
                FILE *f = fopen(p, "w");
                if (f) { fprintf(f, "user,ts,v\n%s", files[i]); fclose(f); }
                snprintf(cmd, sizeof cmd, "touch -d '2026-01-01 00:00:0%d' %s", i, p);
                if (system(cmd) != 0) failures++;
            }
            for (int wm = 0; wm < 2; wm++) {
                snprintf(ro, sizeof ro, "path=%s,header=true,maxFilesPerTrigger=1,schema=user STRING; ts TIMESTAMP; v INT", dl);
                snprintf(o, sizeof o, "%s/dout%d", dir, wm);
                snprintf(c, sizeof c, "checkpointLocation=%s/dck%d,trigger=availableNow", dir, wm);
                rf_df *ds = rf_read_stream(s, "csv", ro);
                if (wm) ds = rf_df_with_watermark(ds, "ts", "10 minutes");
                const char *dc[2] = { "user", "ts" };
                rf_stream *dq = rf_df_write_stream(rf_df_drop_duplicates(ds, 2, dc), o, c);
                int drc = dq && !rf_stream_error(dq) ? rf_stream_await(dq) : 1;
                rf_stream_close(&dq);
                rf_df *back = rf_read_csv(s, o, "header=true,schema=user STRING; ts TIMESTAMP; v INT");
                rf_expr *ag[2] = { rf_count(NULL), rf_sum(rf_col("v")) };
                rf_result *dr = NULL;
                int64_t n = -1, sum = -1;
                if (!drc && !rf_df_collect(rf_df_agg(back, 0, NULL, 2, ag), &dr)) { n = rf_result_int(dr, 0, 0); sum = rf_result_int(dr, 0, 1); }
                rf_result_destroy(&dr);
                cases++;
                if (n != (wm ? 5 : 6) || sum != (wm ? 24 : 34)) {
                    failures++;
                    fprintf(stderr, "FAIL dropDuplicates stream%s: rc %d, %lld rows, sum %lld (want %d, %d): %s\n", wm ? " with a watermark" : "", drc,
                            (long long)n, (long long)sum, wm ? 5 : 6, wm ? 24 : 34, rf_session_error(s));
                }
            }
            /* the memory sink keeps every batch's rows on rank 0: v > 5 over the three files */
            snprintf(ro, sizeof ro, "path=%s,header=true,maxFilesPerTrigger=1,schema=user STRING; ts TIMESTAMP; v INT", dl);
            snprintf(c, sizeof c, "checkpointLocation=%s/mck,trigger=availableNow,format=memory", dir);
            rf_stream *mq = rf_df_write_stream(rf_df_filter(rf_read_stream(s, "csv", ro), rf_gt(rf_col("v"), rf_lit_int(5))), NULL, c);
            int mrc = mq && !rf_stream_error(mq) ? rf_stream_await(mq) : 1;
            const rf_result *mr = mq ? rf_stream_memory(mq) : NULL;
            int64_t msum = 0, mn = mr ? rf_result_rows(mr) : -1;
            for (int64_t i = 0; i < mn; i++) msum += rf_result_int(mr, i, 2);
            cases++;
            if (mrc || mn != 5 || msum != 40) { failures++; fprintf(stderr, "FAIL memory sink: rc %d, %lld rows, sum %lld (want 5, 40)\n", mrc, (long long)mn, (long long)msum); }
            rf_stream_close(&mq);
            /* the rate source: three runs of trigger once on one checkpoint, 0.3 s apart, give the values
             * 0, 1, 2, ... once each, contiguous across the runs, value v at the first start + v ms */
            {
                char rc_[800], rpath[800];
                snprintf(rc_, sizeof rc_, "checkpointLocation=%s/rck,trigger=once,format=memory", dir);
                int64_t expect = 0, bad = 0, base = -1;
                for (int run = 0; run < 3; run++) {
                    if (run) { struct timespec ts = { 0, 300000000 }; nanosleep(&ts, NULL); }
                    rf_stream *rq = rf_df_write_stream(rf_read_stream(s, "rate", "rowsPerSecond=1000,numPartitions=2"), NULL, rc_);
                    if (!rq || rf_stream_error(rq) || rf_stream_await(rq)) { bad++; rf_stream_close(&rq); break; }
                    if (base < 0) {
                        snprintf(rpath, sizeof rpath, "%s/rck/rate-start", dir);
                        FILE *bf = fopen(rpath, "r");
                        long long b = -1;
                        if (!bf || fscanf(bf, "%lld", &b) != 1) bad++;
                        if (bf) fclose(bf);
                        base = b;
                    }
                    const rf_result *rr = rf_stream_memory(rq);
                    int64_t n = rr ? rf_result_rows(rr) : 0, *seen = calloc((size_t)n + 1, sizeof *seen);
                    for (int64_t i = 0; i < n && seen; i++) {   /* any order: each value of this run once */
                        int64_t v = rf_result_int(rr, i, 1), t = rf_result_int(rr, i, 0);
                        if (v < expect || v >= expect + n || seen[v - expect]++ || t != base + v * 1000) bad++;
                    }
                    free(seen);
                    expect += n;
                    rf_stream_close(&rq);
                }
                cases++;
                if (bad || expect < 100) { failures++; fprintf(stderr, "FAIL rate source: %lld bad rows, %lld values in all\n", (long long)bad, (long long)expect); }
            }
            /* JSON lines: fields by the schema, a line that is not an object of it NULLs */
            {
                char jl[800], jp[900], jo[900];
                snprintf(jl, sizeof jl, "%s/jland", dir);
                snprintf(cmd, sizeof cmd, "mkdir -p %s", jl);
                if (system(cmd) != 0) failures++;
                snprintf(jp, sizeof jp, "%s/a.json", jl);
                FILE *jf = fopen(jp, "w");
                if (jf) { fprintf(jf, "{\"k\": \"x\", \"n\": 2}\n{\"n\": 5, \"k\": \"y\", \"extra\": [1]}\nnot json\n{\"k\": \"x\", \"n\": 10}\n"); fclose(jf); }
                snprintf(jo, sizeof jo, "path=%s,schema=k STRING; n INT", jl);
                rf_df *js = rf_read_stream(s, "json", jo);
                rf_expr *jk[1] = { rf_col("k") };
                rf_expr *ja[2] = { rf_as(rf_count(NULL), "c"), rf_as(rf_sum(rf_col("n")), "t") };
                snprintf(jo, sizeof jo, "checkpointLocation=%s/jck,trigger=once,format=memory,outputMode=complete", dir);
                rf_stream *jq = rf_df_write_stream(rf_df_agg(js, 1, jk, 2, ja), NULL, jo);
                int jrc = jq && !rf_stream_error(jq) ? rf_stream_await(jq) : 1;
                const rf_result *jr = jq ? rf_stream_memory(jq) : NULL;
                int64_t jn = jr ? rf_result_rows(jr) : -1, got_x = -1, got_y = -1, got_null = -1;
                for (int64_t i = 0; i < jn; i++) {
                    int64_t cnt = rf_result_int(jr, i, 1), tot = rf_result_is_null(jr, i, 2) ? -1 : rf_result_int(jr, i, 2);
                    size_t l = 0;
                    const char *k = rf_result_is_null(jr, i, 0) ? NULL : rf_result_str(jr, i, 0, &l);
                    if (!k) got_null = cnt * 1000 + tot;
                    else if (l == 1 && *k == 'x') got_x = cnt * 1000 + tot;
                    else if (l == 1 && *k == 'y') got_y = cnt * 1000 + tot;
                }
                cases++;
                if (jrc || jn != 3 || got_x != 2012 || got_y != 1005 || got_null != 1000 - 1) {
                    failures++;
                    fprintf(stderr, "FAIL json stream: rc %d (%s), %lld groups, x %lld y %lld null %lld\n", jrc, jq && rf_stream_error(jq) ? rf_stream_error(jq) : "",
                            (long long)jn, (long long)got_x, (long long)got_y, (long long)got_null);
                }
                rf_stream_close(&jq);
                expect_error("json stream without a schema", rf_read_stream(s, "json", "path=/tmp"), "needs schema=");
            }
            /* the socket source: lines from a server, split into words, counted by a callback that
             * stops the query when the five words came (the last line came in two pieces) */
            {
                struct srv v = { socket(AF_INET, SOCK_STREAM, 0), 0 };
                struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
                socklen_t al = sizeof a;
                pthread_t th;
                bool up = v.fd >= 0 && bind(v.fd, (struct sockaddr *)&a, sizeof a) == 0 && listen(v.fd, 1) == 0 &&
                          getsockname(v.fd, (struct sockaddr *)&a, &al) == 0 && pthread_create(&th, NULL, serve, &v) == 0;
                cases++;
                if (!up) { failures++; fprintf(stderr, "FAIL socket source: no test server\n"); }
                else {
                    char so[200], sc[800];
                    snprintf(so, sizeof so, "host=127.0.0.1,port=%d", ntohs(a.sin_port));
                    snprintf(sc, sizeof sc, "checkpointLocation=%s/sck,trigger=default", dir);
                    rf_df *sl = rf_read_stream(s, "socket", so);
                    rf_df *sw = rf_df_select(sl, 1, rf_as(rf_explode(rf_split(rf_col("value"), " ")), "w"));
                    sock_q = rf_df_write_stream_foreach(sw, sock_batch, NULL, sc);
                    int src_ = sock_q && !rf_stream_error(sock_q) ? rf_stream_await(sock_q) : 1;
                    if (src_ || sock_rows != 5) {
                        failures++;
                        fprintf(stderr, "FAIL socket source: rc %d, %lld words (want 5): %s\n", src_, (long long)sock_rows, sock_q && rf_stream_error(sock_q) ? rf_stream_error(sock_q) : "");
                    }
                    rf_stream_close(&sock_q);
                    pthread_join(th, NULL);
                }
                if (v.fd >= 0) close(v.fd);
                expect_error("socket stream without a port", rf_read_stream(s, "socket", "host=localhost"), "needs port=");
            }
            /* and on a batch DataFrame: the same keys, one row each */
            rf_df *bd = rf_read_csv(s, dl, "header=true,schema=user STRING; ts TIMESTAMP; v INT");
            const char *dc1[1] = { "user" };
            int64_t bn = -1;
            cases++;
            if (rf_df_count(rf_df_drop_duplicates(bd, 1, dc1), &bn) || bn != 6) { failures++; fprintf(stderr, "FAIL dropDuplicates(user) on a batch: %lld rows, want 6 (a, b, c, d, e, NULL)\n", (long long)bn); }
        }
        /* the console sink: each batch shown on rank 0's stdout (the text is not checked here) */
        snprintf(fckpt, sizeof fckpt, "checkpointLocation=%s/cckpt,trigger=availableNow,format=console", dir);
        fq = rf_df_write_stream(rf_df_select(st, 1, rf_col("name")), NULL, fckpt);
        cases++;
        if (!fq || rf_stream_error(fq) || rf_stream_await(fq) != RF_OK) { failures++; fprintf(stderr, "FAIL console sink: %s\n", fq ? rf_stream_error(fq) : "NULL"); }
        rf_stream_close(&fq);
        fq = rf_df_write_stream_foreach(st, fb_fail, NULL, "checkpointLocation=/tmp/riffle-test-api-fail-ckpt,trigger=once");
        cases++;
        if (!fq || rf_stream_await(fq) == RF_OK || !strstr(rf_stream_error(fq), "foreachBatch: the callback failed on batch 0")) {
            failures++;
            fprintf(stderr, "FAIL foreachBatch failing: %s\n", fq && rf_stream_error(fq) ? rf_stream_error(fq) : "(no error)");
        }
        rf_stream_close(&fq);
        if (system("rm -rf /tmp/riffle-test-api-fail-ckpt") != 0) failures++;
    }
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) failures++;
    printf("test_api at %d rank(s): %d passed, %d failed\n", rf_session_nranks(s), cases - failures, failures);
    return rf_session_close(&s, failures ? 1 : 0);
}
