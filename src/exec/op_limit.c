/*
 * op_limit.c — Limit: passes the first n rows through and stops pulling its input.
 */
#include "exec/exec.h"

typedef struct { int64_t left; } limit_st;

static int open_(rf_op *op)
{
    limit_st *s = rf_calloc(1, sizeof *s);
    if (!s) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    s->left = op->plan->n;
    op->st = s;
    return RF_OK;
}

static int next(rf_op *op, rf_batch **out)
{
    limit_st *s = op->st;
    rf_batch *in = NULL;
    if (s->left <= 0) return RF_OK;
    int rc = rf__op_next(op->child[0], &in);
    if (rc || !in) return rc;
    if (in->nrows <= s->left) { s->left -= in->nrows; *out = in; return RF_OK; }
    rc = rf_batch_slice(in, 0, s->left, out);
    s->left = 0;
    rf_batch_destroy(&in);
    return rc;
}

static void close_(rf_op *op) { RF_FREE(op->st); }

const rf_op_vt rf__op_limit_vt = { "Limit", open_, next, close_ };
