/*
 * agg.c — the built-in aggregate functions behind the interface of agg.h.
 *
 * States (arrays over groups): count: cnt; sum: value (iv, dv, or xv for decimals) and the count of
 * values; avg: sum (dv, or xv) and count; min / max: value (iv, dv, xv or sv) and the count of values.
 * Serialized states: count [INT64]; sum, min, max [value in the result type, NULL when no value];
 * avg [sum in the argument's type, INT64 count]. A decimal sum or avg keeps an exact 128-bit sum; one
 * that overflows stays saturated (through serialization too) and ends NULL.
 */
#include <math.h>
#include <stdlib.h>
#include "expr/agg.h"
#include "expr/udf.h"

#define NOMEM() rf__err_set(RF_ERR_NOMEM, "out of memory for aggregation state")

static int b_init(rf_aggst *a, const rf_expr *call)
{
    a->call = call;
    a->op = call->op;
    a->vt = call->type;
    a->dec = call->n_arg && rf_type_is_decimal(call->arg[0]->type) && call->op != RF_A_COUNT;
    return RF_OK;
}

static int b_grow(rf_aggst *a, int64_t need)
{
    if (need <= a->cap) return RF_OK;
    int64_t nc = a->cap ? a->cap : 64;
    while (nc < need) nc *= 2;
    int64_t *c = rf_realloc(a->cnt, (size_t)nc * 8);
    if (c) a->cnt = c;
    int64_t *iv = rf_realloc(a->iv, (size_t)nc * 8);
    if (iv) a->iv = iv;
    double *dv = rf_realloc(a->dv, (size_t)nc * 8);
    if (dv) a->dv = dv;
    if (!c || !iv || !dv) return NOMEM();
    if (a->dec) {
        rf_dec *xv = rf_realloc(a->xv, (size_t)nc * sizeof *xv);
        if (!xv) return NOMEM();
        a->xv = xv;
        for (int64_t g = a->cap; g < nc; g++) a->xv[g] = 0;
    }
    if (a->vt == RF_TYPE_STRING) {
        char **sv = rf_realloc(a->sv, (size_t)nc * sizeof *sv);
        if (sv) a->sv = sv;
        int64_t *sl = rf_realloc(a->sl, (size_t)nc * 8);
        if (sl) a->sl = sl;
        if (!sv || !sl) return NOMEM();
    }
    for (int64_t g = a->cap; g < nc; g++) {
        a->cnt[g] = 0; a->iv[g] = 0; a->dv[g] = 0;
        if (a->sv) { a->sv[g] = NULL; a->sl[g] = 0; }
    }
    a->cap = nc;
    return RF_OK;
}

static int64_t b_bytes(const rf_aggst *a)
{
    return a->cap * (24 + (a->dec ? 16 : 0) + (a->vt == RF_TYPE_STRING ? 16 : 0)) + a->sbytes;
}

static void b_fini(rf_aggst *a)
{
    if (a->sv) for (int64_t g = 0; g < a->cap; g++) rf_free(a->sv[g]);
    RF_FREE(a->cnt); RF_FREE(a->iv); RF_FREE(a->dv); RF_FREE(a->xv); RF_FREE(a->sv); RF_FREE(a->sl);
    a->sbytes = 0;
    a->cap = 0;
}

static void dec_add(rf_dec *acc, rf_dec x)
{
    if (__builtin_add_overflow(*acc, x, acc) || !rf_dec_fits(*acc, 38)) *acc = rf_dec_pow10(38);   /* saturate */
}

/* ---- count */
static int count_update(rf_aggst *a, const int64_t *gid, const rf_column *v, int64_t n)
{
    if (!v) { for (int64_t i = 0; i < n; i++) a->cnt[gid[i]]++; return RF_OK; }   /* count(*) */
    for (int64_t i = 0; i < n; i++) a->cnt[gid[i]] += rf_column_valid(v, i);
    return RF_OK;
}

static int count_merge(rf_aggst *a, const int64_t *gid, rf_column *const *st, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        if (rf_column_valid(st[0], i)) a->cnt[gid[i]] += rf_col_i64(st[0], i);
    return RF_OK;
}

static int count_out(const rf_aggst *a, int64_t ng, rf_column **out)
{
    int rc = rf_column_create(RF_TYPE_INT64, ng, out);
    for (int64_t g = 0; g < ng && !rc; g++) rc = rf_column_append_i64(*out, a->cnt[g]);
    return rc;
}

/* ---- sum and avg: a sum and a count of values */
static void add_value(rf_aggst *a, int64_t g, const rf_column *v, int64_t i)
{
    if (a->dec) dec_add(&a->xv[g], rf_col_dec(v, i));
    else if (a->vt == RF_TYPE_DOUBLE || a->op == RF_A_AVG) a->dv[g] += rf_col_f64(v, i);
    else a->iv[g] = (int64_t)((uint64_t)a->iv[g] + (uint64_t)rf_col_i64(v, i));
}

static int sum_update(rf_aggst *a, const int64_t *gid, const rf_column *v, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        if (rf_column_valid(v, i)) { a->cnt[gid[i]]++; add_value(a, gid[i], v, i); }
    return RF_OK;
}

static int sum_merge(rf_aggst *a, const int64_t *gid, rf_column *const *st, int64_t n)
{
    int avg = a->op == RF_A_AVG;
    for (int64_t i = 0; i < n; i++) {
        if (!rf_column_valid(st[0], i)) continue;
        add_value(a, gid[i], st[0], i);
        a->cnt[gid[i]] += avg ? (rf_column_valid(st[1], i) ? rf_col_i64(st[1], i) : 0) : 1;
    }
    return RF_OK;
}

static int sum_value(const rf_aggst *a, int64_t g, bool state, rf_column *col)
{
    if (a->cnt[g] == 0) return rf_column_append_null(col);
    if (a->dec)   /* a state stays saturated so that the final sum is NULL too */
        return state || rf_dec_fits(a->xv[g], rf_type_precision(a->call->type)) ? rf_column_append_dec(col, a->xv[g])
                                                                                 : rf_column_append_null(col);
    if (a->vt == RF_TYPE_DOUBLE) return rf_column_append_f64(col, a->dv[g]);
    return rf_column_append_i64(col, a->iv[g]);
}

static int sum_serialize(const rf_aggst *a, int64_t ng, rf_column **st)
{
    int rc = rf_column_create(a->call->type, ng, &st[0]);
    for (int64_t g = 0; g < ng && !rc; g++) rc = sum_value(a, g, true, st[0]);
    return rc;
}

static int sum_out(const rf_aggst *a, int64_t ng, rf_column **out)
{
    int rc = rf_column_create(a->call->type, ng, out);
    for (int64_t g = 0; g < ng && !rc; g++) rc = sum_value(a, g, false, *out);
    return rc;
}

static int avg_serialize(const rf_aggst *a, int64_t ng, rf_column **st)
{
    int rc = rf_column_create(a->call->arg[0]->type, ng, &st[0]);
    if (!rc) rc = rf_column_create(RF_TYPE_INT64, ng, &st[1]);
    for (int64_t g = 0; g < ng && !rc; g++) {
        rc = a->dec ? rf_column_append_dec(st[0], a->xv[g]) : rf_column_append_f64(st[0], a->dv[g]);
        if (!rc) rc = rf_column_append_i64(st[1], a->cnt[g]);
    }
    return rc;
}

static int avg_out(const rf_aggst *a, int64_t ng, rf_column **out)
{
    rf_type t = a->call->type;
    int rc = rf_column_create(t, ng, out);
    for (int64_t g = 0; g < ng && !rc; g++) {
        if (a->dec) {
            rf_dec q;
            if (a->cnt[g] && rf_dec_fits(a->xv[g], 38) &&
                rf_dec_div(a->xv[g], rf_type_scale(a->call->arg[0]->type), a->cnt[g], 0, rf_type_precision(t), rf_type_scale(t), &q))
                rc = rf_column_append_dec(*out, q);
            else rc = rf_column_append_null(*out);
        } else rc = a->cnt[g] ? rf_column_append_f64(*out, a->dv[g] / (double)a->cnt[g]) : rf_column_append_null(*out);
    }
    return rc;
}

/* ---- min and max */
typedef struct { int64_t i; double d; rf_dec x; const char *s; int64_t sl; } cand;

/* Offers candidate v, standing for n values, to group g. */
static int offer(rf_aggst *a, int64_t g, const cand *v, int64_t n)
{
    bool better = a->cnt[g] == 0;
    if (!better) {
        int c;
        if (a->vt == RF_TYPE_STRING) {
            int64_t m = v->sl < a->sl[g] ? v->sl : a->sl[g];
            c = memcmp(v->s, a->sv[g], (size_t)m);
            if (!c) c = (v->sl > a->sl[g]) - (v->sl < a->sl[g]);
        } else if (a->dec) c = (v->x > a->xv[g]) - (v->x < a->xv[g]);
        else if (a->vt == RF_TYPE_DOUBLE) {
            double x = v->d, y = a->dv[g];
            c = (x != x || y != y) ? (x != x) - (y != y) : (x > y) - (x < y);   /* NaN is the largest */
        } else c = (v->i > a->iv[g]) - (v->i < a->iv[g]);
        better = a->op == RF_A_MIN ? c < 0 : c > 0;
    }
    a->cnt[g] += n;
    if (!better) return RF_OK;
    if (a->vt == RF_TYPE_STRING) {
        char *cpy = rf_strndup(v->s, (size_t)v->sl);
        if (!cpy) return NOMEM();
        a->sbytes += v->sl - a->sl[g];
        rf_free(a->sv[g]);
        a->sv[g] = cpy;
        a->sl[g] = v->sl;
    } else if (a->dec) a->xv[g] = v->x;
    else if (a->vt == RF_TYPE_DOUBLE) a->dv[g] = v->d;
    else a->iv[g] = v->i;
    return RF_OK;
}

static int minmax_update(rf_aggst *a, const int64_t *gid, const rf_column *v, int64_t n)
{
    int rc = RF_OK;
    for (int64_t i = 0; i < n && !rc; i++) {
        if (!rf_column_valid(v, i)) continue;
        cand c = { 0 };
        if (a->vt == RF_TYPE_STRING) c.s = rf_col_str(v, i, &c.sl);
        else if (a->dec) c.x = rf_col_dec(v, i);
        else if (a->vt == RF_TYPE_DOUBLE) c.d = rf_col_f64(v, i);
        else c.i = rf_column_get_int(v, i);
        rc = offer(a, gid[i], &c, 1);
    }
    return rc;
}

static int minmax_merge(rf_aggst *a, const int64_t *gid, rf_column *const *st, int64_t n)
{
    return minmax_update(a, gid, st[0], n);   /* the state is the value itself */
}

static int minmax_out(const rf_aggst *a, int64_t ng, rf_column **out)
{
    int rc = rf_column_create(a->call->type, ng, out);
    for (int64_t g = 0; g < ng && !rc; g++) {
        if (a->cnt[g] == 0) rc = rf_column_append_null(*out);
        else if (a->vt == RF_TYPE_STRING) rc = rf_column_append_str(*out, a->sv[g], a->sl[g]);
        else if (a->dec) rc = rf_column_append_dec(*out, a->xv[g]);
        else if (a->vt == RF_TYPE_DOUBLE) rc = rf_column_append_f64(*out, a->dv[g]);
        else rc = rf_column_append_i64(*out, a->iv[g]);
    }
    return rc;
}

static int minmax_serialize(const rf_aggst *a, int64_t ng, rf_column **st) { return minmax_out(a, ng, &st[0]); }
static int count_serialize(const rf_aggst *a, int64_t ng, rf_column **st) { return count_out(a, ng, &st[0]); }

/* ---- central moments: n (cnt), mean, M2 [, M3, M4], updated one value at a time (Welford, with
 * Terriberry's higher moments) and merged pairwise (Chan et al., Pebay), as Spark's CentralMomentAgg.
 * Serialized: [INT64 n, DOUBLE mean, M2 (, M3, M4)]. */
static int mom_init(rf_aggst *a, const rf_expr *call)
{
    b_init(a, call);
    a->k = call->op == RF_A_SKEWNESS || call->op == RF_A_KURTOSIS ? 4 : 2;
    return RF_OK;
}

static int mom_grow(rf_aggst *a, int64_t need)
{
    if (need <= a->cap) return RF_OK;
    int64_t nc = a->cap ? a->cap : 64;
    while (nc < need) nc *= 2;
    int64_t *c = rf_realloc(a->cnt, (size_t)nc * 8);
    if (!c) return NOMEM();
    a->cnt = c;
    for (int m = 0; m < a->k; m++) {
        double *v = rf_realloc(a->mv[m], (size_t)nc * 8);
        if (!v) return NOMEM();
        a->mv[m] = v;
        for (int64_t g = a->cap; g < nc; g++) v[g] = 0;
    }
    for (int64_t g = a->cap; g < nc; g++) a->cnt[g] = 0;
    a->cap = nc;
    return RF_OK;
}

static int64_t mom_bytes(const rf_aggst *a) { return a->cap * 8 * (1 + a->k); }

static void mom_fini(rf_aggst *a)
{
    RF_FREE(a->cnt);
    for (int m = 0; m < 4; m++) RF_FREE(a->mv[m]);
    a->cap = 0;
}

/* Folds (nb, mb, m2b, m3b, m4b) into group g. */
static void mom_combine(rf_aggst *a, int64_t g, double nb, double mb, double m2b, double m3b, double m4b)
{
    double na = (double)a->cnt[g];
    if (nb == 0) return;
    if (na == 0) {
        a->cnt[g] = (int64_t)nb;
        a->mv[0][g] = mb;
        a->mv[1][g] = m2b;
        if (a->k == 4) { a->mv[2][g] = m3b; a->mv[3][g] = m4b; }
        return;
    }
    double n = na + nb, d = mb - a->mv[0][g], d2 = d * d, ma2 = a->mv[1][g];
    a->mv[0][g] += d * nb / n;
    a->mv[1][g] = ma2 + m2b + d2 * na * nb / n;
    if (a->k == 4) {
        double ma3 = a->mv[2][g], ma4 = a->mv[3][g];
        a->mv[2][g] = ma3 + m3b + d2 * d * na * nb * (na - nb) / (n * n) + 3 * d * (na * m2b - nb * ma2) / n;
        a->mv[3][g] = ma4 + m4b + d2 * d2 * na * nb * (na * na - na * nb + nb * nb) / (n * n * n) +
                      6 * d2 * (na * na * m2b + nb * nb * ma2) / (n * n) + 4 * d * (na * m3b - nb * ma3) / n;
    }
    a->cnt[g] = (int64_t)n;
}

static int mom_update(rf_aggst *a, const int64_t *gid, const rf_column *v, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        if (!rf_column_valid(v, i)) continue;
        int64_t g = gid[i];
        double x = rf_col_f64(v, i), n1 = (double)a->cnt[g], nn = n1 + 1, d = x - a->mv[0][g], dn = d / nn, t1 = d * dn * n1;
        a->mv[0][g] += dn;
        if (a->k == 4) {
            double dn2 = dn * dn, m2 = a->mv[1][g], m3 = a->mv[2][g];
            a->mv[3][g] += t1 * dn2 * (nn * nn - 3 * nn + 3) + 6 * dn2 * m2 - 4 * dn * m3;
            a->mv[2][g] += t1 * dn * (nn - 2) - 3 * dn * m2;
        }
        a->mv[1][g] += t1;
        a->cnt[g]++;
    }
    return RF_OK;
}

static int mom_merge(rf_aggst *a, const int64_t *gid, rf_column *const *st, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        if (!rf_column_valid(st[0], i)) continue;
        mom_combine(a, gid[i], (double)rf_col_i64(st[0], i), rf_col_f64(st[1], i), rf_col_f64(st[2], i),
                    a->k == 4 ? rf_col_f64(st[3], i) : 0, a->k == 4 ? rf_col_f64(st[4], i) : 0);
    }
    return RF_OK;
}

static int mom_serialize(const rf_aggst *a, int64_t ng, rf_column **st)
{
    int rc = rf_column_create(RF_TYPE_INT64, ng, &st[0]);
    for (int m = 0; m < a->k && !rc; m++) rc = rf_column_create(RF_TYPE_DOUBLE, ng, &st[1 + m]);
    for (int64_t g = 0; g < ng && !rc; g++) {
        rc = rf_column_append_i64(st[0], a->cnt[g]);
        for (int m = 0; m < a->k && !rc; m++) rc = rf_column_append_f64(st[1 + m], a->mv[m][g]);
    }
    return rc;
}

static int mom_out(const rf_aggst *a, int64_t ng, rf_column **out)
{
    int rc = rf_column_create(RF_TYPE_DOUBLE, ng, out);
    for (int64_t g = 0; g < ng && !rc; g++) {
        double n = (double)a->cnt[g], m2 = a->mv[1][g], r;
        bool null = n == 0;
        switch (a->op) {
        case RF_A_VAR_POP: r = m2 / n; break;
        case RF_A_STDDEV_POP: r = sqrt(m2 / n); break;
        case RF_A_VAR_SAMP: null |= n == 1; r = m2 / (n - 1); break;
        case RF_A_STDDEV_SAMP: null |= n == 1; r = sqrt(m2 / (n - 1)); break;
        case RF_A_SKEWNESS: null |= m2 == 0; r = sqrt(n) * a->mv[2][g] / sqrt(m2 * m2 * m2); break;
        default: null |= m2 == 0; r = n * a->mv[3][g] / (m2 * m2) - 3; break;   /* kurtosis */
        }
        rc = null ? rf_column_append_null(*out) : rf_column_append_f64(*out, r);
    }
    return rc;
}

/* ---- bool_and / bool_or: the count of values and the running result in iv */
static int bool_update(rf_aggst *a, const int64_t *gid, const rf_column *v, int64_t n)
{
    bool and_ = a->op == RF_A_BOOL_AND;
    for (int64_t i = 0; i < n; i++) {
        if (!rf_column_valid(v, i)) continue;
        int64_t g = gid[i], x = rf_col_bool(v, i);
        a->iv[g] = a->cnt[g] == 0 ? x : and_ ? (a->iv[g] & x) : (a->iv[g] | x);
        a->cnt[g]++;
    }
    return RF_OK;
}

static int bool_merge(rf_aggst *a, const int64_t *gid, rf_column *const *st, int64_t n) { return bool_update(a, gid, st[0], n); }

static int bool_out(const rf_aggst *a, int64_t ng, rf_column **out)
{
    int rc = rf_column_create(RF_TYPE_BOOL, ng, out);
    for (int64_t g = 0; g < ng && !rc; g++) rc = a->cnt[g] ? rf_column_append_i64(*out, a->iv[g]) : rf_column_append_null(*out);
    return rc;
}

static int bool_serialize(const rf_aggst *a, int64_t ng, rf_column **st) { return bool_out(a, ng, &st[0]); }

/* ---- co-moments of two arguments (a, b): covariance, correlation, the regr_ family. Pairs with a
 * NULL are left out. Updated one pair at a time (Welford), merged pairwise (Chan et al.), as Spark's.
 * Serialized: [INT64 n, DOUBLE mean a, mean b, M2 a, M2 b, C]. For regr_*(y, x), a is y and b is x. */
static int co_grow(rf_aggst *a, int64_t need)
{
    if (need <= a->cap) return RF_OK;
    int64_t nc = a->cap ? a->cap : 64;
    while (nc < need) nc *= 2;
    int64_t *c = rf_realloc(a->cnt, (size_t)nc * 8);
    if (!c) return NOMEM();
    a->cnt = c;
    for (int m = 0; m < 5; m++) {
        double *v = rf_realloc(a->cv[m], (size_t)nc * 8);
        if (!v) return NOMEM();
        a->cv[m] = v;
        for (int64_t g = a->cap; g < nc; g++) v[g] = 0;
    }
    for (int64_t g = a->cap; g < nc; g++) a->cnt[g] = 0;
    a->cap = nc;
    return RF_OK;
}

static int64_t co_bytes(const rf_aggst *a) { return a->cap * 8 * 6; }

static void co_fini(rf_aggst *a)
{
    RF_FREE(a->cnt);
    for (int m = 0; m < 5; m++) RF_FREE(a->cv[m]);
    a->cap = 0;
}

static void co_combine(rf_aggst *a, int64_t g, double nb, const double *b)
{
    double na = (double)a->cnt[g];
    if (nb == 0) return;
    if (na == 0) { for (int m = 0; m < 5; m++) a->cv[m][g] = b[m]; a->cnt[g] = (int64_t)nb; return; }
    double n = na + nb, dx = b[0] - a->cv[0][g], dy = b[1] - a->cv[1][g];
    a->cv[0][g] += dx * nb / n;
    a->cv[1][g] += dy * nb / n;
    a->cv[2][g] += b[2] + dx * dx * na * nb / n;
    a->cv[3][g] += b[3] + dy * dy * na * nb / n;
    a->cv[4][g] += b[4] + dx * dy * na * nb / n;
    a->cnt[g] = (int64_t)n;
}

static int co_update(rf_aggst *a, const int64_t *gid, const rf_column *v, int64_t n)
{
    const rf_column *w = a->v2;
    if (!w) return rf__err_set(RF_ERR_INTERNAL, "%s without its second argument", a->fn->name);
    for (int64_t i = 0; i < n; i++) {
        if (!rf_column_valid(v, i) || !rf_column_valid(w, i)) continue;
        int64_t g = gid[i];
        double x = rf_col_f64(v, i), y = rf_col_f64(w, i), nn = (double)a->cnt[g] + 1;
        double dx = x - a->cv[0][g], dy = y - a->cv[1][g];
        a->cv[0][g] += dx / nn;
        a->cv[1][g] += dy / nn;
        a->cv[2][g] += dx * (x - a->cv[0][g]);
        a->cv[3][g] += dy * (y - a->cv[1][g]);
        a->cv[4][g] += dx * (y - a->cv[1][g]);
        a->cnt[g]++;
    }
    return RF_OK;
}

static int co_merge(rf_aggst *a, const int64_t *gid, rf_column *const *st, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        if (!rf_column_valid(st[0], i)) continue;
        double b[5];
        for (int m = 0; m < 5; m++) b[m] = rf_col_f64(st[1 + m], i);
        co_combine(a, gid[i], (double)rf_col_i64(st[0], i), b);
    }
    return RF_OK;
}

static int co_serialize(const rf_aggst *a, int64_t ng, rf_column **st)
{
    int rc = rf_column_create(RF_TYPE_INT64, ng, &st[0]);
    for (int m = 0; m < 5 && !rc; m++) rc = rf_column_create(RF_TYPE_DOUBLE, ng, &st[1 + m]);
    for (int64_t g = 0; g < ng && !rc; g++) {
        rc = rf_column_append_i64(st[0], a->cnt[g]);
        for (int m = 0; m < 5 && !rc; m++) rc = rf_column_append_f64(st[1 + m], a->cv[m][g]);
    }
    return rc;
}

static int co_out(const rf_aggst *a, int64_t ng, rf_column **out)
{
    int rc = rf_column_create(a->call->type, ng, out);
    for (int64_t g = 0; g < ng && !rc; g++) {
        double n = (double)a->cnt[g], ma = a->cv[0][g], mb = a->cv[1][g], saa = a->cv[2][g], sbb = a->cv[3][g], c = a->cv[4][g], r = 0;
        bool null = n == 0;
        switch (a->op) {
        case RF_A_COVAR_POP: r = c / n; break;
        case RF_A_COVAR_SAMP: null |= n == 1; r = c / (n - 1); break;
        case RF_A_CORR: null |= saa == 0 || sbb == 0; r = c / sqrt(saa * sbb); break;
        case RF_A_REGR_COUNT: rc = rf_column_append_i64(*out, (int64_t)n); continue;
        case RF_A_REGR_AVGX: r = mb; break;          /* regr_*(y, x): a is y, b is x */
        case RF_A_REGR_AVGY: r = ma; break;
        case RF_A_REGR_SXX: r = sbb; break;
        case RF_A_REGR_SYY: r = saa; break;
        case RF_A_REGR_SXY: r = c; break;
        case RF_A_REGR_SLOPE: null |= sbb == 0; r = c / sbb; break;
        case RF_A_REGR_INTERCEPT: null |= sbb == 0; r = ma - c / sbb * mb; break;
        default: null |= sbb == 0; r = saa == 0 ? 1 : c * c / (saa * sbb); break;   /* regr_r2 */
        }
        rc = null ? rf_column_append_null(*out) : rf_column_append_f64(*out, r);
    }
    return rc;
}

#define CO(name) { name, b_init, co_grow, co_update, co_merge, co_serialize, co_out, co_bytes, co_fini }

/* ---- percentile / percentile_approx / median: every value of a group (a holistic aggregate; the
 * table's spilling bounds memory by groups, a single group's values must fit). Serialized: [STRING
 * the group's doubles, packed]. percentile and median interpolate between the two values around
 * p x (n - 1), as Spark's Percentile; percentile_approx gives the value of rank ceil(p x n), the
 * answer of Spark's sketch at full accuracy. */
/* Room for groups [0, need) in a->user, an array of `size`-byte records per group (new ones zeroed). */
static int grow_user(rf_aggst *a, int64_t need, size_t size)
{
    if (need <= a->cap) return RF_OK;
    int64_t nc = a->cap ? a->cap : 64;
    while (nc < need) nc *= 2;
    char *u = rf_realloc(a->user, (size_t)nc * size);
    if (!u) return NOMEM();
    memset(u + (size_t)a->cap * size, 0, (size_t)(nc - a->cap) * size);
    a->user = u;
    a->cap = nc;
    return RF_OK;
}

typedef struct { double *v; int64_t n, cap; } vlist;

static double pct_of(const rf_aggst *a)
{
    if (a->op == RF_A_MEDIAN) return 0.5;
    const rf_expr *c = a->call->arg[1];
    while (c->kind == RF_E_CAST) c = c->arg[0];
    return c->lit.type == RF_TYPE_DOUBLE ? c->lit.v.d : rf_type_is_decimal(c->lit.type) ? rf_dec_to_double(c->lit.v.x, rf_type_scale(c->lit.type)) : (double)c->lit.v.i;
}

static int pc_grow(rf_aggst *a, int64_t need) { return grow_user(a, need, sizeof(vlist)); }

static int pc_push(rf_aggst *a, int64_t g, double x)
{
    vlist *l = (vlist *)a->user + g;
    if (l->n == l->cap) {
        int64_t nc = l->cap ? l->cap * 2 : 8;
        double *v = rf_realloc(l->v, (size_t)nc * sizeof *v);
        if (!v) return NOMEM();
        a->sbytes += (nc - l->cap) * 8;
        l->v = v;
        l->cap = nc;
    }
    l->v[l->n++] = x;
    return RF_OK;
}

static int pc_update(rf_aggst *a, const int64_t *gid, const rf_column *v, int64_t n)
{
    int rc = RF_OK;
    for (int64_t i = 0; i < n && !rc; i++) if (rf_column_valid(v, i)) rc = pc_push(a, gid[i], rf_col_f64(v, i));
    return rc;
}

static int pc_merge(rf_aggst *a, const int64_t *gid, rf_column *const *st, int64_t n)
{
    int rc = RF_OK;
    for (int64_t i = 0; i < n && !rc; i++) {
        if (!rf_column_valid(st[0], i)) continue;
        int64_t len;
        const char *p = rf_col_str(st[0], i, &len);
        for (int64_t k = 0; k + 8 <= len && !rc; k += 8) { double x; memcpy(&x, p + k, 8); rc = pc_push(a, gid[i], x); }
    }
    return rc;
}

static int pc_serialize(const rf_aggst *a, int64_t ng, rf_column **st)
{
    int rc = rf_column_create(RF_TYPE_STRING, ng, &st[0]);
    for (int64_t g = 0; g < ng && !rc; g++) {
        const vlist *l = (const vlist *)a->user + g;
        rc = l->n ? rf_column_append_str(st[0], (const char *)l->v, l->n * 8) : rf_column_append_null(st[0]);
    }
    return rc;
}

static int dcmp(const void *x, const void *y) { double a = *(const double *)x, b = *(const double *)y; return (a > b) - (a < b); }

static int pc_out(const rf_aggst *a, int64_t ng, rf_column **out)
{
    rf_type t = a->call->type;
    double p = pct_of(a);
    int rc = rf_column_create(t, ng, out);
    for (int64_t g = 0; g < ng && !rc; g++) {
        vlist *l = (vlist *)a->user + g;
        if (!l->n) { rc = rf_column_append_null(*out); continue; }
        qsort(l->v, (size_t)l->n, sizeof *l->v, dcmp);
        double r;
        if (a->op == RF_A_PERCENTILE_APPROX) {
            int64_t k = (int64_t)ceil(p * (double)l->n);
            r = l->v[k < 1 ? 0 : k - 1 >= l->n ? l->n - 1 : k - 1];
        } else {
            double pos = p * (double)(l->n - 1);
            int64_t lo = (int64_t)floor(pos), hi = (int64_t)ceil(pos);
            r = lo == hi ? l->v[lo] : l->v[lo] + (pos - (double)lo) * (l->v[hi] - l->v[lo]);
        }
        if (t == RF_TYPE_DOUBLE) rc = rf_column_append_f64(*out, r);
        else if (rf_type_is_decimal(t)) {
            rf_dec x;
            rc = rf_dec_from_double(r, rf_type_precision(t), rf_type_scale(t), &x) ? rf_column_append_dec(*out, x) : rf_column_append_null(*out);
        } else rc = rf_column_append_i64(*out, (int64_t)r);
    }
    return rc;
}

static int64_t pc_bytes(const rf_aggst *a) { return a->cap * (int64_t)sizeof(vlist) + a->sbytes; }

static void pc_fini(rf_aggst *a)
{
    vlist *l = a->user;
    for (int64_t g = 0; l && g < a->cap; g++) rf_free(l[g].v);
    RF_FREE(a->user);
    a->cap = 0;
    a->sbytes = 0;
}

#define PC(name) { name, b_init, pc_grow, pc_update, pc_merge, pc_serialize, pc_out, pc_bytes, pc_fini }

/* ---- first / last: the first (last) value in input order, NULLs skipped with ignoreNulls. Partial
 * states reach the final table in task order (exchange reads come in task order), so the answer is the
 * same at every rank count. State: cnt (0: nothing taken), the value as min / max keep it, and in user
 * a byte per group: the value taken is NULL. Serialized: [value, BOOL taken]. */
static bool fl_ignore(const rf_aggst *a)
{
    if (a->call->n_arg < 2) return false;
    const rf_expr *c = a->call->arg[1];
    while (c->kind == RF_E_CAST) c = c->arg[0];
    return c->lit.v.b;
}

static int fl_grow(rf_aggst *a, int64_t need)
{
    int64_t old = a->cap;
    int rc = b_grow(a, need);
    if (rc || a->cap == old) return rc;
    uint8_t *u = rf_realloc(a->user, (size_t)a->cap);
    if (!u) return NOMEM();
    memset(u + old, 0, (size_t)(a->cap - old));
    a->user = u;
    return RF_OK;
}

static int fl_take(rf_aggst *a, int64_t g, const rf_column *v, int64_t i, bool valid)
{
    uint8_t *isnull = a->user;
    a->cnt[g] = 1;
    isnull[g] = !valid;
    if (!valid) return RF_OK;
    if (a->vt == RF_TYPE_STRING) {
        int64_t l;
        const char *s = rf_col_str(v, i, &l);
        char *cpy = rf_strndup(s, (size_t)l);
        if (!cpy) return NOMEM();
        a->sbytes += l - a->sl[g];
        rf_free(a->sv[g]);
        a->sv[g] = cpy;
        a->sl[g] = l;
    } else if (a->dec) a->xv[g] = rf_col_dec(v, i);
    else if (a->vt == RF_TYPE_DOUBLE) a->dv[g] = rf_col_f64(v, i);
    else a->iv[g] = rf_column_get_int(v, i);
    return RF_OK;
}

static int fl_update(rf_aggst *a, const int64_t *gid, const rf_column *v, int64_t n)
{
    bool ign = fl_ignore(a), first = a->op == RF_A_FIRST;
    int rc = RF_OK;
    for (int64_t i = 0; i < n && !rc; i++) {
        bool valid = rf_column_valid(v, i);
        if (ign && !valid) continue;
        if (first && a->cnt[gid[i]]) continue;
        rc = fl_take(a, gid[i], v, i, valid);
    }
    return rc;
}

static int fl_merge(rf_aggst *a, const int64_t *gid, rf_column *const *st, int64_t n)
{
    bool first = a->op == RF_A_FIRST;
    int rc = RF_OK;
    for (int64_t i = 0; i < n && !rc; i++) {
        if (!rf_column_valid(st[1], i) || !rf_col_bool(st[1], i)) continue;   /* the piece took nothing */
        if (first && a->cnt[gid[i]]) continue;
        rc = fl_take(a, gid[i], st[0], i, rf_column_valid(st[0], i));
    }
    return rc;
}

static int fl_value(const rf_aggst *a, int64_t g, rf_column *out)
{
    const uint8_t *isnull = a->user;
    if (!a->cnt[g] || isnull[g]) return rf_column_append_null(out);
    if (a->vt == RF_TYPE_STRING) return rf_column_append_str(out, a->sv[g], a->sl[g]);
    if (a->dec) return rf_column_append_dec(out, a->xv[g]);
    if (a->vt == RF_TYPE_DOUBLE) return rf_column_append_f64(out, a->dv[g]);
    return rf_column_append_i64(out, a->iv[g]);
}

static int fl_out(const rf_aggst *a, int64_t ng, rf_column **out)
{
    int rc = rf_column_create(a->call->type, ng, out);
    for (int64_t g = 0; g < ng && !rc; g++) rc = fl_value(a, g, *out);
    return rc;
}

static int fl_serialize(const rf_aggst *a, int64_t ng, rf_column **st)
{
    int rc = rf_column_create(a->call->type, ng, &st[0]);
    if (!rc) rc = rf_column_create(RF_TYPE_BOOL, ng, &st[1]);
    for (int64_t g = 0; g < ng && !rc; g++) {
        rc = fl_value(a, g, st[0]);
        if (!rc) rc = rf_column_append_i64(st[1], a->cnt[g] != 0);
    }
    return rc;
}

static int64_t fl_bytes(const rf_aggst *a) { return b_bytes(a) + a->cap; }
static void fl_fini(rf_aggst *a) { RF_FREE(a->user); b_fini(a); }

#define FL(name) { name, b_init, fl_grow, fl_update, fl_merge, fl_serialize, fl_out, fl_bytes, fl_fini }

/* ---- collect_list / collect_set: a group's strings (NULLs left out, as Spark), in input order for the
 * list, sorted and without repeats for the set (Spark's set order is unspecified; sorted it is the same
 * at every rank count). Held as one byte string per group of length-prefixed values; serialized as it
 * is [STRING]. */
typedef struct { char *b; int64_t len, cap, n; } slist;

static int cl_grow(rf_aggst *a, int64_t need) { return grow_user(a, need, sizeof(slist)); }

static int cl_put(rf_aggst *a, int64_t g, const char *p, int64_t n)   /* n bytes of length-prefixed values */
{
    slist *l = (slist *)a->user + g;
    if (l->len + n > l->cap) {
        int64_t nc = l->cap ? l->cap : 64;
        while (nc < l->len + n) nc *= 2;
        char *b = rf_realloc(l->b, (size_t)nc);
        if (!b) return NOMEM();
        a->sbytes += nc - l->cap;
        l->b = b;
        l->cap = nc;
    }
    memcpy(l->b + l->len, p, (size_t)n);
    l->len += n;
    return RF_OK;
}

static int cl_update(rf_aggst *a, const int64_t *gid, const rf_column *v, int64_t n)
{
    int rc = RF_OK;
    rf_buf enc = { 0 };
    for (int64_t i = 0; i < n && !rc; i++) {
        if (!rf_column_valid(v, i)) continue;
        int64_t l;
        const char *s;
        if (rf_type_is_nested(v->type)) {   /* a nested value: its encoded bytes (a string is its text) */
            enc.len = 0;
            if ((rc = rf_column_encode(v, &i, 1, &enc))) break;
            s = (const char *)enc.data;
            l = (int64_t)enc.len;
        } else s = rf_col_str(v, i, &l);
        if (l > UINT32_MAX) { rc = rf__err_set(RF_ERR_LIMIT, "%s(): a value of more than 4 GB", rf__agg_name(a->op)); break; }
        uint32_t len = (uint32_t)l;
        rc = cl_put(a, gid[i], (const char *)&len, 4);
        if (!rc) rc = cl_put(a, gid[i], s, l);
    }
    rf_buf_fini(&enc);
    return rc;
}

static int cl_merge(rf_aggst *a, const int64_t *gid, rf_column *const *st, int64_t n)
{
    int rc = RF_OK;
    for (int64_t i = 0; i < n && !rc; i++) {
        if (!rf_column_valid(st[0], i)) continue;
        int64_t l;
        const char *s = rf_col_str(st[0], i, &l);
        rc = cl_put(a, gid[i], s, l);
    }
    return rc;
}

static int cl_serialize(const rf_aggst *a, int64_t ng, rf_column **st)
{
    int rc = rf_column_create(RF_TYPE_STRING, ng, &st[0]);
    for (int64_t g = 0; g < ng && !rc; g++) {
        const slist *l = (const slist *)a->user + g;
        rc = rf_column_append_str(st[0], l->b ? l->b : "", l->len);
    }
    return rc;
}

/* A collect_set's order: ascending values (as numbers for numbers). */
static int elem_cmp(void *ctx, int64_t i, int64_t j) { return rf_column_cmp(ctx, i, ctx, j); }

static int cl_out(const rf_aggst *a, int64_t ng, rf_column **out)
{
    rf_column *txt = NULL, *typed = NULL;
    bool nested = rf_type_is_nested(rf_type_elem(a->call->type));
    int rc = rf_column_create(nested ? a->call->type : RF_TYPE_ARRAY, ng, &txt);
    for (int64_t g = 0; g < ng && !rc; g++) {
        const slist *l = (const slist *)a->user + g;
        for (int64_t q = 0; q + 4 <= l->len && !rc;) {
            uint32_t len;
            memcpy(&len, l->b + q, 4);
            if (nested) {   /* decoded */
                rf_rd rd = { (const uint8_t *)l->b + q + 4, (const uint8_t *)l->b + q + 4 + len };
                rf_column *one = NULL;
                rc = rf_column_decode(&rd, 1, &one);
                if (!rc) rc = one->type == txt->child->type ? rf_column_append_from(txt->child, one, 0) : rf__err_set(RF_ERR_INTERNAL, "collect state of another type");
                rf_column_release(&one);
            } else rc = rf_column_append_str(txt->child, l->b + q + 4, len);
            q += 4 + len;
        }
        if (!rc) rc = rf_column_end_list(txt);
    }
    /* values kept as text: back to the argument's type */
    if (!rc) rc = rf__cast_column(txt, ng, a->call->type, &typed);
    rf_column_release(&txt);
    if (rc || a->op != RF_A_COLLECT_SET) { *out = typed; return rc; }
    /* a set: each group's values sorted, duplicates dropped */
    int64_t nel = typed->child->len, *idx = rf_malloc((size_t)(nel ? nel : 1) * sizeof *idx);
    const int64_t *o = typed->data;
    rc = idx ? rf_column_create(typed->type, ng, out) : NOMEM();
    for (int64_t g = 0; g < ng && !rc; g++) {
        for (int64_t k = o[g]; k < o[g + 1]; k++) idx[k] = k;
        if ((rc = rf_sort_idx(idx + o[g], o[g + 1] - o[g], elem_cmp, typed->child))) break;
        for (int64_t k = o[g]; k < o[g + 1] && !rc; k++)
            if (k == o[g] || !rf_column_eq(typed->child, idx[k], typed->child, idx[k - 1]))
                rc = rf_column_append_from((*out)->child, typed->child, idx[k]);
        if (!rc) rc = rf_column_end_list(*out);
    }
    rf_free(idx);
    rf_column_release(&typed);
    if (rc) rf_column_release(out);
    return rc;
}

static int64_t cl_bytes(const rf_aggst *a) { return a->cap * (int64_t)sizeof(slist) + a->sbytes; }

static void cl_fini(rf_aggst *a)
{
    slist *l = a->user;
    for (int64_t g = 0; l && g < a->cap; g++) rf_free(l[g].b);
    RF_FREE(a->user);
    a->cap = 0;
    a->sbytes = 0;
}

#define CL(name) { name, b_init, cl_grow, cl_update, cl_merge, cl_serialize, cl_out, cl_bytes, cl_fini }

static const rf_aggfn builtin[RF_A_COUNT_] = {
    [RF_A_COUNT] = { "count", b_init, b_grow, count_update, count_merge, count_serialize, count_out, b_bytes, b_fini },
    [RF_A_SUM]   = { "sum", b_init, b_grow, sum_update, sum_merge, sum_serialize, sum_out, b_bytes, b_fini },
    [RF_A_AVG]   = { "avg", b_init, b_grow, sum_update, sum_merge, avg_serialize, avg_out, b_bytes, b_fini },
    [RF_A_MIN]   = { "min", b_init, b_grow, minmax_update, minmax_merge, minmax_serialize, minmax_out, b_bytes, b_fini },
    [RF_A_MAX]   = { "max", b_init, b_grow, minmax_update, minmax_merge, minmax_serialize, minmax_out, b_bytes, b_fini },
    [RF_A_VAR_SAMP] = { "var_samp", mom_init, mom_grow, mom_update, mom_merge, mom_serialize, mom_out, mom_bytes, mom_fini },
    [RF_A_VAR_POP] = { "var_pop", mom_init, mom_grow, mom_update, mom_merge, mom_serialize, mom_out, mom_bytes, mom_fini },
    [RF_A_STDDEV_SAMP] = { "stddev_samp", mom_init, mom_grow, mom_update, mom_merge, mom_serialize, mom_out, mom_bytes, mom_fini },
    [RF_A_STDDEV_POP] = { "stddev_pop", mom_init, mom_grow, mom_update, mom_merge, mom_serialize, mom_out, mom_bytes, mom_fini },
    [RF_A_SKEWNESS] = { "skewness", mom_init, mom_grow, mom_update, mom_merge, mom_serialize, mom_out, mom_bytes, mom_fini },
    [RF_A_KURTOSIS] = { "kurtosis", mom_init, mom_grow, mom_update, mom_merge, mom_serialize, mom_out, mom_bytes, mom_fini },
    [RF_A_BOOL_AND] = { "bool_and", b_init, b_grow, bool_update, bool_merge, bool_serialize, bool_out, b_bytes, b_fini },
    [RF_A_BOOL_OR] = { "bool_or", b_init, b_grow, bool_update, bool_merge, bool_serialize, bool_out, b_bytes, b_fini },
    [RF_A_COVAR_POP] = CO("covar_pop"), [RF_A_COVAR_SAMP] = CO("covar_samp"), [RF_A_CORR] = CO("corr"),
    [RF_A_REGR_COUNT] = CO("regr_count"), [RF_A_REGR_AVGX] = CO("regr_avgx"), [RF_A_REGR_AVGY] = CO("regr_avgy"),
    [RF_A_REGR_SXX] = CO("regr_sxx"), [RF_A_REGR_SYY] = CO("regr_syy"), [RF_A_REGR_SXY] = CO("regr_sxy"),
    [RF_A_REGR_SLOPE] = CO("regr_slope"), [RF_A_REGR_INTERCEPT] = CO("regr_intercept"), [RF_A_REGR_R2] = CO("regr_r2"),
    [RF_A_PERCENTILE] = PC("percentile"), [RF_A_PERCENTILE_APPROX] = PC("percentile_approx"), [RF_A_MEDIAN] = PC("median"),
    [RF_A_FIRST] = FL("first"), [RF_A_LAST] = FL("last"),
    [RF_A_COLLECT_LIST] = CL("collect_list"), [RF_A_COLLECT_SET] = CL("collect_set"),
};

const rf_aggfn *rf__aggfn_of(const rf_expr *call)
{
    if (call->kind == RF_E_AGG && (call->op == RF_A_UDAF || call->op == RF_A_RDD)) return rf__udf_aggfn(call);
    return call->kind == RF_E_AGG && call->op >= 0 && call->op < RF_A_COUNT_ ? &builtin[call->op] : NULL;
}

int rf__agg_state_types(const rf_expr *call, rf_type *t)
{
    switch (call->op) {
    case RF_A_COUNT: t[0] = RF_TYPE_INT64; return 1;
    case RF_A_AVG: t[0] = call->arg[0]->type; t[1] = RF_TYPE_INT64; return 2;   /* the sum, in its argument's type */
    case RF_A_PERCENTILE: case RF_A_PERCENTILE_APPROX: case RF_A_MEDIAN: t[0] = RF_TYPE_STRING; return 1;   /* packed doubles */
    case RF_A_FIRST: case RF_A_LAST: t[0] = call->type; t[1] = RF_TYPE_BOOL; return 2;   /* the value, and whether one was taken */
    case RF_A_COLLECT_LIST: case RF_A_COLLECT_SET: t[0] = RF_TYPE_STRING; return 1;     /* length-prefixed values */
    case RF_A_UDAF: case RF_A_RDD: t[0] = RF_TYPE_STRING; return 1;                     /* the user's state bytes; an encoded value */
    case RF_A_COVAR_POP: case RF_A_COVAR_SAMP: case RF_A_CORR: case RF_A_REGR_COUNT: case RF_A_REGR_AVGX: case RF_A_REGR_AVGY:
    case RF_A_REGR_SXX: case RF_A_REGR_SYY: case RF_A_REGR_SXY: case RF_A_REGR_SLOPE: case RF_A_REGR_INTERCEPT: case RF_A_REGR_R2:
        t[0] = RF_TYPE_INT64;
        for (int m = 0; m < 5; m++) t[1 + m] = RF_TYPE_DOUBLE;
        return 6;
    case RF_A_VAR_SAMP: case RF_A_VAR_POP: case RF_A_STDDEV_SAMP: case RF_A_STDDEV_POP: case RF_A_SKEWNESS: case RF_A_KURTOSIS: {
        int k = call->op == RF_A_SKEWNESS || call->op == RF_A_KURTOSIS ? 4 : 2;
        t[0] = RF_TYPE_INT64;
        for (int m = 0; m < k; m++) t[1 + m] = RF_TYPE_DOUBLE;
        return 1 + k;
    }
    default: t[0] = call->type; return 1;
    }
}

int rf__agg_init(rf_aggst *a, const rf_expr *call)
{
    if (!(a->fn = rf__aggfn_of(call))) return rf__err_set(RF_ERR_INTERNAL, "no aggregate function for this call");
    return a->fn->init(a, call);
}
