/*
 * op_xread.c — the leaf that reads an exchange: decodes the chunks this task's partition received
 * (in map task order) and merges small chunks into batches of about riffle.batch.rows rows. A
 * chunk that was spilled is read back from its spool into a buffer the operator reuses. When
 * adaptive execution re-planned the stage (rf_stage.spec), a task reads a run of partitions one
 * after another, and of a split skewed partition only the chunks of its map tasks.
 */
#include "exec/exec.h"
#include "shuffle/shuffle.h"

typedef struct {
    const rf_xdata *x;
    int64_t part, part_end, next, m_lo, m_hi;
    rf_buf buf;
} xread_st;

static int open_(rf_op *op)
{
    xread_st *s = rf_calloc(1, sizeof *s);
    if (!s) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    int id = rf__stage_of(op->ctx->stages, op->plan);
    if (id < 0) { rf_free(s); return rf__err_set(RF_ERR_INTERNAL, "an exchange without a stage"); }
    const rf_xdata *x = &op->ctx->xdata[id];
    const rf_stage *sg = op->ctx->stage;
    s->x = x;
    s->m_lo = INT64_MIN;
    s->m_hi = INT64_MAX;
    if (op->plan->mode == RF_X_BROADCAST) s->part_end = 1;
    else if (sg && sg->spec) {
        const rf_taskspec *t = &sg->spec[op->task];
        s->part = t->p_lo;
        s->part_end = t->p_hi;
        if (sg->split_x == op->plan) { s->m_lo = t->m_lo; s->m_hi = t->m_hi; }
    } else {
        s->part = op->task;
        s->part_end = op->task + 1;
    }
    if (s->part_end > x->nparts) s->part_end = x->nparts;
    op->st = s;
    return RF_OK;
}

static int next(rf_op *op, rf_batch **out)
{
    xread_st *s = op->st;
    rf_blist l = { 0 };
    int rc = RF_OK;
    while (s->part < s->part_end && l.rows < op->ctx->batch_rows) {
        const rf_chunkv *v = &s->x->parts[s->part];
        if (s->next >= v->n) { s->part++; s->next = 0; continue; }
        const rf_chunk *c = &v->c[s->next++];
        if (c->task < s->m_lo || c->task >= s->m_hi) continue;
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
