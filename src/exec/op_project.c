/*
 * op_project.c — Project: evaluates the output expressions over each input batch. Column
 * references are passed through without copying; constants are materialized so that every batch
 * leaving a projection has plain columns.
 */
#include "exec/exec.h"

static int open_(rf_op *op) { op->st = op; return RF_OK; }

static int next(rf_op *op, rf_batch **out)
{
    rf_batch *in = NULL, *b = NULL;
    int rc = rf__op_next(op->child[0], &in);
    if (rc || !in) return rc;
    const rf_plan *p = op->plan;
    RF_TRY(rf_batch_create(p->n_exprs, in->nrows, &b));
    for (int i = 0; i < p->n_exprs; i++) {
        rf_column *c = NULL;
        RF_TRY(rf__expr_eval(p->exprs[i], in, &c));
        if (c->is_const) {
            rc = rf_column_expand(c, in->nrows, &b->cols[i]);
            rf_column_release(&c);
            if (rc) goto done;
        } else {
            b->cols[i] = c;
        }
    }
    *out = b;
    b = NULL;
done:
    rf_batch_destroy(&in);
    rf_batch_destroy(&b);
    return rc;
}

static void close_(rf_op *op) { op->st = NULL; }

const rf_op_vt rf__op_project_vt = { "Project", open_, next, close_ };
