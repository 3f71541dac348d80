/*
 * op_values.c — LocalRelation: literal rows carried in the plan (SELECT without FROM, VALUES).
 * One task produces them all, once. In range mode (mode 1: range(start, end, step), n partitions)
 * each task generates its share of the ids, a batch at a time: rows [task * total / n, (task + 1) *
 * total / n), the same at every rank count.
 */
#include <stdlib.h>
#include "exec/exec.h"

typedef struct { int64_t next, end; } range_st;   /* row numbers of this task still to make */

static int open_(rf_op *op)
{
    const rf_plan *p = op->plan;
    if (p->mode != 1) { op->st = op; return RF_OK; }
    range_st *r = rf_calloc(1, sizeof *r);
    if (!r) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    __int128 a = p->exprs[0]->lit.v.i, b = p->exprs[1]->lit.v.i, st = p->exprs[2]->lit.v.i;
    __int128 total = st > 0 ? (b > a ? (b - a + st - 1) / st : 0) : (a > b ? (a - b + (-st) - 1) / (-st) : 0);
    r->next = (int64_t)(total * op->task / p->n);
    r->end = (int64_t)(total * (op->task + 1) / p->n);
    op->st = r;
    return RF_OK;
}

static int range_next(rf_op *op, rf_batch **out)
{
    const rf_plan *p = op->plan;
    range_st *r = op->st;
    if (r->next >= r->end) return RF_OK;
    int64_t n = r->end - r->next, cap = op->ctx && op->ctx->batch_rows > 0 ? op->ctx->batch_rows : 8192;
    if (n > cap) n = cap;
    rf_batch *b = NULL;
    int rc = rf_batch_create(1, n, &b);
    if (!rc) rc = rf_column_create(RF_TYPE_INT64, n, &b->cols[0]);
    int64_t a = p->exprs[0]->lit.v.i, st = p->exprs[2]->lit.v.i;
    for (int64_t i = 0; i < n && !rc; i++) rc = rf_column_append_i64(b->cols[0], (int64_t)((__int128)a + (__int128)(r->next + i) * st));
    if (rc) { rf_batch_destroy(&b); return rc; }
    r->next += n;
    *out = b;
    return RF_OK;
}

static int next(rf_op *op, rf_batch **out)
{
    const rf_plan *p = op->plan;
    if (p->mode == 1) return range_next(op, out);
    if (op->rows_out > 0 || op->task != 0) return RF_OK;
    rf_batch *b = NULL;
    int nc = p->schema->n, rc = rf_batch_create(nc, p->n, &b);
    for (int c = 0; c < nc && !rc; c++) {
        rc = rf_column_create(p->schema->f[c].type, p->n, &b->cols[c]);
        for (int64_t r = 0; r < p->n && !rc; r++) {
            rf_value v = p->exprs[r * nc + c]->lit;
            v.type = p->schema->f[c].type;
            rc = rf_column_append_value(b->cols[c], &v);
        }
    }
    if (rc) { rf_batch_destroy(&b); return rc; }
    if (p->n == 0) { rf_batch_destroy(&b); return RF_OK; }
    *out = b;
    return RF_OK;
}

static void close_(rf_op *op)
{
    if (op->plan->mode == 1) rf_free(op->st);
    op->st = NULL;
}

const rf_op_vt rf__op_values_vt = { "LocalRelation", open_, next, close_ };
