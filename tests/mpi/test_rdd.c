/*
 * test_rdd.c — the RDD API, user functions and SQL from C, end to end at 1-4 ranks
 * (tests/integration/rdd.sh runs it at each rank count and compares the DIGEST lines, which must
 * not depend on the rank count).
 *
 * Every expected result is computed here by plain loops over the same input (a hand count), never
 * by riffle. Small shuffle partitions make every shuffle run several tasks, parallelize makes
 * empty partitions, one key holds all records in the skew cases, and a forced spill threshold
 * (riffle.spill.forceThreshold, set by rdd.sh for one run) makes groupByKey and sortByKey spill.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <unistd.h>
#include "riffle/riffle.h"

static int failures, cases;
static uint64_t digest = 1469598103934665603ULL;

/* ---------------------------------------------------------------- user functions */
static int f_double(rf_ctx *c, const rf_rec *r) { return rf_emit(c, rf_int(2 * rf_val_int(r->value))); }
static int f_repeat(rf_ctx *c, const rf_rec *r)   /* v emitted v % 3 times */
{
    for (int64_t i = 0; i < rf_val_int(r->value) % 3; i++) { int rc = rf_emit(c, r->value); if (rc) return rc; }
    return 0;
}
static int f_even(rf_ctx *c, const rf_rec *r, bool *keep) { (void)c; *keep = rf_val_int(r->value) % 2 == 0; return 0; }
static int f_part_count(rf_ctx *c)   /* one record per partition: (partition, records) */
{
    rf_rec r;
    int64_t n = 0;
    while (rf_next(c, &r)) n++;
    return rf_emit_pair(c, rf_int(rf_ctx_partition(c)), rf_int(n));
}
static int f_part_sum(rf_ctx *c)   /* per partition: every record, then a record holding the sum */
{
    rf_rec r;
    int64_t sum = 0;
    while (rf_next(c, &r)) {
        sum += rf_val_int(r.value);
        int rc = rf_emit(c, r.value);
        if (rc) return rc;
    }
    return rf_emit_pair(c, rf_str("sum"), rf_int(sum));
}
static int f_plus1(rf_ctx *c, rf_val v, rf_val *out) { (void)c; *out = rf_int(rf_val_int(v) + 1); return 0; }
static int f_mod7(rf_ctx *c, rf_val v, rf_val *out) { (void)c; *out = rf_int(rf_val_int(v) % 7); return 0; }
static int f_neg(rf_ctx *c, rf_val v, rf_val *out) { (void)c; *out = rf_int(-rf_val_int(v)); return 0; }
static int f_pair_mod37(rf_ctx *c, const rf_rec *r) { return rf_emit_pair(c, rf_int(rf_val_int(r->value) % 37), r->value); }
static int f_pair_same(rf_ctx *c, const rf_rec *r) { return rf_emit_pair(c, rf_str("same"), r->value); }
static int f_add(rf_ctx *c, rf_val a, rf_val b, rf_val *out) { (void)c; *out = rf_int(rf_val_int(a) + rf_val_int(b)); return 0; }
static int f_max(rf_ctx *c, rf_val a, rf_val b, rf_val *out) { (void)c; *out = rf_val_int(a) >= rf_val_int(b) ? a : b; return 0; }
/* (sum, count) accumulators */
static int f_seq(rf_ctx *c, rf_val acc, rf_val v, rf_val *out)
{
    (void)c;
    *out = rf_tuple(2, rf_int(rf_val_int(rf_val_at(acc, 0)) + rf_val_int(v)), rf_int(rf_val_int(rf_val_at(acc, 1)) + 1));
    return 0;
}
static int f_comb(rf_ctx *c, rf_val a, rf_val b, rf_val *out)
{
    (void)c;
    *out = rf_tuple(2, rf_int(rf_val_int(rf_val_at(a, 0)) + rf_val_int(rf_val_at(b, 0))), rf_int(rf_val_int(rf_val_at(a, 1)) + rf_val_int(rf_val_at(b, 1))));
    return 0;
}
static int f_create(rf_ctx *c, rf_val v, rf_val *out) { (void)c; *out = rf_tuple(2, v, rf_int(1)); return 0; }
static int f_fv_split(rf_ctx *c, const rf_rec *r)   /* flatMapValues: v -> v, v + 1000 */
{
    int rc = rf_emit(c, r->value);
    return rc ? rc : rf_emit(c, rf_int(rf_val_int(r->value) + 1000));
}
static int f_by4(rf_ctx *c, rf_val key, int64_t n, int64_t *part) { (void)c; *part = (rf_val_int(key) % n + n) % n; return 0; }
static int f_where(rf_ctx *c)   /* (partition, key) of every record */
{
    rf_rec r;
    while (rf_next(c, &r)) { int rc = rf_emit_pair(c, rf_int(rf_ctx_partition(c)), r.key); if (rc) return rc; }
    return 0;
}
static int f_fails(rf_ctx *c, const rf_rec *r)
{
    if (rf_val_int(r->value) % 100 == 17) return rf_fail(c, "record %lld is cursed", (long long)rf_val_int(r->value));
    return rf_emit(c, r->value);
}
static int f_two(rf_ctx *c, const rf_rec *r) { int rc = rf_emit(c, r->value); return rc ? rc : rf_emit(c, r->value); }
static atomic_long seen;
static int f_touch(rf_ctx *c, const rf_rec *r) { (void)c; (void)r; atomic_fetch_add(&seen, 1); return 0; }
static int f_touch_part(rf_ctx *c) { rf_rec r; while (rf_next(c, &r)) atomic_fetch_add(&seen, 1); return 0; }
static int f_words(rf_ctx *c, const rf_rec *r)
{
    size_t n;
    const char *s = rf_val_str(r->value, &n);
    for (size_t i = 0; i < n;) {
        while (i < n && s[i] == ' ') i++;
        size_t j = i;
        while (j < n && s[j] != ' ') j++;
        if (j > i) { int rc = rf_emit_pair(c, rf_strn(s + i, j - i), rf_int(1)); if (rc) return rc; }
        i = j;
    }
    return 0;
}
/* scalar UDF times10(bigint) and aggregate UDF sumsq(bigint) */
static int u_times10(rf_ctx *c, int nargs, const rf_vec *a, rf_vec_out *out)
{
    (void)c; (void)nargs;
    for (int64_t i = 0; i < a[0].n; i++)
        if (!rf_vec_is_null(&a[0], i)) { int rc = rf_out_int(out, i, 10 * rf_vec_int(&a[0], i)); if (rc) return rc; }
    return 0;
}
static int sq_update(rf_ctx *c, void *const *st, int nargs, const rf_vec *a)
{
    (void)c; (void)nargs;
    for (int64_t i = 0; i < a[0].n; i++) if (!rf_vec_is_null(&a[0], i)) *(int64_t *)st[i] += rf_vec_int(&a[0], i) * rf_vec_int(&a[0], i);
    return 0;
}
static int u_fails(rf_ctx *c, int nargs, const rf_vec *a, rf_vec_out *out)
{
    (void)nargs; (void)out;
    for (int64_t i = 0; i < a[0].n; i++) if (rf_vec_int(&a[0], i) == 42) return rf_fail(c, "42 is not allowed");
    return 0;
}
static int sq_merge(rf_ctx *c, void *s, const void *o) { (void)c; *(int64_t *)s += *(const int64_t *)o; return 0; }
static int sq_final(rf_ctx *c, const void *s, rf_vec_out *out, int64_t row) { (void)c; return rf_out_int(out, row, *(const int64_t *)s); }

/* ---------------------------------------------------------------- checking */
static char *fmt_rec(rf_rec r)
{
    size_t nk = r.key.n ? rf_val_format(r.key, NULL, 0) : 0, nv = rf_val_format(r.value, NULL, 0);
    char *s = malloc(nk + nv + 3);
    if (!s) abort();
    s[0] = '\0';
    if (r.key.n) { rf_val_format(r.key, s, nk + 1); strcat(s, "|"); }
    rf_val_format(r.value, s + strlen(s), nv + 1);
    return s;
}
static int cmpstr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

typedef struct { char **v; int64_t n, cap; } strs;
static void add(strs *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(strs *w, const char *fmt, ...)
{
    if (w->n == w->cap) { w->cap = w->cap ? 2 * w->cap : 64; w->v = realloc(w->v, (size_t)w->cap * sizeof *w->v); }
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&w->v[w->n++], fmt, ap) < 0) abort();
    va_end(ap);
}
static void strs_free(strs *w) { for (int64_t i = 0; i < w->n; i++) free(w->v[i]); free(w->v); *w = (strs){ 0 }; }

static void mix(const char *s) { for (; *s; s++) digest = (digest ^ (unsigned char)*s) * 1099511628211ULL; digest = (digest ^ 0xff) * 1099511628211ULL; }

/* Compares the RDD's records (collected) with `want`; ordered: as collected, else as sets. */
static void check(const char *name, rf_rdd *r, strs *want, bool ordered)
{
    rf_records *got = NULL;
    cases++;
    if (rf_rdd_collect(r, &got)) {
        failures++;
        fprintf(stderr, "FAIL %s: %s\n", name, rf_rdd_error(r) ? rf_rdd_error(r) : "collect failed");
        strs_free(want);
        return;
    }
    int64_t n = rf_records_count(got);
    char **g = calloc((size_t)(n ? n : 1), sizeof *g);
    for (int64_t i = 0; i < n; i++) g[i] = fmt_rec(rf_records_get(got, i));
    if (!ordered) {
        qsort(g, (size_t)n, sizeof *g, cmpstr);
        qsort(want->v, (size_t)want->n, sizeof *want->v, cmpstr);
    }
    for (int64_t i = 0; i < n; i++) mix(g[i]);
    bool ok = n == want->n;
    int64_t bad = -1;
    for (int64_t i = 0; ok && i < n; i++) if (strcmp(g[i], want->v[i])) { ok = false; bad = i; }
    if (!ok) {
        failures++;
        fprintf(stderr, "FAIL %s: %lld records, want %lld", name, (long long)n, (long long)want->n);
        if (bad >= 0) fprintf(stderr, "; record %lld is '%s', want '%s'", (long long)bad, g[bad], want->v[bad]);
        else if (n && want->n) fprintf(stderr, "; first '%s', want '%s'", g[0], want->v[0]);
        fprintf(stderr, "\n");
    }
    for (int64_t i = 0; i < n; i++) free(g[i]);
    free(g);
    rf_records_destroy(&got);
    strs_free(want);
}

static void expect_fail(const char *name, int rc, const char *msg, const char *want)
{
    cases++;
    if (rc == 0 || !msg || !strstr(msg, want)) {
        failures++;
        fprintf(stderr, "FAIL %s: rc %d, message '%s', want one containing '%s'\n", name, rc, msg ? msg : "(none)", want);
    }
}

/* The value of a one-record result, formatted. */
static char *one_value(rf_records *r) { return rf_records_count(r) == 1 ? fmt_rec((rf_rec){ { NULL, 0 }, rf_records_get(r, 0).value }) : strdup("(not one record)"); }

#define N 3000
static int64_t xs[N];

int c64(const void *a, const void *b);

/* `test_rdd big`: groupByKey and sortByKey over 400,000 records, checked by hand; rdd.sh runs it
 * with a 1 MB budget and checks in the event log that both spilled. */
static int big(rf_session *s)
{
    enum { M = 400000, K = 1000 };
    rf_rec *r = calloc(M, sizeof *r);
    int64_t *v = malloc(M * sizeof *v), *sum = calloc(K, sizeof *sum), *cnt = calloc(K, sizeof *cnt);
    for (int64_t i = 0; i < M; i++) {
        v[i] = (i * 2654435761LL) % 1000003;
        r[i] = (rf_rec){ rf_val_copy(rf_int(v[i] % K)), rf_val_copy(rf_int(v[i])) };
        sum[v[i] % K] += v[i];
        cnt[v[i] % K]++;
    }
    rf_rdd *base = rf_parallelize(s, M, r, 8);
    rf_records *g = NULL;
    int bad = 0;
    if (rf_rdd_collect(rf_rdd_group_by_key(base, 0), &g) || rf_records_count(g) != K) bad++;
    for (int64_t i = 0; !bad && i < K; i++) {
        rf_rec x = rf_records_get(g, i);
        int64_t k = rf_val_int(x.key), s2 = 0, n2 = 0;
        size_t pos = 0;
        rf_val e;
        while (rf_val_next(x.value, &pos, &e)) { s2 += rf_val_int(e); n2++; }
        if (k < 0 || k >= K || s2 != sum[k] || n2 != cnt[k]) bad++;
    }
    if (bad) fprintf(stderr, "FAIL big groupByKey: %s\n", rf_session_error(s));
    rf_records_destroy(&g);
    qsort(v, M, sizeof *v, c64);
    rf_records *srt = NULL;
    int sbad = 0;
    if (rf_rdd_collect(rf_rdd_sort_by_key(rf_rdd_map_values(rf_rdd_key_by(rf_rdd_values(base), "plus1"), "neg"), true, 0), &srt) ||
        rf_records_count(srt) != M) sbad++;
    for (int64_t i = 0; !sbad && i < M; i++) {
        rf_rec x = rf_records_get(srt, i);
        if (rf_val_int(x.key) != v[i] + 1 || rf_val_int(x.value) != -v[i]) sbad++;
    }
    if (sbad) fprintf(stderr, "FAIL big sortByKey: %s\n", rf_session_error(s));
    rf_records_destroy(&srt);
    printf("test_rdd big: %s\n", bad || sbad ? "FAILED" : "ok");
    free(r); free(v); free(sum); free(cnt);
    return bad || sbad;
}

int main(int argc, char **argv)
{
    rf_register_map("double", f_double);
    rf_register_map("repeat", f_repeat);
    rf_register_filter("even", f_even);
    rf_register_partitions("part_count", f_part_count);
    rf_register_partitions("part_sum", f_part_sum);
    rf_register_value_fn("plus1", f_plus1);
    rf_register_value_fn("mod7", f_mod7);
    rf_register_value_fn("neg", f_neg);
    rf_register_value_fn("create", f_create);
    rf_register_map("pair_mod37", f_pair_mod37);
    rf_register_map("pair_same", f_pair_same);
    rf_register_reduce("add", f_add);
    rf_register_reduce("max", f_max);
    rf_register_reduce("seq", f_seq);
    rf_register_reduce("comb", f_comb);
    rf_register_map("fv_split", f_fv_split);
    rf_register_partitioner("by4", f_by4);
    rf_register_partitions("where", f_where);
    rf_register_map("fails", f_fails);
    rf_register_map("two", f_two);
    rf_register_map("touch", f_touch);
    rf_register_partitions("touch_part", f_touch_part);
    rf_register_map("words", f_words);
    rf_type bi = RF_TYPE_INT64;
    rf_register_udf("times10", RF_TYPE_INT64, 1, &bi, u_times10);
    rf_udaf sq = { .result = RF_TYPE_INT64, .nargs = 1, .arg_types = { RF_TYPE_INT64 }, .state_size = 8,
                   .update = sq_update, .merge = sq_merge, .finalize = sq_final };
    rf_register_udaf("sumsq", &sq);
    rf_register_udf("no42", RF_TYPE_INT64, 1, &bi, u_fails);

    rf_session *s = NULL;
    if (rf_session_open(&argc, &argv, &s)) return 2;
    if (argc > 1 && !strcmp(argv[1], "big")) return rf_session_close(&s, big(s));
    rf_conf_set(s, "riffle.shuffle.partitions", "5");
    int np = rf_session_nranks(s);
    rf_register_map("late", f_double);   /* after the session opened: rank 0 only */
    rf_register_udf("late_udf", RF_TYPE_INT64, 1, (rf_type[]){ RF_TYPE_INT64 }, u_times10);

    /* input: xs[i] = (i * 7919) % 5003 - 100, distinct values, some negative */
    rf_rec *recs = calloc(N, sizeof *recs);
    for (int i = 0; i < N; i++) { xs[i] = (int64_t)(i * 7919) % 5003 - 100; recs[i].value = rf_val_copy(rf_int(xs[i])); }
    rf_rdd *base = rf_parallelize(s, N, recs, 6);
    strs w = { 0 };

    /* ---- creation, narrow transformations, order-keeping actions */
    for (int i = 0; i < N; i++) add(&w, "%lld", (long long)xs[i]);
    check("parallelize + collect (in order)", base, &w, true);
    int64_t cnt = -1;
    cases++;
    if (rf_rdd_count(base, &cnt) || cnt != N) { failures++; fprintf(stderr, "FAIL count: %lld\n", (long long)cnt); }
    rf_records *t = NULL;
    cases++;
    if (rf_rdd_take(base, 3, &t) || rf_records_count(t) != 3 || rf_val_int(rf_records_get(t, 2).value) != xs[2]) { failures++; fprintf(stderr, "FAIL take(3)\n"); }
    rf_records_destroy(&t);
    cases++;
    if (rf_rdd_first(base, &t) || rf_val_int(rf_records_get(t, 0).value) != xs[0]) { failures++; fprintf(stderr, "FAIL first\n"); }
    rf_records_destroy(&t);
    rf_rdd *tiny = rf_parallelize(s, 3, recs, 8);   /* five empty partitions */
    for (int i = 0; i < 3; i++) add(&w, "%lld", (long long)xs[i]);
    check("parallelize 3 records into 8 slices", tiny, &w, true);
    rf_rdd *empty = rf_parallelize(s, 0, NULL, 4);
    check("empty RDD", empty, &w, true);
    expect_fail("first of an empty RDD", rf_rdd_first(empty, &t), rf_session_error(s), "empty");
    for (int i = 0; i < N; i++) add(&w, "%lld", (long long)(2 * xs[i]));
    check("map", rf_rdd_map(base, "double"), &w, true);
    for (int i = 0; i < N; i++) for (int64_t k = 0; k < xs[i] % 3; k++) add(&w, "%lld", (long long)xs[i]);
    check("flatMap", rf_rdd_flat_map(base, "repeat"), &w, true);
    for (int i = 0; i < N; i++) if (xs[i] % 2 == 0) add(&w, "%lld", (long long)xs[i]);
    check("filter", rf_rdd_filter(base, "even"), &w, true);
    for (int p = 0; p < 8; p++) { int64_t lo = (int64_t)3 * p / 8, hi = (int64_t)3 * (p + 1) / 8; add(&w, "%d|%lld", p, (long long)(hi - lo)); }
    check("mapPartitions (a record count per partition, empty ones too)", rf_rdd_map_partitions(tiny, "part_count"), &w, true);
    for (int p = 0; p < 6; p++) {
        int64_t lo = (int64_t)N * p / 6, hi = (int64_t)N * (p + 1) / 6, sum = 0;
        for (int64_t i = lo; i < hi; i++) { add(&w, "%lld", (long long)xs[i]); sum += xs[i]; }
        add(&w, "sum|%lld", (long long)sum);
    }
    check("mapPartitions (state across a partition)", rf_rdd_map_partitions(base, "part_sum"), &w, true);
    rf_rdd *pairs = rf_rdd_map(base, "pair_mod37");
    for (int i = 0; i < N; i++) add(&w, "%lld|%lld", (long long)(xs[i] % 37), (long long)(xs[i] + 1));
    check("mapValues", rf_rdd_map_values(pairs, "plus1"), &w, true);
    for (int i = 0; i < N; i++) { add(&w, "%lld|%lld", (long long)(xs[i] % 37), (long long)xs[i]); add(&w, "%lld|%lld", (long long)(xs[i] % 37), (long long)(xs[i] + 1000)); }
    check("flatMapValues", rf_rdd_flat_map_values(pairs, "fv_split"), &w, true);
    for (int i = 0; i < N; i++) add(&w, "%lld|%lld", (long long)(xs[i] % 7), (long long)xs[i]);
    check("keyBy", rf_rdd_key_by(base, "mod7"), &w, true);
    for (int i = 0; i < N; i++) add(&w, "%lld", (long long)(xs[i] % 37));
    check("keys", rf_rdd_keys(pairs), &w, true);
    for (int i = 0; i < N; i++) add(&w, "%lld", (long long)xs[i]);
    check("values", rf_rdd_values(pairs), &w, true);

    /* ---- by key */
    int64_t sum37[74] = { 0 }, cnt37[74] = { 0 }, max37[74];
    for (int k = 0; k < 74; k++) max37[k] = INT64_MIN;
    for (int i = 0; i < N; i++) { int k = (int)(xs[i] % 37) + 37; sum37[k] += xs[i]; cnt37[k]++; if (xs[i] > max37[k]) max37[k] = xs[i]; }
    for (int k = 0; k < 74; k++) if (cnt37[k]) add(&w, "%d|%lld", k - 37, (long long)sum37[k]);
    check("reduceByKey", rf_rdd_reduce_by_key(pairs, "add", 0), &w, false);
    for (int k = 0; k < 74; k++) if (cnt37[k]) add(&w, "%d|%lld", k - 37, (long long)max37[k]);
    check("reduceByKey(max) into 3 partitions", rf_rdd_reduce_by_key(pairs, "max", 3), &w, false);
    for (int k = 0; k < 74; k++) if (cnt37[k]) add(&w, "%d|%lld", k - 37, (long long)sum37[k] + 0);
    check("foldByKey", rf_rdd_fold_by_key(pairs, rf_int(0), "add", 0), &w, false);
    for (int k = 0; k < 74; k++) if (cnt37[k]) add(&w, "%d|%lld,%lld", k - 37, (long long)sum37[k], (long long)cnt37[k]);
    check("aggregateByKey", rf_rdd_aggregate_by_key(pairs, rf_tuple(2, rf_int(0), rf_int(0)), "seq", "comb", 0), &w, false);
    for (int k = 0; k < 74; k++) if (cnt37[k]) add(&w, "%d|%lld,%lld", k - 37, (long long)sum37[k], (long long)cnt37[k]);
    check("combineByKey", rf_rdd_combine_by_key(pairs, "create", "seq", "comb", 0), &w, false);
    /* groupByKey: the lists sorted before comparing (their order is the input's within a partition) */
    {
        rf_records *g = NULL;
        cases++;
        rf_rdd *gk = rf_rdd_group_by_key(rf_rdd_map(base, "pair_same"), 0);   /* one key holds every record */
        if (rf_rdd_collect(gk, &g) || rf_records_count(g) != 1) { failures++; fprintf(stderr, "FAIL groupByKey (one key): %s\n", rf_rdd_error(gk) ? rf_rdd_error(gk) : rf_session_error(s)); }
        else {
            rf_val l = rf_records_get(g, 0).value;
            int64_t n = rf_val_count(l), *v = malloc(N * sizeof *v), *e = malloc(N * sizeof *e);
            size_t pos = 0;
            rf_val x;
            int64_t k = 0;
            while (k < N && rf_val_next(l, &pos, &x)) v[k++] = rf_val_int(x);
            memcpy(e, xs, sizeof xs);
            qsort(v, (size_t)k, 8, c64);
            qsort(e, N, 8, c64);
            if (n != N || k != N || memcmp(v, e, sizeof xs) || rf_val_kind(l) != RF_V_LIST) { failures++; fprintf(stderr, "FAIL groupByKey (one key): %lld values\n", (long long)n); }
            free(v);
            free(e);
        }
        rf_records_destroy(&g);
    }
    {
        rf_records *g = NULL;
        cases++;
        rf_rdd *gk = rf_rdd_group_by_key(pairs, 0);
        int64_t got_keys = 0, got_vals = 0, bad = 0;
        if (rf_rdd_collect(gk, &g)) { failures++; fprintf(stderr, "FAIL groupByKey: %s\n", rf_rdd_error(gk)); }
        else {
            for (int64_t i = 0; i < rf_records_count(g); i++) {
                rf_rec r = rf_records_get(g, i);
                int k = (int)rf_val_int(r.key) + 37;
                got_keys++;
                int64_t s2 = 0, n2 = 0;
                size_t pos = 0;
                rf_val x;
                while (rf_val_next(r.value, &pos, &x)) { s2 += rf_val_int(x); n2++; }
                got_vals += n2;
                if (k < 0 || k >= 74 || s2 != sum37[k] || n2 != cnt37[k]) bad++;
            }
            int64_t want_keys = 0;
            for (int k = 0; k < 74; k++) want_keys += cnt37[k] > 0;
            if (bad || got_keys != want_keys || got_vals != N) { failures++; fprintf(stderr, "FAIL groupByKey: %lld keys, %lld values, %lld wrong\n", (long long)got_keys, (long long)got_vals, (long long)bad); }
        }
        rf_records_destroy(&g);
    }
    {   /* sortByKey both ways, sortBy */
        int64_t *sorted = malloc(sizeof xs);
        memcpy(sorted, xs, sizeof xs);
        qsort(sorted, N, 8, c64);
        rf_rdd *kv = rf_rdd_key_by(base, "plus1");
        for (int i = 0; i < N; i++) add(&w, "%lld|%lld", (long long)(sorted[i] + 1), (long long)sorted[i]);
        check("sortByKey ascending", rf_rdd_sort_by_key(kv, true, 0), &w, true);
        for (int i = N - 1; i >= 0; i--) add(&w, "%lld|%lld", (long long)(sorted[i] + 1), (long long)sorted[i]);
        check("sortByKey descending", rf_rdd_sort_by_key(kv, false, 0), &w, true);
        for (int i = N - 1; i >= 0; i--) add(&w, "%lld", (long long)sorted[i]);
        check("sortBy(neg)", rf_rdd_sort_by(base, "neg", true, 0), &w, true);
        free(sorted);
    }
    /* ---- joins: a = (i % 10, i) for i < 40, b = (i % 15, 100 + i) for i < 30 (keys 10-14 only in b) */
    {
        rf_rec ra[40], rb[30];
        for (int i = 0; i < 40; i++) ra[i] = (rf_rec){ rf_val_copy(rf_int(i % 10)), rf_val_copy(rf_int(i)) };
        for (int i = 0; i < 30; i++) rb[i] = (rf_rec){ rf_val_copy(rf_int(i % 15 < 12 ? i % 15 + 3 : i % 15 + 10)), rf_val_copy(rf_int(100 + i)) };
        rf_rdd *a = rf_parallelize(s, 40, ra, 3), *b = rf_parallelize(s, 30, rb, 4);
        bool am[40] = { 0 }, bm[30] = { 0 };
        for (int i = 0; i < 40; i++) for (int j = 0; j < 30; j++)
            if (rf_val_int(ra[i].key) == rf_val_int(rb[j].key)) { add(&w, "%d|%d,%d", i % 10, i, 100 + j); am[i] = bm[j] = true; }
        int64_t inner = w.n;
        check("join", rf_rdd_join(a, b, 0), &w, false);
        for (int i = 0; i < 40; i++) for (int j = 0; j < 30; j++) if (rf_val_int(ra[i].key) == rf_val_int(rb[j].key)) add(&w, "%d|%d,%d", i % 10, i, 100 + j);
        for (int i = 0; i < 40; i++) if (!am[i]) add(&w, "%d|%d,", i % 10, i);
        check("leftOuterJoin", rf_rdd_left_outer_join(a, b, 0), &w, false);
        for (int i = 0; i < 40; i++) for (int j = 0; j < 30; j++) if (rf_val_int(ra[i].key) == rf_val_int(rb[j].key)) add(&w, "%d|%d,%d", i % 10, i, 100 + j);
        for (int j = 0; j < 30; j++) if (!bm[j]) add(&w, "%lld|,%d", (long long)rf_val_int(rb[j].key), 100 + j);
        check("rightOuterJoin", rf_rdd_right_outer_join(a, b, 0), &w, false);
        for (int i = 0; i < 40; i++) for (int j = 0; j < 30; j++) if (rf_val_int(ra[i].key) == rf_val_int(rb[j].key)) add(&w, "%d|%d,%d", i % 10, i, 100 + j);
        for (int i = 0; i < 40; i++) if (!am[i]) add(&w, "%d|%d,", i % 10, i);
        for (int j = 0; j < 30; j++) if (!bm[j]) add(&w, "%lld|,%d", (long long)rf_val_int(rb[j].key), 100 + j);
        check("fullOuterJoin", rf_rdd_full_outer_join(a, b, 0), &w, false);
        cases++;
        if (inner < 10) { failures++; fprintf(stderr, "FAIL join: the test data has only %lld matches\n", (long long)inner); }
        /* cogroup: per key the counts of both sides (the lists' order is not defined) */
        rf_records *g = NULL;
        cases++;
        rf_rdd *cg = rf_rdd_cogroup(a, b, 0);
        if (rf_rdd_collect(cg, &g)) { failures++; fprintf(stderr, "FAIL cogroup: %s\n", rf_rdd_error(cg)); }
        else {
            int bad = 0, keys = 0, want_keys = 0;
            for (int64_t k = -50; k < 50; k++) {
                bool in = false;
                for (int x = 0; x < 40; x++) in = in || rf_val_int(ra[x].key) == k;
                for (int x = 0; x < 30; x++) in = in || rf_val_int(rb[x].key) == k;
                want_keys += in;
            }
            for (int64_t i = 0; i < rf_records_count(g); i++) {
                rf_rec r = rf_records_get(g, i);
                int64_t k = rf_val_int(r.key), ca = 0, cb = 0;
                for (int x = 0; x < 40; x++) ca += rf_val_int(ra[x].key) == k;
                for (int x = 0; x < 30; x++) cb += rf_val_int(rb[x].key) == k;
                if (rf_val_count(rf_val_at(r.value, 0)) != ca || rf_val_count(rf_val_at(r.value, 1)) != cb) bad++;
                keys++;
            }
            if (bad || keys != want_keys) { failures++; fprintf(stderr, "FAIL cogroup: %d keys (want %d), %d wrong\n", keys, want_keys, bad); }
        }
        rf_records_destroy(&g);
    }
    /* ---- union, distinct, sample, repartition, coalesce, partitionBy, zipWithIndex */
    for (int i = 0; i < N; i++) add(&w, "%lld", (long long)xs[i]);
    for (int i = 0; i < 3; i++) add(&w, "%lld", (long long)xs[i]);
    check("union", rf_rdd_union(base, tiny), &w, false);
    for (int i = 0; i < N; i++) add(&w, "%lld", (long long)xs[i]);
    check("distinct", rf_rdd_distinct(rf_rdd_union(base, tiny), 0), &w, false);
    {
        rf_records *sm = NULL;
        cases++;
        if (rf_rdd_collect(rf_rdd_sample(base, false, 0.25, 42), &sm)) { failures++; fprintf(stderr, "FAIL sample\n"); }
        else {
            int64_t n = rf_records_count(sm);   /* binomial(3000, 0.25): mean 750, sd 24 */
            if (n < 630 || n > 870) { failures++; fprintf(stderr, "FAIL sample(0.25): %lld records\n", (long long)n); }
            for (int64_t i = 0; i < n; i++) { char *f = fmt_rec(rf_records_get(sm, i)); mix(f); free(f); }
        }
        rf_records_destroy(&sm);
        cases++;
        if (rf_rdd_collect(rf_rdd_sample(base, true, 1.5, 7), &sm)) { failures++; fprintf(stderr, "FAIL sample with replacement\n"); }
        else {
            int64_t n = rf_records_count(sm);   /* Poisson(1.5) per record: mean 4500, sd 67 */
            if (n < 4100 || n > 4900) { failures++; fprintf(stderr, "FAIL sample(with replacement, 1.5): %lld records\n", (long long)n); }
            for (int64_t i = 0; i < n; i++) { char *f = fmt_rec(rf_records_get(sm, i)); mix(f); free(f); }
        }
        rf_records_destroy(&sm);
    }
    for (int p = 0; p < 3; p++) add(&w, "%d|*", p);
    {
        rf_records *pc = NULL;
        cases++;
        if (rf_rdd_collect(rf_rdd_map_partitions(rf_rdd_repartition(base, 3), "part_count"), &pc) || rf_records_count(pc) != 3) { failures++; fprintf(stderr, "FAIL repartition(3)\n"); }
        else { int64_t tot = 0; for (int i = 0; i < 3; i++) tot += rf_val_int(rf_records_get(pc, i).value); if (tot != N) { failures++; fprintf(stderr, "FAIL repartition(3): %lld records\n", (long long)tot); } }
        rf_records_destroy(&pc);
        cases++;
        if (rf_rdd_collect(rf_rdd_map_partitions(rf_rdd_coalesce(base, 2), "part_count"), &pc) || rf_records_count(pc) != 2 ||
            rf_val_int(rf_records_get(pc, 0).value) + rf_val_int(rf_records_get(pc, 1).value) != N) { failures++; fprintf(stderr, "FAIL coalesce(2)\n"); }
        rf_records_destroy(&pc);
        strs_free(&w);
    }
    {   /* numPartitions of the by-key operations, sorts and distinct: partitions counted by mapPartitions */
        struct { const char *what; rf_rdd *r; int64_t parts, recs; } np_cases[] = {
            { "reduceByKey(max, 3)", rf_rdd_reduce_by_key(pairs, "max", 3), 3, 37 * 2 - 1 },
            { "groupByKey(7)", rf_rdd_group_by_key(pairs, 7), 7, 37 * 2 - 1 },
            { "sortByKey(true, 4)", rf_rdd_sort_by_key(pairs, true, 4), 4, N },
            { "distinct(2)", rf_rdd_distinct(base, 2), 2, N },
        };
        for (size_t k = 0; k < sizeof np_cases / sizeof np_cases[0]; k++) {
            rf_records *pc = NULL;
            cases++;
            int64_t tot = 0, parts = 0;
            if (rf_rdd_collect(rf_rdd_map_partitions(np_cases[k].r, "part_count"), &pc)) { failures++; fprintf(stderr, "FAIL %s: %s\n", np_cases[k].what, rf_session_error(s)); continue; }
            parts = rf_records_count(pc);
            for (int64_t i = 0; i < parts; i++) tot += rf_val_int(rf_records_get(pc, i).value);
            int64_t want_recs = np_cases[k].recs;
            if (want_recs == 37 * 2 - 1) { want_recs = 0; for (int q = 0; q < 74; q++) want_recs += cnt37[q] > 0; }
            if (parts != np_cases[k].parts || tot != want_recs) { failures++; fprintf(stderr, "FAIL %s: %lld partitions, %lld records\n", np_cases[k].what, (long long)parts, (long long)tot); }
            rf_records_destroy(&pc);
        }
    }
    {   /* partitionBy(4, by4): key k in partition k % 4 */
        rf_records *pw = NULL;
        cases++;
        rf_rdd *pb = rf_rdd_map_partitions(rf_rdd_partition_by(rf_rdd_key_by(rf_parallelize(s, 100, recs, 3), "plus1"), 4, "by4"), "where");
        if (rf_rdd_collect(pb, &pw) || rf_records_count(pw) != 100) { failures++; fprintf(stderr, "FAIL partitionBy: %s\n", rf_rdd_error(pb) ? rf_rdd_error(pb) : rf_session_error(s)); }
        else {
            int bad = 0;
            for (int i = 0; i < 100; i++) { rf_rec r = rf_records_get(pw, i); if (rf_val_int(r.key) != ((rf_val_int(r.value) % 4) + 4) % 4) bad++; }
            if (bad) { failures++; fprintf(stderr, "FAIL partitionBy: %d records in the wrong partition\n", bad); }
        }
        rf_records_destroy(&pw);
    }
    for (int i = 0; i < N; i++) add(&w, "%lld|%d", (long long)xs[i], i);
    check("zipWithIndex", rf_rdd_zip_with_index(base), &w, true);

    /* ---- actions */
    int64_t total = 0, tmax = INT64_MIN;
    for (int i = 0; i < N; i++) { total += xs[i]; if (xs[i] > tmax) tmax = xs[i]; }
    char want[64];
    char *got;
    rf_records *one = NULL;
    cases++;
    snprintf(want, sizeof want, "%lld", (long long)total);
    if (rf_rdd_reduce(base, "add", &one) || strcmp((got = one_value(one)), want)) { failures++; fprintf(stderr, "FAIL reduce(add): %s\n", rf_session_error(s)); }
    else free(got);
    rf_records_destroy(&one);
    cases++;
    snprintf(want, sizeof want, "%lld", (long long)tmax);
    if (rf_rdd_reduce(base, "max", &one) || strcmp((got = one_value(one)), want)) { failures++; fprintf(stderr, "FAIL reduce(max)\n"); }
    else free(got);
    rf_records_destroy(&one);
    expect_fail("reduce of an empty RDD", rf_rdd_reduce(empty, "add", &one), rf_session_error(s), "empty");
    cases++;
    if (rf_rdd_fold(empty, rf_int(0), "add", &one) || strcmp((got = one_value(one)), "0")) { failures++; fprintf(stderr, "FAIL fold of an empty RDD: %s\n", rf_session_error(s)); }
    else free(got);
    rf_records_destroy(&one);
    cases++;
    snprintf(want, sizeof want, "%lld,%d", (long long)total, N);
    if (rf_rdd_aggregate(base, rf_tuple(2, rf_int(0), rf_int(0)), "seq", "comb", &one) || strcmp((got = one_value(one)), want)) { failures++; fprintf(stderr, "FAIL aggregate\n"); }
    else free(got);
    rf_records_destroy(&one);
    {
        rf_records *cb = NULL;
        cases++;
        if (rf_rdd_count_by_key(pairs, &cb)) { failures++; fprintf(stderr, "FAIL countByKey: %s\n", rf_session_error(s)); }
        else {
            int64_t i = 0;
            bool ok = true;
            for (int k = 0; k < 74; k++) if (cnt37[k]) {
                rf_rec r = rf_records_get(cb, i++);
                ok = ok && rf_val_int(r.key) == k - 37 && rf_val_int(r.value) == cnt37[k];
            }
            if (!ok || i != rf_records_count(cb)) { failures++; fprintf(stderr, "FAIL countByKey\n"); }
        }
        rf_records_destroy(&cb);
    }
    cases++;
    atomic_store(&seen, 0);
    if (rf_rdd_foreach(base, "touch") || (np == 1 && atomic_load(&seen) != N)) { failures++; fprintf(stderr, "FAIL foreach: %ld seen\n", (long)atomic_load(&seen)); }
    cases++;
    atomic_store(&seen, 0);
    if (rf_rdd_foreach_partition(base, "touch_part") || (np == 1 && atomic_load(&seen) != N)) { failures++; fprintf(stderr, "FAIL foreachPartition\n"); }
    /* saveAsTextFile, read back as text */
    char dir[256];
    snprintf(dir, sizeof dir, "/tmp/riffle-test-rdd-%d", (int)getpid());
    {
        rf_rdd *wc = rf_rdd_reduce_by_key(rf_rdd_flat_map(rf_parallelize(s, 3, (rf_rec[]){ { { 0 }, rf_str("a b a") }, { { 0 }, rf_str("c a") }, { { 0 }, rf_str("") } }, 2), "words"), "add", 0);
        cases++;
        if (rf_rdd_save_as_text_file(wc, dir, "overwrite")) { failures++; fprintf(stderr, "FAIL saveAsTextFile: %s\n", rf_session_error(s)); }
        add(&w, "a,3");
        add(&w, "b,1");
        add(&w, "c,1");
        check("saveAsTextFile read back", rf_text_file(s, dir), &w, false);
        expect_fail("saveAsTextFile onto an existing directory", rf_rdd_save_as_text_file(wc, dir, NULL), rf_session_error(s), "exists");
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        if (system(cmd)) failures++;
    }
    /* persist, unpersist, lineage */
    {
        rf_rdd *c = rf_rdd_cache(rf_rdd_map(base, "double"));
        for (int i = 0; i < N; i++) add(&w, "%lld", (long long)(2 * xs[i]));
        check("cache (first action fills it)", c, &w, true);
        for (int i = 0; i < N; i++) add(&w, "%lld", (long long)(2 * xs[i]));
        check("cache (read)", c, &w, true);
        rf_rdd_unpersist(c);
        for (int i = 0; i < N; i++) add(&w, "%lld", (long long)(2 * xs[i]));
        check("unpersist", rf_rdd_persist(rf_rdd_map(base, "double"), RF_DISK_ONLY), &w, true);
        char *ds = rf_rdd_to_debug_string(rf_rdd_reduce_by_key(pairs, "add", 0));
        cases++;
        if (!ds || !strstr(ds, "map(pair_mod37)") || !strstr(ds, "Exchange") || !strstr(ds, "Stage")) { failures++; fprintf(stderr, "FAIL toDebugString:\n%s\n", ds ? ds : "(null)"); }
        free(ds);
    }
    /* DataFrames and back */
    {
        rf_df *df = rf_range(s, 0, 50, 1, 3);
        rf_rdd *r = rf_df_rdd(rf_df_select(df, 2, rf_col("id"), rf_as(rf_mul(rf_col("id"), rf_lit_double(0.5)), "half")));
        for (int i = 0; i < 50; i++) add(&w, "%d,%d.%d", i, i / 2, i % 2 ? 5 : 0);   /* doubles as Spark prints them */
        check("rf_df_rdd (tuples of the columns)", r, &w, true);
        rf_df *back = rf_rdd_to_df(rf_rdd_reduce_by_key(pairs, "add", 0), "k BIGINT, total BIGINT");
        rf_df *big = rf_df_filter(back, rf_gt(rf_col("total"), rf_lit_int(0)));
        int64_t bn = -1, wn = 0;
        for (int k = 0; k < 74; k++) wn += cnt37[k] && sum37[k] > 0;
        cases++;
        if (rf_df_count(big, &bn) || bn != wn) { failures++; fprintf(stderr, "FAIL rf_rdd_to_df + filter: %lld rows, want %lld: %s\n", (long long)bn, (long long)wn, rf_session_error(s)); }
        rf_df *bad = rf_rdd_to_df(base, "x STRING, y BIGINT");
        expect_fail("rf_rdd_to_df with too many columns", rf_df_count(bad, &bn), rf_session_error(s), "a record of 1 field for a schema of 2 columns");
        bad = rf_rdd_to_df(rf_rdd_map(base, "double"), "x STRING");
        cases++;
        if (rf_df_count(bad, &bn) == 0) { /* ints into a string column: text */ } else { failures++; fprintf(stderr, "FAIL rf_rdd_to_df(int into string)\n"); }
    }
    /* ---- errors */
    rf_rdd *bad = rf_rdd_map(base, "nosuch");
    expect_fail("an unregistered function", rf_rdd_count(bad, &cnt), rf_rdd_error(bad), "function 'nosuch' is not registered on rank 0");
    bad = rf_rdd_filter(base, "double");
    expect_fail("a function of the wrong kind", rf_rdd_count(bad, &cnt), rf_rdd_error(bad), "is a map function");
    bad = rf_rdd_flat_map(base, "fails");
    expect_fail("a failing callback", rf_rdd_count(bad, &cnt), rf_session_error(s), "function 'fails' failed on rank");
    expect_fail("a failing callback's message", rf_rdd_count(bad, &cnt), rf_session_error(s), "17 is cursed");
    bad = rf_rdd_map(base, "two");
    expect_fail("map emitting two records", rf_rdd_count(bad, &cnt), rf_session_error(s), "map emits exactly one");
    if (np > 1) {   /* registered after the session opened: only rank 0 has it */
        bad = rf_rdd_repartition(rf_rdd_map(base, "late"), 2 * np);
        expect_fail("a function missing on a rank", rf_rdd_count(bad, &cnt), rf_session_error(s), "is not registered on rank");
    }
    /* ---- UDFs in the C API and SQL; SQL from C */
    {
        rf_df *ids = rf_range(s, 1, 101, 1, 4);
        rf_df *t10 = rf_df_select(ids, 1, rf_as(rf_fn("times10", 1, rf_col("id")), "x"));
        rf_result *res = NULL;
        cases++;
        if (rf_df_collect(rf_df_agg(t10, 0, NULL, 1, (rf_expr *[]){ rf_sum(rf_col("x")) }), &res) || rf_result_int(res, 0, 0) != 50500) { failures++; fprintf(stderr, "FAIL scalar UDF in the C API: %s\n", rf_session_error(s)); }
        rf_result_destroy(&res);
        rf_expr *k[1] = { rf_as(rf_mod(rf_col("id"), rf_lit_int(2)), "odd") }, *a[1] = { rf_as(rf_fn("sumsq", 1, rf_col("id")), "sq") };
        cases++;
        int64_t sq[2] = { 0, 0 };
        for (int i = 1; i <= 100; i++) sq[i % 2] += (int64_t)i * i;
        if (rf_df_collect(rf_df_order_by(rf_df_agg(ids, 1, k, 1, a), 1, rf_col("odd")), &res) || rf_result_rows(res) != 2 ||
            rf_result_int(res, 0, 1) != sq[0] || rf_result_int(res, 1, 1) != sq[1]) { failures++; fprintf(stderr, "FAIL aggregate UDF in the C API: %s\n", rf_session_error(s)); }
        rf_result_destroy(&res);
        cases++;
        if (rf_df_create_temp_view(ids, "nums")) { failures++; fprintf(stderr, "FAIL createOrReplaceTempView: %s\n", rf_session_error(s)); }
        rf_df *q = rf_sql(s, "SELECT id % 3 AS m, sumsq(id) AS sq, max(times10(id)) AS t FROM nums GROUP BY id % 3 ORDER BY m");
        int64_t ws[3] = { 0, 0, 0 }, wt[3] = { 0, 0, 0 };
        for (int i = 1; i <= 100; i++) { ws[i % 3] += (int64_t)i * i; if (10 * i > wt[i % 3]) wt[i % 3] = 10 * i; }
        cases++;
        if (rf_df_collect(q, &res) || rf_result_rows(res) != 3) { failures++; fprintf(stderr, "FAIL rf_sql with UDFs: %s\n", rf_df_error(q) ? rf_df_error(q) : rf_session_error(s)); }
        else for (int m = 0; m < 3; m++)
            if (rf_result_int(res, m, 0) != m || rf_result_int(res, m, 1) != ws[m] || rf_result_int(res, m, 2) != wt[m]) { failures++; fprintf(stderr, "FAIL rf_sql with UDFs: row %d\n", m); break; }
        rf_result_destroy(&res);
        rf_df *cv = rf_sql(s, "CREATE OR REPLACE TEMPORARY VIEW big AS SELECT id FROM nums WHERE id > 90");
        q = rf_sql(s, "SELECT count(*) FROM big");
        cases++;
        if (!cv || rf_df_error(cv) || rf_df_collect(q, &res) || rf_result_int(res, 0, 0) != 10) { failures++; fprintf(stderr, "FAIL rf_sql: a view made by a statement: %s\n", rf_df_error(q) ? rf_df_error(q) : rf_session_error(s)); }
        rf_result_destroy(&res);
        q = rf_sql(s, "SELECT id FROM nums\nWHERE nosuch > 1");
        expect_fail("rf_sql error with its position", rf_df_status(q), rf_df_error(q), "line 2, column 7");
        q = rf_sql(s, "SELECT times10(id, id) FROM nums");
        expect_fail("a UDF with the wrong argument count", rf_df_status(q), rf_df_error(q), "times10() takes 1 argument");
        q = rf_sql(s, "SELECT sum(no42(id)) FROM nums");
        expect_fail("a failing UDF", rf_df_collect(q, &res), rf_session_error(s), "function 'no42' failed on rank");
        expect_fail("a failing UDF's message", rf_df_collect(q, &res), rf_session_error(s), "42 is not allowed");
        q = rf_sql(s, "SELECT sumsq(id, id) FROM nums");
        expect_fail("an aggregate UDF with the wrong argument count", rf_df_status(q), rf_df_error(q), "sumsq() takes 1 argument");
        if (np > 1) {
            q = rf_sql(s, "SELECT sum(late_udf(id)) FROM nums");
            expect_fail("a UDF missing on a rank", rf_df_collect(q, &res), rf_session_error(s), "function 'late_udf' is not registered on rank");
        }
        /* a DataFrame of an RDD in SQL */
        rf_df_create_temp_view(rf_rdd_to_df(rf_rdd_reduce_by_key(pairs, "add", 0), "k BIGINT, total BIGINT"), "sums");
        q = rf_sql(s, "SELECT sum(total) FROM sums");
        cases++;
        if (rf_df_collect(q, &res) || rf_result_int(res, 0, 0) != total) { failures++; fprintf(stderr, "FAIL SQL over an RDD's DataFrame: %s\n", rf_df_error(q) ? rf_df_error(q) : rf_session_error(s)); }
        rf_result_destroy(&res);
    }
    printf("DIGEST %016llx\n", (unsigned long long)digest);
    printf("test_rdd at %d rank(s): %d passed, %d failed\n", np, cases - failures, failures);
    free(recs);
    return rf_session_close(&s, failures ? 1 : 0);
}

int c64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}
