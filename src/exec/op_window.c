/*
 * op_window.c — Window: evaluates window functions over one task's partition of the data.
 *
 * The input arrives hash-partitioned on the PARTITION BY keys (or all in one partition). The
 * operator sorts it by (partition keys, ORDER BY keys) — a stable sort, so ties keep their
 * deterministic input order — and then, per window partition, computes row_number, rank,
 * dense_rank, lag, lead, and count/sum/avg/min/max over the frame of each row:
 *   default frame: with ORDER BY, RANGE UNBOUNDED PRECEDING .. CURRENT ROW (peers included);
 *                  without, the whole partition (as Spark);
 *   ROWS BETWEEN n PRECEDING / UNBOUNDED .. n FOLLOWING / UNBOUNDED / CURRENT ROW;
 *   RANGE with UNBOUNDED / CURRENT ROW bounds.
 * Output: the sorted input rows with one column per window expression.
 */
#include <stdlib.h>
#include "exec/exec.h"

typedef struct { rf_batch *out; int64_t pos; } window_st;

typedef struct { const rf_expr *const *o; int n; rf_column **c; } wsort_ctx;
static int wcmp(void *p, int64_t a, int64_t b)
{
    wsort_ctx *c = p;
    return rf__sortkey_cmp(c->o, c->n, c->c, a, c->c, b);
}

static bool same_keys(rf_column **c, int n, int64_t a, int64_t b)
{
    for (int k = 0; k < n; k++) if (!rf_column_eq(c[k], a, c[k], b)) return false;
    return true;
}

/* Frame [*lo, *hi] of row i in partition [ps, pe) with peer group [gs, ge). */
static void frame_of(const rf_expr *w, int64_t i, int64_t ps, int64_t pe, int64_t gs, int64_t ge, int64_t *lo, int64_t *hi)
{
    if (w->frame == RF_FRAME_DEFAULT) {
        *lo = ps;
        *hi = w->n_order ? ge - 1 : pe - 1;
        return;
    }
    if (w->frame == RF_FRAME_RANGE) {
        *lo = w->frame_lo == RF_UNBOUNDED ? ps : gs;
        *hi = w->frame_hi == INT64_MAX ? pe - 1 : ge - 1;
        return;
    }
    *lo = w->frame_lo == RF_UNBOUNDED ? ps : (i + w->frame_lo < ps ? ps : i + w->frame_lo);
    *hi = w->frame_hi == INT64_MAX ? pe - 1 : (i + w->frame_hi > pe - 1 ? pe - 1 : i + w->frame_hi);
}

static int aggregate(const rf_expr *w, const rf_column *v, int64_t lo, int64_t hi, rf_column *out)
{
    int64_t cnt = 0, isum = 0, best = -1;
    double dsum = 0;
    rf_dec xsum = 0;
    bool xover = false;   /* the decimal sum overflowed 128 bits: NULL */
    for (int64_t j = lo; j <= hi; j++) {
        if (v && !rf_column_valid(v, j)) continue;
        cnt++;
        if (!v) continue;
        if (w->op == RF_A_SUM || w->op == RF_A_AVG) {
            if (v->type == RF_TYPE_DOUBLE) dsum += rf_col_f64(v, j);
            else if (rf_type_is_decimal(v->type)) xover |= __builtin_add_overflow(xsum, rf_col_dec(v, j), &xsum);
            else isum = (int64_t)((uint64_t)isum + (uint64_t)rf_column_get_int(v, j));
        } else if (w->op == RF_A_MIN || w->op == RF_A_MAX) {
            if (best < 0) best = j;
            else {
                int c = rf_column_cmp(v, j, v, best);
                if (w->op == RF_A_MIN ? c < 0 : c > 0) best = j;
            }
        }
    }
    switch (w->op) {
    case RF_A_COUNT: return rf_column_append_i64(out, cnt);
    case RF_A_SUM:
        if (!cnt) return rf_column_append_null(out);
        if (rf_type_is_decimal(out->type))
            return xover || !rf_dec_fits(xsum, rf_type_precision(out->type)) ? rf_column_append_null(out) : rf_column_append_dec(out, xsum);
        return out->type == RF_TYPE_DOUBLE ? rf_column_append_f64(out, v->type == RF_TYPE_DOUBLE ? dsum : (double)isum) : rf_column_append_i64(out, isum);
    case RF_A_AVG:
        if (!cnt) return rf_column_append_null(out);
        if (rf_type_is_decimal(out->type)) {
            rf_dec q;
            bool ok = !xover && rf_dec_div(xsum, rf_type_scale(v->type), cnt, 0, rf_type_precision(out->type), rf_type_scale(out->type), &q);
            return ok ? rf_column_append_dec(out, q) : rf_column_append_null(out);
        }
        return rf_column_append_f64(out, (v->type == RF_TYPE_DOUBLE ? dsum : (double)isum) / (double)cnt);
    default:
        return best < 0 ? rf_column_append_null(out) : rf_column_append_from(out, v, best);
    }
}

static int compute(const rf_expr *w, const rf_batch *b, rf_column **pk, int np_, rf_column **ok, int no, rf_column **out)
{
    int na = rf__window_nargs(w), rc;
    int64_t n = b->nrows;
    rf_column *v = NULL, *def = NULL;
    RF_TRY(rf_column_create(w->type, n, out));
    if (na >= 1) RF_TRY(rf__expr_eval(w->arg[0], b, &v));
    if (na >= 3) RF_TRY(rf__expr_eval(w->arg[2], b, &def));
    int64_t k = na >= 2 ? w->arg[1]->lit.v.i : 1;
    for (int64_t ps = 0; ps < n;) {
        int64_t pe = ps + 1;
        while (pe < n && same_keys(pk, np_, ps, pe)) pe++;
        int64_t rank = 0, dense = 0;
        /* running state for frames that start at the partition start and only grow */
        for (int64_t gs = ps; gs < pe;) {
            int64_t ge = gs + 1;
            while (ge < pe && same_keys(ok, no, gs, ge)) ge++;
            dense++;
            rank = gs - ps + 1;
            for (int64_t i = gs; i < ge; i++) {
                switch (w->op) {
                case RF_W_ROW_NUMBER: rc = rf_column_append_i64(*out, i - ps + 1); break;
                case RF_W_RANK: rc = rf_column_append_i64(*out, rank); break;
                case RF_W_DENSE_RANK: rc = rf_column_append_i64(*out, dense); break;
                case RF_W_LAG: case RF_W_LEAD: {
                    int64_t j = w->op == RF_W_LAG ? i - k : i + k;
                    if (j >= ps && j < pe) rc = rf_column_append_from(*out, v, j);
                    else if (def) rc = rf_column_append_from(*out, def, i);
                    else rc = rf_column_append_null(*out);
                    break;
                }
                default: {
                    int64_t lo, hi;
                    frame_of(w, i, ps, pe, gs, ge, &lo, &hi);
                    rc = aggregate(w, v, lo, hi, *out);
                    break;
                }
                }
                if (rc) goto done;
            }
            gs = ge;
        }
        ps = pe;
    }
    rc = RF_OK;
done:
    rf_column_release(&v);
    rf_column_release(&def);
    if (rc) rf_column_release(out);
    return rc;
}

static int open_(rf_op *op)
{
    const rf_plan *p = op->plan;
    window_st *s = rf_calloc(1, sizeof *s);
    rf_batch *all = NULL, *sorted = NULL;
    rf_column **keys = NULL;
    rf_expr **orders = NULL;
    int64_t *idx = NULL;
    int rc, np_ = 0, no = 0;
    if (!s) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    op->st = s;
    RF_TRY(rf__op_drain(op->child[0], p->child[0]->schema, &all));
    const rf_expr *w0 = p->exprs[0];
    int na0 = rf__window_nargs(w0);
    np_ = w0->n_part;
    no = w0->n_order;
    /* sort by partition keys (ascending) then the window's orders */
    RF_CHECK((orders = rf_calloc((size_t)(np_ + no + 1), sizeof *orders)) != NULL, RF_ERR_NOMEM, "out of memory");
    for (int i = 0; i < np_; i++) {
        rf_expr *c = NULL;
        RF_TRY(rf__expr_copy(w0->arg[na0 + i], &c));
        orders[i] = rf_asc(c);
        RF_CHECK(orders[i] != NULL, RF_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < no; i++) RF_TRY(rf__expr_copy(w0->arg[na0 + np_ + i], &orders[np_ + i]));
    RF_TRY(rf__sortkey_eval((const rf_expr *const *)orders, np_ + no, all, &keys));
    RF_CHECK((idx = rf_malloc((size_t)(all->nrows ? all->nrows : 1) * sizeof *idx)) != NULL, RF_ERR_NOMEM, "out of memory");
    for (int64_t i = 0; i < all->nrows; i++) idx[i] = i;
    wsort_ctx ctx = { (const rf_expr *const *)orders, np_ + no, keys };
    RF_TRY(rf_sort_idx(idx, all->nrows, wcmp, &ctx));
    RF_TRY(rf_batch_gather(all, idx, all->nrows, &sorted));
    rf__cols_release(&keys, np_ + no);
    RF_TRY(rf__sortkey_eval((const rf_expr *const *)orders, np_ + no, sorted, &keys));
    RF_TRY(rf_batch_create(p->schema->n, sorted->nrows, &s->out));
    for (int c = 0; c < sorted->ncols; c++) s->out->cols[c] = rf_column_retain(sorted->cols[c]);
    for (int e = 0; e < p->n_exprs; e++)
        RF_TRY(compute(p->exprs[e], sorted, keys, np_, keys + np_, no, &s->out->cols[sorted->ncols + e]));
done:
    if (orders) for (int i = 0; i < np_ + no; i++) rf_expr_destroy(&orders[i]);
    rf_free(orders);
    rf__cols_release(&keys, np_ + no);
    rf_free(idx);
    rf_batch_destroy(&all);
    rf_batch_destroy(&sorted);
    return rc;
}

static int next(rf_op *op, rf_batch **out)
{
    window_st *s = op->st;
    return rf__emit_slice(&s->out, &s->pos, op->ctx->batch_rows, out);
}

static void close_(rf_op *op)
{
    window_st *s = op->st;
    if (s) rf_batch_destroy(&s->out);
    RF_FREE(op->st);
}

const rf_op_vt rf__op_window_vt = { "Window", open_, next, close_ };
