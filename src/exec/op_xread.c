/*
 * op_xread.c — the leaf that reads an exchange: decodes the chunks this task's partition received
 * (in map task order) and merges small chunks into batches of about riffle.batch.rows rows. A
 * chunk that was spilled is read back from its spool into a buffer the operator reuses.
 */
#include "exec/exec.h"
#include "shuffle/shuffle.h"

typedef struct { const rf_xdata *x; const rf_chunkv *v; int64_t next; rf_buf buf; } xread_st;

static int open_(rf_op *op)
{
    xread_st *s = rf_calloc(1, sizeof *s);
    if (!s) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    int id = rf__stage_of(op->ctx->stages, op->plan);
    if (id < 0) { rf_free(s); return rf__err_set(RF_ERR_INTERNAL, "an exchange without a stage"); }
    const rf_xdata *x = &op->ctx->xdata[id];
    int64_t part = op->plan->mode == RF_X_BROADCAST ? 0 : op->task;
    static const rf_chunkv empty = { 0 };
    s->x = x;
    s->v = part < x->nparts ? &x->parts[part] : &empty;
    op->st = s;
    return RF_OK;
}

static int next(rf_op *op, rf_batch **out)
{
    xread_st *s = op->st;
    rf_blist l = { 0 };
    int rc = RF_OK;
    while (s->next < s->v->n && l.rows < op->ctx->batch_rows) {
        const rf_chunk *c = &s->v->c[s->next++];
        const uint8_t *data;
        if ((rc = rf__chunk_bytes(s->x, c, &s->buf, &data))) goto done;   /* a spilled chunk is read back */
        rf_rd r = { data, data + c->len };
        while (r.p < r.end && !rc) {
            rf_batch *b = NULL;
            if ((rc = rf__unpack_batch(&r, &b))) break;
            rc = rf_blist_push(&l, b);
        }
        if (rc) goto done;
    }
    if (l.n == 1) { *out = l.b[0]; l.n = 0; }
    else if (l.n > 1) rc = rf_batch_concat(l.b, (int)l.n, NULL, out);
done:
    rf_blist_fini(&l);
    return rc;
}

static void close_(rf_op *op)
{
    xread_st *s = op->st;
    if (s) rf_buf_fini(&s->buf);
    RF_FREE(op->st);
}

const rf_op_vt rf__op_xread_vt = { "ExchangeRead", open_, next, close_ };
