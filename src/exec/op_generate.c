/*
 * op_generate.c — Generate (explode): one output row per element of an array column, carrying the
 * input row's columns along. NULL and empty arrays produce no rows, as Spark's explode().
 */
#include <stdlib.h>
#include "exec/exec.h"

static int open_(rf_op *op) { op->st = op; return RF_OK; }

static int next(rf_op *op, rf_batch **out)
{
    for (;;) {
        rf_batch *in = NULL, *b = NULL;
        rf_column *arr = NULL;
        int64_t *sel = NULL;
        int rc = rf__op_next(op->child[0], &in);
        if (rc || !in) return rc;
        RF_TRY(rf__expr_eval(op->plan->cond, in, &arr));
        RF_CHECK(arr->type == RF_TYPE_ARRAY && !arr->is_const, RF_ERR_INTERNAL, "explode of a non-array");
        const int64_t *o = arr->data;
        int64_t total = arr->child->len;
        if (total > 0) {
            RF_CHECK((sel = rf_malloc((size_t)total * sizeof *sel)) != NULL, RF_ERR_NOMEM, "out of memory");
            int64_t k = 0;
            for (int64_t i = 0; i < in->nrows; i++)
                if (rf_column_valid(arr, i))
                    for (int64_t e = o[i]; e < o[i + 1]; e++) sel[k++] = i;
            RF_TRY(rf_batch_create(in->ncols + 1, k, &b));
            for (int c = 0; c < in->ncols; c++) RF_TRY(rf_column_gather(in->cols[c], sel, 0, k, &b->cols[c]));
            /* elements of valid arrays, in order: the child column itself when no array is NULL */
            if (k == arr->child->len) b->cols[in->ncols] = rf_column_retain(arr->child);
            else {
                int64_t *es = sel, m = 0;   /* reuse: element indexes of valid arrays */
                for (int64_t i = 0; i < in->nrows; i++)
                    if (rf_column_valid(arr, i)) for (int64_t e = o[i]; e < o[i + 1]; e++) es[m++] = e;
                RF_TRY(rf_column_gather(arr->child, es, 0, m, &b->cols[in->ncols]));
            }
            *out = b;
            b = NULL;
        }
done:
        rf_free(sel);
        rf_column_release(&arr);
        rf_batch_destroy(&in);
        rf_batch_destroy(&b);
        if (rc || *out) return rc;
    }
}

static void close_(rf_op *op) { op->st = NULL; }

const rf_op_vt rf__op_generate_vt = { "Generate", open_, next, close_ };
