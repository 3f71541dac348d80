/*
 * op_filter.c — Filter: keeps the rows where the predicate is true (not false, not NULL).
 */
#include <stdlib.h>
#include "exec/exec.h"

static int open_(rf_op *op) { op->st = op; return RF_OK; }

static int next(rf_op *op, rf_batch **out)
{
    for (;;) {
        rf_batch *in = NULL;
        int64_t *sel = NULL, n = 0;
        int rc = rf__op_next(op->child[0], &in);
        if (rc || !in) return rc;
        rc = rf__expr_select(op->plan->cond, in, &sel, &n);
        if (!rc && n == in->nrows) { *out = in; rf_free(sel); return RF_OK; }
        if (!rc && n > 0) rc = rf_batch_gather(in, sel, n, out);
        rf_free(sel);
        rf_batch_destroy(&in);
        if (rc || *out) return rc;
    }
}

static void close_(rf_op *op) { op->st = NULL; }

const rf_op_vt rf__op_filter_vt = { "Filter", open_, next, close_ };
