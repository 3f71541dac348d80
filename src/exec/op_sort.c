/*
 * op_sort.c — Sort (a whole partition, stable) and TakeOrdered (top k, kept bounded while
 * reading), plus the sort-key comparison shared with range partitioning.
 */
#include <stdlib.h>
#include "exec/exec.h"

int rf__sortkey_cmp(const rf_expr *const *orders, int n, rf_column *const *a, int64_t i, rf_column *const *b, int64_t j)
{
    for (int k = 0; k < n; k++) {
        const rf_expr *o = orders[k];
        bool va = rf_column_valid(a[k], i), vb = rf_column_valid(b[k], j);
        if (!va || !vb) {
            if (va == vb) continue;
            return (!va ? -1 : 1) * (o->nulls_first ? 1 : -1);
        }
        int c = rf_column_cmp(a[k], i, b[k], j);
        if (c) return o->desc ? -c : c;
    }
    return 0;
}

int rf__sortkey_eval(const rf_expr *const *orders, int n, const rf_batch *b, rf_column ***cols)
{
    *cols = rf_calloc((size_t)(n ? n : 1), sizeof **cols);
    if (!*cols) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int k = 0; k < n; k++) {
        const rf_expr *e = orders[k]->kind == RF_E_SORT ? orders[k]->arg[0] : orders[k];
        int rc = rf__expr_eval(e, b, &(*cols)[k]);
        if (rc) { rf__cols_release(cols, n); return rc; }
    }
    return RF_OK;
}

void rf__cols_release(rf_column ***cols, int n)
{
    if (!*cols) return;
    for (int k = 0; k < n; k++) rf_column_release(&(*cols)[k]);
    RF_FREE(*cols);
}

typedef struct { const rf_expr *const *orders; int n; rf_column **cols; } sort_ctx;

static int cmp_rows(void *p, int64_t a, int64_t b)
{
    sort_ctx *c = p;
    return rf__sortkey_cmp(c->orders, c->n, c->cols, a, c->cols, b);
}

int rf__sort_batch(const rf_expr *const *orders, int n, const rf_batch *b, rf_batch **out)
{
    sort_ctx c = { orders, n, NULL };
    int64_t *idx = NULL;
    int rc = rf__sortkey_eval(orders, n, b, &c.cols);
    if (rc) return rc;
    RF_CHECK((idx = rf_malloc((size_t)(b->nrows ? b->nrows : 1) * sizeof *idx)) != NULL, RF_ERR_NOMEM, "out of memory");
    for (int64_t i = 0; i < b->nrows; i++) idx[i] = i;
    RF_TRY(rf_sort_idx(idx, b->nrows, cmp_rows, &c));
    rc = rf_batch_gather(b, idx, b->nrows, out);
done:
    rf_free(idx);
    rf__cols_release(&c.cols, n);
    return rc;
}

typedef struct { rf_batch *sorted; int64_t pos; } sort_st;

static int sort_open(rf_op *op)
{
    sort_st *s = rf_calloc(1, sizeof *s);
    rf_batch *all = NULL;
    if (!s) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    op->st = s;
    int rc = rf__op_drain(op->child[0], op->plan->schema, &all);
    if (!rc) rc = rf__sort_batch((const rf_expr *const *)op->plan->exprs, op->plan->n_exprs, all, &s->sorted);
    rf_batch_destroy(&all);
    return rc;
}

static int sort_next(rf_op *op, rf_batch **out)
{
    sort_st *s = op->st;
    return rf__emit_slice(&s->sorted, &s->pos, op->ctx->batch_rows, out);
}

static void sort_close(rf_op *op)
{
    sort_st *s = op->st;
    if (s) rf_batch_destroy(&s->sorted);
    RF_FREE(op->st);
}

const rf_op_vt rf__op_sort_vt = { "Sort", sort_open, sort_next, sort_close };

/* TakeOrdered: keeps at most k rows, re-sorting and truncating whenever the buffer passes 2k. */
static int topk_open(rf_op *op)
{
    sort_st *s = rf_calloc(1, sizeof *s);
    if (!s) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    op->st = s;
    const rf_plan *p = op->plan;
    const rf_expr *const *ord = (const rf_expr *const *)p->exprs;
    int64_t k = p->n, limit = k * 2 > 65536 ? k * 2 : 65536;
    rf_blist l = { 0 };
    rf_batch *b = NULL, *all = NULL, *sorted = NULL;
    int rc;
    for (;;) {
        RF_TRY(rf__op_next(op->child[0], &b));
        if (!b) break;
        RF_TRY(rf_blist_push(&l, b));
        b = NULL;
        if (l.rows > limit) {
            RF_TRY(rf_batch_concat(l.b, (int)l.n, p->schema, &all));
            rf_blist_fini(&l);
            RF_TRY(rf__sort_batch(ord, p->n_exprs, all, &sorted));
            rf_batch_destroy(&all);
            if (sorted->nrows > k) {
                RF_TRY(rf_batch_slice(sorted, 0, k, &all));
                rf_batch_destroy(&sorted);
                sorted = all;
                all = NULL;
            }
            RF_TRY(rf_blist_push(&l, sorted));
            sorted = NULL;
        }
    }
    RF_TRY(rf_batch_concat(l.b, (int)l.n, p->schema, &all));
    RF_TRY(rf__sort_batch(ord, p->n_exprs, all, &sorted));
    if (sorted->nrows > k) RF_TRY(rf_batch_slice(sorted, 0, k, &s->sorted));
    else { s->sorted = sorted; sorted = NULL; }
done:
    rf_blist_fini(&l);
    rf_batch_destroy(&b);
    rf_batch_destroy(&all);
    rf_batch_destroy(&sorted);
    return rc;
}

const rf_op_vt rf__op_topk_vt = { "TakeOrdered", topk_open, sort_next, sort_close };
