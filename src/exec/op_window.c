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
 *
 * Bounded memory: the sort is an rf_sorter (external when the input outgrows the operator's share),
 * and rows come out of it in order, so the operator holds one window partition at a time (plus the
 * batch it is reading): when a batch starts a new partition, the partitions before it are complete
 * and are computed and emitted. One window partition must fit in memory (without PARTITION BY the
 * whole task's input is one partition).
 */
#include <stdlib.h>
#include "exec/exec.h"

typedef struct {
    rf_sorter *sorter;
    rf_expr  **orders;     /* partition keys (ascending) then the window's orders */
    int        np_, no;
    rf_blist   pend;       /* rows of the last, maybe incomplete, partition */
    rf_column **pend_keys; /* sort keys of pend's last batch */
    rf_batch  *out;        /* computed rows being emitted */
    int64_t    pos;
    bool       eof;
} window_st;

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
    int rc = RF_OK;
    if (!s) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    op->st = s;
    const rf_expr *w0 = p->exprs[0];
    int na0 = rf__window_nargs(w0);
    s->np_ = w0->n_part;
    s->no = w0->n_order;
    RF_CHECK((s->orders = rf_calloc((size_t)(s->np_ + s->no + 1), sizeof *s->orders)) != NULL, RF_ERR_NOMEM, "out of memory");
    for (int i = 0; i < s->np_; i++) {
        rf_expr *c = NULL;
        RF_TRY(rf__expr_copy(w0->arg[na0 + i], &c));
        s->orders[i] = rf_asc(c);
        RF_CHECK(s->orders[i] != NULL, RF_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < s->no; i++) RF_TRY(rf__expr_copy(w0->arg[na0 + s->np_ + i], &s->orders[s->np_ + i]));
    RF_TRY(rf__sorter_new((const rf_expr *const *)s->orders, s->np_ + s->no, p->child[0]->schema, op->ctx, &s->sorter));
    for (;;) {
        rf_batch *b = NULL;
        RF_TRY(rf__op_next(op->child[0], &b));
        if (!b) break;
        RF_TRY(rf__sorter_add(s->sorter, b));
    }
    rc = rf__sorter_finish(s->sorter);
done:
    return rc;
}

/* Computes the window columns over the complete partitions in l (sorted rows) into s->out; empties l. */
static int compute_all(rf_op *op, window_st *s, rf_blist *l)
{
    const rf_plan *p = op->plan;
    rf_batch *sorted = NULL;
    rf_column **keys = NULL;
    int n = s->np_ + s->no, rc = rf_batch_concat(l->b, (int)l->n, p->child[0]->schema, &sorted);
    rf_blist_fini(l);
    memset(l, 0, sizeof *l);
    if (rc) return rc;
    RF_TRY(rf__sortkey_eval((const rf_expr *const *)s->orders, n, sorted, &keys));
    RF_TRY(rf_batch_create(p->schema->n, sorted->nrows, &s->out));
    for (int c = 0; c < sorted->ncols; c++) s->out->cols[c] = rf_column_retain(sorted->cols[c]);
    for (int e = 0; e < p->n_exprs; e++)
        RF_TRY(compute(p->exprs[e], sorted, keys, s->np_, keys + s->np_, s->no, &s->out->cols[sorted->ncols + e]));
done:
    if (rc) rf_batch_destroy(&s->out);
    rf__cols_release(&keys, n);
    rf_batch_destroy(&sorted);
    return rc;
}

/* Reads sorted batches until some partitions are complete, and computes them into s->out. */
static int advance(rf_op *op, window_st *s)
{
    int n = s->np_ + s->no, rc = RF_OK;
    rf_column **keys = NULL;
    while (!s->eof) {
        rf_batch *b = NULL;
        RF_TRY(rf__sorter_next(s->sorter, op->ctx->batch_rows, &b));
        if (!b) { s->eof = true; break; }
        if ((rc = rf__sortkey_eval((const rf_expr *const *)s->orders, n, b, &keys))) { rf_batch_destroy(&b); goto done; }
        /* the start of b's last partition */
        int64_t last = b->nrows - 1;
        while (last > 0 && rf__sortkey_cmp((const rf_expr *const *)s->orders, s->np_, keys, last - 1, keys, b->nrows - 1) == 0) last--;
        bool cont = s->pend.n > 0 &&
                    rf__sortkey_cmp((const rf_expr *const *)s->orders, s->np_, s->pend_keys, s->pend.b[s->pend.n - 1]->nrows - 1, keys, 0) == 0;
        if (last == 0 && (cont || s->pend.n == 0)) {   /* b continues (or starts) the pending partition */
            rf__cols_release(&s->pend_keys, n);
            s->pend_keys = keys;
            keys = NULL;
            RF_TRY(rf_blist_push(&s->pend, b));
            continue;
        }
        /* complete: pend and b[0, last); pending: b[last, end) */
        rf_batch *head = NULL, *tail = NULL;
        if (last > 0 && (rc = rf_batch_slice(b, 0, last, &head))) { rf_batch_destroy(&b); goto done; }
        rc = rf_batch_slice(b, last, b->nrows - last, &tail);
        rf_batch_destroy(&b);
        if (!rc && head) rc = rf_blist_push(&s->pend, head);
        else rf_batch_destroy(&head);
        rf_blist done_l = s->pend;
        memset(&s->pend, 0, sizeof s->pend);
        if (!rc) rc = compute_all(op, s, &done_l);
        rf_blist_fini(&done_l);
        if (!rc) rc = rf_blist_push(&s->pend, tail);
        else rf_batch_destroy(&tail);
        if (rc) goto done;
        /* keys of the new pending batch: rows [last, end) of keys */
        rf__cols_release(&s->pend_keys, n);
        RF_TRY(rf__sortkey_eval((const rf_expr *const *)s->orders, n, s->pend.b[0], &s->pend_keys));
        if (s->out) goto done;
    }
    if (s->eof && s->pend.n) rc = compute_all(op, s, &s->pend);
done:
    rf__cols_release(&keys, n);
    return rc;
}

static int next(rf_op *op, rf_batch **out)
{
    window_st *s = op->st;
    *out = NULL;
    for (;;) {
        int rc = rf__emit_slice(&s->out, &s->pos, op->ctx->batch_rows, out);
        if (rc || *out) return rc;
        rf_batch_destroy(&s->out);
        s->pos = 0;
        if (s->eof) return RF_OK;
        if ((rc = advance(op, s))) return rc;
    }
}

static void close_(rf_op *op)
{
    window_st *s = op->st;
    if (!s) return;
    rf_batch_destroy(&s->out);
    rf__sorter_free(&s->sorter);
    rf_blist_fini(&s->pend);
    rf__cols_release(&s->pend_keys, s->np_ + s->no);
    if (s->orders) for (int i = 0; i < s->np_ + s->no; i++) rf_expr_destroy(&s->orders[i]);
    rf_free(s->orders);
    RF_FREE(op->st);
}

const rf_op_vt rf__op_window_vt = { "Window", open_, next, close_ };
