/*
 * op_union.c — Union (ALL): each task belongs to exactly one branch (see rf__op_build), so the
 * operator just passes that branch through.
 */
#include "exec/exec.h"

static int open_(rf_op *op) { op->st = op; return RF_OK; }

static int next(rf_op *op, rf_batch **out)
{
    if (op->n_child == 0) return RF_OK;
    return rf__op_next(op->child[0], out);
}

static void close_(rf_op *op) { op->st = NULL; }

const rf_op_vt rf__op_union_vt = { "Union", open_, next, close_ };
