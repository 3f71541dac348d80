/*
 * op_generate.c — Generate (explode): one output row per element of an array or map column,
 * carrying the input row's columns along. NULL and empty arrays produce no rows, as Spark's
 * explode(); with RF_GEN_OUTER (explode_outer, LATERAL VIEW OUTER) they produce one row whose
 * element is NULL. With RF_GEN_POS (posexplode) the element's position (from 0) comes before it;
 * with RF_GEN_SPREAD each field of the (struct) element is a column of its own (a map's key and
 * value, inline()'s fields).
 */
#include <stdlib.h>
#include "exec/exec.h"
#include "plan/plan.h"

static int open_(rf_op *op) { op->st = op; return RF_OK; }

static int next(rf_op *op, rf_batch **out)
{
    bool outer = op->plan->n & RF_GEN_OUTER, pos = op->plan->n & RF_GEN_POS;
    for (;;) {
        rf_batch *in = NULL, *b = NULL;
        rf_column *arr = NULL, *pc = NULL;
        int64_t *sel = NULL, *es = NULL;
        int rc = rf__op_next(op->child[0], &in);
        if (rc || !in) return rc;
        RF_TRY(rf__expr_eval(op->plan->cond, in, &arr));
        if (arr->is_const) {
            rf_column *x = NULL;
            RF_TRY(rf_column_gather(arr, NULL, 0, in->nrows, &x));
            rf_column_release(&arr);
            arr = x;
        }
        RF_CHECK(arr->child != NULL, RF_ERR_INTERNAL, "explode of a non-array");
        const int64_t *o = arr->data;
        int64_t total = arr->child->len + (outer ? in->nrows : 0);
        if (total > 0) {
            sel = rf_malloc((size_t)total * sizeof *sel);
            es = rf_malloc((size_t)total * sizeof *es);   /* element index, -1 for an outer row's NULL */
            RF_CHECK(sel && es, RF_ERR_NOMEM, "out of memory");
            int64_t k = 0;
            bool plain = true;   /* every element of the child column, in order */
            for (int64_t i = 0; i < in->nrows; i++) {
                bool v = rf_column_valid(arr, i);
                if (v) for (int64_t e = o[i]; e < o[i + 1]; e++) { sel[k] = i; es[k++] = e; }
                if (outer && (!v || o[i] == o[i + 1])) { sel[k] = i; es[k++] = -1; plain = false; }
                if (!v && o[i] != o[i + 1]) plain = false;
            }
            if (k > 0) {
                int ng = rf__gen_extra(op->plan->n) - pos;
                RF_TRY(rf_batch_create(in->ncols + pos + ng, k, &b));
                for (int c = 0; c < in->ncols; c++) RF_TRY(rf_column_gather(in->cols[c], sel, 0, k, &b->cols[c]));
                if (pos) {
                    RF_TRY(rf_column_create(RF_TYPE_INT32, k, &pc));
                    for (int64_t q = 0; q < k && !rc; q++) rc = es[q] < 0 ? rf_column_append_null(pc) : rf_column_append_i64(pc, es[q] - o[sel[q]]);
                    if (rc) goto done;
                    b->cols[in->ncols] = pc;
                    pc = NULL;
                }
                rf_column *els = NULL;
                if (plain && k == arr->child->len) els = rf_column_retain(arr->child);
                else if (!outer) RF_TRY(rf_column_gather(arr->child, es, 0, k, &els));
                else {
                    RF_TRY(rf_column_create(arr->child->type, k, &els));
                    for (int64_t q = 0; q < k && !rc; q++) rc = es[q] < 0 ? rf_column_append_null(els) : rf_column_append_from(els, arr->child, es[q]);
                    if (rc) { rf_column_release(&els); goto done; }
                }
                if (!(op->plan->n & RF_GEN_SPREAD)) b->cols[in->ncols + pos] = els;
                else {   /* the fields, NULL where the element is (a NULL struct has NULL fields) */
                    RF_CHECK(els->nkids == ng, RF_ERR_INTERNAL, "generator of %d columns over %d fields", ng, els->nkids);
                    for (int f = 0; f < ng; f++) b->cols[in->ncols + pos + f] = rf_column_retain(els->kids[f]);
                    rf_column_release(&els);
                }
                *out = b;
                b = NULL;
            }
        }
done:
        rf_free(sel);
        rf_free(es);
        rf_column_release(&arr);
        rf_column_release(&pc);
        rf_batch_destroy(&in);
        rf_batch_destroy(&b);
        if (rc || *out) return rc;
    }
}

static void close_(rf_op *op) { op->st = NULL; }

const rf_op_vt rf__op_generate_vt = { "Generate", open_, next, close_ };
