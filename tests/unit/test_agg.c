/* test_agg.c — the aggregate function interface (expr/agg.h): for every built-in, values folded into
 * several partial states that are serialized and merged give what one state given every value gives,
 * and that equals a plain loop over the values; NULLs are skipped; groups are independent. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "expr/agg.h"

enum { N = 3000, G = 7, PARTS = 4 };

static rf_expr *call_of(int op, rf_type arg, rf_type res)
{
    rf_expr *x = rf_col("x");
    rf_expr *c = op == RF_A_COUNT ? rf_count(x) : op == RF_A_SUM ? rf_sum(x) : op == RF_A_AVG ? rf_avg(x) : op == RF_A_MIN ? rf_min(x) : rf_max(x);
    c->type = res;
    c->arg[0]->type = arg;
    return c;
}

/* Values: int64 v_i = (i * 7919) % 1001 - 500, NULL when i % 13 == 0; group i % G. */
static bool is_null(int i) { return i % 13 == 0; }
static int64_t val(int i) { return (int64_t)((i * 7919) % 1001) - 500; }

static rf_column *values(rf_type t, int from, int to)
{
    rf_column *c = NULL;
    rf_column_create(t, to - from, &c);
    for (int i = from; i < to; i++) {
        char s[32];
        snprintf(s, sizeof s, "v%05lld", (long long)(val(i) + 500));
        if (is_null(i)) rf_column_append_null(c);
        else if (t == RF_TYPE_DOUBLE) rf_column_append_f64(c, (double)val(i) / 4);
        else if (t == RF_TYPE_STRING) rf_column_append_str(c, s, (int64_t)strlen(s));
        else rf_column_append_i64(c, val(i));
    }
    return c;
}

static void gids(int from, int to, int64_t *g) { for (int i = from; i < to; i++) g[i - from] = i % G; }

/* One state over all values, and PARTS states merged through their serialized form: the same
 * finalized column. Returns the one-state result. */
static rf_column *both_ways(const rf_expr *call, rf_type t)
{
    int64_t *g = malloc(N * sizeof *g);
    rf_aggst one = { 0 }, merged = { 0 };
    CU_ASSERT_FATAL(rf__agg_init(&one, call) == RF_OK);
    CU_ASSERT_FATAL(rf__agg_init(&merged, call) == RF_OK);
    one.fn->grow(&one, G);
    merged.fn->grow(&merged, G);
    rf_column *all = values(t, 0, N);
    gids(0, N, g);
    CU_ASSERT(one.fn->update(&one, g, all, N) == RF_OK);
    rf_type st[RF_AGG_MAX_STATE];
    int ns = rf__agg_state_types(call, st);
    for (int p = 0; p < PARTS; p++) {
        int from = p * N / PARTS, to = (p + 1) * N / PARTS;
        rf_aggst part = { 0 };
        rf__agg_init(&part, call);
        part.fn->grow(&part, G);
        rf_column *v = values(t, from, to);
        gids(from, to, g);
        CU_ASSERT(part.fn->update(&part, g, v, to - from) == RF_OK);
        rf_column *cols[RF_AGG_MAX_STATE] = { 0 };
        CU_ASSERT(part.fn->serialize(&part, G, cols) == RF_OK);
        for (int k = 0; k < ns; k++) CU_ASSERT(cols[k] && cols[k]->type == st[k] && cols[k]->len == G);
        int64_t ident[G];
        for (int k = 0; k < G; k++) ident[k] = k;
        CU_ASSERT(merged.fn->merge(&merged, ident, cols, G) == RF_OK);
        for (int k = 0; k < ns; k++) rf_column_release(&cols[k]);
        rf_column_release(&v);
        part.fn->fini(&part);
    }
    rf_column *r1 = NULL, *r2 = NULL;
    CU_ASSERT(one.fn->finalize(&one, G, &r1) == RF_OK);
    CU_ASSERT(merged.fn->finalize(&merged, G, &r2) == RF_OK);
    for (int k = 0; k < G; k++) {
        CU_ASSERT_EQUAL(rf_column_valid(r1, k), rf_column_valid(r2, k));
        if (rf_column_valid(r1, k) && rf_column_valid(r2, k)) CU_ASSERT(rf_column_eq(r1, k, r2, k) || (t == RF_TYPE_DOUBLE && fabs(rf_col_f64(r1, k) - rf_col_f64(r2, k)) < 1e-9));
    }
    rf_column_release(&all);
    rf_column_release(&r2);
    one.fn->fini(&one);
    merged.fn->fini(&merged);
    free(g);
    return r1;
}

static void t_count_sum_avg(void)
{
    int64_t cnt[G] = { 0 }, sum[G] = { 0 };
    for (int i = 0; i < N; i++) if (!is_null(i)) { cnt[i % G]++; sum[i % G] += val(i); }
    rf_expr *c = call_of(RF_A_COUNT, RF_TYPE_INT64, RF_TYPE_INT64), *s = call_of(RF_A_SUM, RF_TYPE_INT64, RF_TYPE_INT64),
            *a = call_of(RF_A_AVG, RF_TYPE_DOUBLE, RF_TYPE_DOUBLE);
    rf_column *rc = both_ways(c, RF_TYPE_INT64), *rs = both_ways(s, RF_TYPE_INT64), *ra = both_ways(a, RF_TYPE_DOUBLE);
    for (int k = 0; k < G; k++) {
        CU_ASSERT_EQUAL(rf_col_i64(rc, k), cnt[k]);
        CU_ASSERT_EQUAL(rf_col_i64(rs, k), sum[k]);
        CU_ASSERT(fabs(rf_col_f64(ra, k) - (double)sum[k] / 4 / (double)cnt[k]) < 1e-9);
    }
    rf_column_release(&rc); rf_column_release(&rs); rf_column_release(&ra);
    rf_expr_destroy(&c); rf_expr_destroy(&s); rf_expr_destroy(&a);
}

static void t_min_max(void)
{
    int64_t mn[G], mx[G];
    for (int k = 0; k < G; k++) { mn[k] = INT64_MAX; mx[k] = INT64_MIN; }
    for (int i = 0; i < N; i++) if (!is_null(i)) { int k = i % G; if (val(i) < mn[k]) mn[k] = val(i); if (val(i) > mx[k]) mx[k] = val(i); }
    rf_expr *lo = call_of(RF_A_MIN, RF_TYPE_INT64, RF_TYPE_INT64), *hi = call_of(RF_A_MAX, RF_TYPE_STRING, RF_TYPE_STRING);
    rf_column *rl = both_ways(lo, RF_TYPE_INT64), *rh = both_ways(hi, RF_TYPE_STRING);
    for (int k = 0; k < G; k++) {
        CU_ASSERT_EQUAL(rf_col_i64(rl, k), mn[k]);
        char want[32];
        int64_t len = 0;
        snprintf(want, sizeof want, "v%05lld", (long long)(mx[k] + 500));   /* zero-padded: text order is number order */
        const char *got = rf_col_str(rh, k, &len);
        CU_ASSERT(len == (int64_t)strlen(want) && memcmp(got, want, (size_t)len) == 0);
    }
    rf_column_release(&rl); rf_column_release(&rh);
    rf_expr_destroy(&lo); rf_expr_destroy(&hi);
}

static void t_empty_groups_are_null(void)
{
    rf_expr *s = call_of(RF_A_SUM, RF_TYPE_INT64, RF_TYPE_INT64), *c = call_of(RF_A_COUNT, RF_TYPE_INT64, RF_TYPE_INT64);
    rf_aggst a = { 0 }, b = { 0 };
    rf__agg_init(&a, s);
    rf__agg_init(&b, c);
    a.fn->grow(&a, 3);
    b.fn->grow(&b, 3);
    rf_column *r = NULL, *q = NULL;
    CU_ASSERT(a.fn->finalize(&a, 3, &r) == RF_OK);
    CU_ASSERT(b.fn->finalize(&b, 3, &q) == RF_OK);
    for (int k = 0; k < 3; k++) { CU_ASSERT(!rf_column_valid(r, k)); CU_ASSERT(rf_column_valid(q, k) && rf_col_i64(q, k) == 0); }
    rf_column_release(&r); rf_column_release(&q);
    a.fn->fini(&a); b.fn->fini(&b);
    rf_expr_destroy(&s); rf_expr_destroy(&c);
}

CU_TestInfo rf_test_agg[] = {
    { "count, sum, avg: partial states merged equal one state and a plain loop", t_count_sum_avg },
    { "min, max (strings too): partial states merged equal one state", t_min_max },
    { "a group without values: sum NULL, count 0", t_empty_groups_are_null },
    CU_TEST_INFO_NULL,
};
