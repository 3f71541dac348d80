/*
 * op_hashagg.c — HashAggregate in three modes:
 *   PARTIAL  raw rows  -> keys + aggregation states (map side, before the exchange)
 *   FINAL    states    -> keys + results (merges the partial states of every map task)
 *   COMPLETE raw rows  -> keys + results
 * States: count (int64); sum (value + non-null count); avg (double sum + count); min/max (value).
 * A decimal sum or avg keeps an exact 128-bit sum; one that overflows stays saturated and ends NULL.
 * Groups come out in first-seen order, which is deterministic because task input order is.
 * A global aggregation (no keys) with no input still returns one row, as SQL requires.
 */
#include <math.h>
#include <stdlib.h>
#include "exec/exec.h"

typedef struct {
    int      op;
    rf_type  vt;       /* value type of sum/min/max */
    bool     dec;      /* the input values are decimals */
    int64_t *cnt;
    int64_t *iv;
    double  *dv;
    rf_dec  *xv;       /* decimal sums and min/max */
    char   **sv;
    int64_t *sl;
} agg_state;

typedef struct {
    rf_hashtab ht;
    bool       ht_ready;
    int        na;
    agg_state *a;
    int64_t    cap;
    rf_batch  *result;
    int64_t    pos;
} hashagg_st;

static int grow_states(hashagg_st *s, int64_t need)
{
    if (need <= s->cap) return RF_OK;
    int64_t nc = s->cap ? s->cap : 64;
    while (nc < need) nc *= 2;
    for (int k = 0; k < s->na; k++) {
        agg_state *a = &s->a[k];
        int64_t *c = rf_realloc(a->cnt, (size_t)nc * 8), *iv = rf_realloc(a->iv, (size_t)nc * 8), *sl;
        if (c) a->cnt = c;
        if (iv) a->iv = iv;
        double *dv = rf_realloc(a->dv, (size_t)nc * 8);
        if (dv) a->dv = dv;
        if (!c || !iv || !dv) return rf__err_set(RF_ERR_NOMEM, "out of memory for aggregation state");
        if (a->dec) {
            rf_dec *xv = rf_realloc(a->xv, (size_t)nc * sizeof *xv);
            if (!xv) return rf__err_set(RF_ERR_NOMEM, "out of memory for aggregation state");
            a->xv = xv;
            for (int64_t g = s->cap; g < nc; g++) a->xv[g] = 0;
        }
        if (a->vt == RF_TYPE_STRING) {
            char **sv = rf_realloc(a->sv, (size_t)nc * sizeof *sv);
            if (sv) a->sv = sv;
            sl = rf_realloc(a->sl, (size_t)nc * 8);
            if (sl) a->sl = sl;
            if (!sv || !sl) return rf__err_set(RF_ERR_NOMEM, "out of memory for aggregation state");
        }
        for (int64_t g = s->cap; g < nc; g++) {
            a->cnt[g] = 0; a->iv[g] = 0; a->dv[g] = 0;
            if (a->sv) { a->sv[g] = NULL; a->sl[g] = 0; }
        }
    }
    s->cap = nc;
    return RF_OK;
}

/* Folds value i of column v into group g's state (raw input or a partial state). */
static int fold_value(agg_state *a, int64_t g, const rf_column *v, int64_t i, bool final)
{
    if (!v) { a->cnt[g]++; return RF_OK; }   /* count(*) */
    if (!rf_column_valid(v, i)) return RF_OK;
    switch (a->op) {
    case RF_A_COUNT:
        a->cnt[g] += final ? rf_col_i64(v, i) : 1;
        return RF_OK;
    case RF_A_SUM: case RF_A_AVG:
        if (a->op == RF_A_SUM) a->cnt[g]++;
        if (a->dec) {
            if (__builtin_add_overflow(a->xv[g], rf_col_dec(v, i), &a->xv[g])) a->xv[g] = rf_dec_pow10(38);   /* saturate */
            else if (!rf_dec_fits(a->xv[g], 38)) a->xv[g] = rf_dec_pow10(38);
        } else if (a->vt == RF_TYPE_DOUBLE || a->op == RF_A_AVG) a->dv[g] += rf_col_f64(v, i);
        else a->iv[g] = (int64_t)((uint64_t)a->iv[g] + (uint64_t)rf_col_i64(v, i));
        if (a->op == RF_A_AVG && !final) a->cnt[g]++;
        return RF_OK;
    default: {
        bool better = a->cnt[g] == 0;
        if (!better) {
            int c;
            if (a->vt == RF_TYPE_STRING) {
                int64_t len;
                const char *p = rf_col_str(v, i, &len);
                int64_t m = len < a->sl[g] ? len : a->sl[g];
                c = memcmp(p, a->sv[g], (size_t)m);
                if (!c) c = (len > a->sl[g]) - (len < a->sl[g]);
            } else if (a->dec) {
                rf_dec x = rf_col_dec(v, i), y = a->xv[g];
                c = (x > y) - (x < y);
            } else if (a->vt == RF_TYPE_DOUBLE) {
                double x = rf_col_f64(v, i), y = a->dv[g];
                c = (x != x || y != y) ? (x != x) - (y != y) : (x > y) - (x < y);
            } else {
                int64_t x = rf_column_get_int(v, i), y = a->iv[g];
                c = (x > y) - (x < y);
            }
            better = a->op == RF_A_MIN ? c < 0 : c > 0;
        }
        a->cnt[g]++;
        if (!better) return RF_OK;
        if (a->vt == RF_TYPE_STRING) {
            int64_t len;
            const char *p = rf_col_str(v, i, &len);
            char *cpy = rf_strndup(p, (size_t)len);
            if (!cpy) return rf__err_set(RF_ERR_NOMEM, "out of memory");
            rf_free(a->sv[g]);
            a->sv[g] = cpy;
            a->sl[g] = len;
        } else if (a->dec) a->xv[g] = rf_col_dec(v, i);
        else if (a->vt == RF_TYPE_DOUBLE) a->dv[g] = rf_col_f64(v, i);
        else a->iv[g] = rf_column_get_int(v, i);
        return RF_OK;
    }
    }
}

static int consume(rf_op *op, hashagg_st *s)
{
    const rf_plan *p = op->plan;
    bool final = p->mode == RF_AGG_FINAL;
    int nk = p->n_exprs, rc = RF_OK;
    rf_column **keys = rf_calloc((size_t)nk + 1, sizeof *keys), **vals = rf_calloc((size_t)s->na + 1, sizeof *vals);
    rf_column **cnts = rf_calloc((size_t)s->na + 1, sizeof *cnts);
    if (!keys || !vals || !cnts) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); goto done; }
    for (;;) {
        rf_batch *b = NULL;
        uint64_t *h = NULL;
        RF_TRY(rf__op_next(op->child[0], &b));
        if (!b) break;
        if (final) {
            int c = nk;
            for (int k = 0; k < nk; k++) keys[k] = rf_column_retain(b->cols[k]);
            for (int k = 0; k < s->na; k++) {
                vals[k] = rf_column_retain(b->cols[c++]);
                if (s->a[k].op == RF_A_AVG) cnts[k] = rf_column_retain(b->cols[c++]);
            }
        } else {
            for (int k = 0; k < nk && !rc; k++) rc = rf__expr_eval(p->exprs[k], b, &keys[k]);
            for (int k = 0; k < s->na && !rc; k++)
                if (p->exprs2[k]->n_arg) rc = rf__expr_eval(p->exprs2[k]->arg[0], b, &vals[k]);
            if (rc) goto next_done;
        }
        if (!s->ht_ready) {
            if ((rc = rf__ht_init(&s->ht, nk, keys))) goto next_done;
            s->ht_ready = true;
        }
        if ((rc = rf__hash_rows(keys, nk, b->nrows, &h))) goto next_done;
        for (int64_t i = 0; i < b->nrows; i++) {
            int64_t g;
            bool ins;
            if ((rc = rf__ht_upsert(&s->ht, keys, i, h[i], &g, &ins))) break;
            if (ins && (rc = grow_states(s, s->ht.n))) break;
            for (int k = 0; k < s->na && !rc; k++) {
                rc = fold_value(&s->a[k], g, vals[k], i, final);
                if (!rc && cnts[k] && rf_column_valid(cnts[k], i)) s->a[k].cnt[g] += rf_col_i64(cnts[k], i);
            }
            if (rc) break;
        }
next_done:
        rf_free(h);
        for (int k = 0; k < nk; k++) rf_column_release(&keys[k]);
        for (int k = 0; k < s->na; k++) { rf_column_release(&vals[k]); rf_column_release(&cnts[k]); }
        rf_batch_destroy(&b);
        if (rc) break;
    }
done:
    rf_free(keys);
    rf_free(vals);
    rf_free(cnts);
    return rc;
}

static int emit(rf_op *op, hashagg_st *s)
{
    const rf_plan *p = op->plan;
    int nk = p->n_exprs, rc = RF_OK;
    bool partial = p->mode == RF_AGG_PARTIAL;
    int64_t ng = s->ht_ready ? s->ht.n : 0;
    if (!s->ht_ready) {   /* no input at all: set up an empty table to read key types from the schema */
        rf_column **like = rf_calloc((size_t)nk + 1, sizeof *like);
        if (!like) return rf__err_set(RF_ERR_NOMEM, "out of memory");
        for (int k = 0; k < nk && !rc; k++) rc = rf_column_create(p->schema->f[k].type, 1, &like[k]);
        if (!rc) rc = rf__ht_init(&s->ht, nk, like);
        for (int k = 0; k < nk; k++) rf_column_release(&like[k]);
        rf_free(like);
        if (rc) return rc;
        s->ht_ready = true;
    }
    if (nk == 0 && ng == 0 && !partial) {   /* global aggregate over nothing: one row */
        RF_TRY(grow_states(s, 1));
        ng = 1;
    }
    RF_TRY(rf_batch_create(p->schema->n, ng, &s->result));
    for (int k = 0; k < nk; k++) s->result->cols[k] = rf_column_retain(s->ht.keys[k]);
    int c = nk;
    for (int k = 0; k < s->na; k++) {
        agg_state *a = &s->a[k];
        rf_type t = p->schema->f[c].type;
        rf_column *col = NULL;
        RF_TRY(rf_column_create(t, ng, &col));
        s->result->cols[c++] = col;
        rf_column *col2 = NULL;
        if (partial && a->op == RF_A_AVG) {
            RF_TRY(rf_column_create(RF_TYPE_INT64, ng, &col2));
            s->result->cols[c++] = col2;
        }
        for (int64_t g = 0; g < ng; g++) {
            switch (a->op) {
            case RF_A_COUNT: rc = rf_column_append_i64(col, a->cnt[g]); break;
            case RF_A_AVG:
                if (a->dec) {
                    rf_dec q;
                    const rf_expr *ae = p->exprs2[k];
                    int sx = rf_type_scale(ae->arg[0]->type);
                    if (partial) {
                        rc = rf_column_append_dec(col, a->xv[g]);
                        if (!rc) rc = rf_column_append_i64(col2, a->cnt[g]);
                    } else if (a->cnt[g] && rf_dec_fits(a->xv[g], 38) &&
                               rf_dec_div(a->xv[g], sx, a->cnt[g], 0, rf_type_precision(t), rf_type_scale(t), &q))
                        rc = rf_column_append_dec(col, q);
                    else rc = rf_column_append_null(col);
                    break;
                }
                if (partial) {
                    rc = rf_column_append_f64(col, a->dv[g]);
                    if (!rc) rc = rf_column_append_i64(col2, a->cnt[g]);
                } else rc = a->cnt[g] ? rf_column_append_f64(col, a->dv[g] / (double)a->cnt[g]) : rf_column_append_null(col);
                break;
            default:
                if (a->cnt[g] == 0) rc = rf_column_append_null(col);
                else if (a->vt == RF_TYPE_STRING) rc = rf_column_append_str(col, a->sv[g], a->sl[g]);
                else if (a->dec)   /* a partial state stays saturated so that the final sum is NULL too */
                    rc = partial || rf_dec_fits(a->xv[g], rf_type_precision(t)) ? rf_column_append_dec(col, a->xv[g]) : rf_column_append_null(col);
                else if (a->vt == RF_TYPE_DOUBLE) rc = rf_column_append_f64(col, a->dv[g]);
                else rc = rf_column_append_i64(col, a->iv[g]);
                break;
            }
            if (rc) goto done;
        }
    }
done:
    return rc;
}

static int open_(rf_op *op)
{
    const rf_plan *p = op->plan;
    hashagg_st *s = rf_calloc(1, sizeof *s);
    if (!s) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    op->st = s;
    s->na = p->n_exprs2;
    s->a = rf_calloc((size_t)(s->na ? s->na : 1), sizeof *s->a);
    if (!s->a) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int k = 0; k < s->na; k++) {
        s->a[k].op = p->exprs2[k]->op;
        s->a[k].vt = p->exprs2[k]->type;
        s->a[k].dec = p->exprs2[k]->n_arg && rf_type_is_decimal(p->exprs2[k]->arg[0]->type) && p->exprs2[k]->op != RF_A_COUNT;
    }
    int rc = consume(op, s);
    return rc ? rc : emit(op, s);
}

static int next(rf_op *op, rf_batch **out)
{
    hashagg_st *s = op->st;
    return rf__emit_slice(&s->result, &s->pos, op->ctx->batch_rows, out);
}

static void close_(rf_op *op)
{
    hashagg_st *s = op->st;
    if (!s) return;
    for (int k = 0; k < s->na; k++) {
        agg_state *a = &s->a[k];
        if (a->sv) for (int64_t g = 0; g < s->cap; g++) rf_free(a->sv[g]);
        rf_free(a->cnt); rf_free(a->iv); rf_free(a->dv); rf_free(a->xv); rf_free(a->sv); rf_free(a->sl);
    }
    rf_free(s->a);
    if (s->ht_ready) rf__ht_fini(&s->ht);
    rf_batch_destroy(&s->result);
    RF_FREE(op->st);
}

const rf_op_vt rf__op_hashagg_vt = { "HashAggregate", open_, next, close_ };
