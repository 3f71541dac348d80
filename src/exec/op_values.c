/*
 * op_values.c — LocalRelation: literal rows carried in the plan (SELECT without FROM, VALUES).
 * One task produces them all, once.
 */
#include "exec/exec.h"

static int open_(rf_op *op) { op->st = op; return RF_OK; }

static int next(rf_op *op, rf_batch **out)
{
    const rf_plan *p = op->plan;
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

static void close_(rf_op *op) { op->st = NULL; }

const rf_op_vt rf__op_values_vt = { "LocalRelation", open_, next, close_ };
