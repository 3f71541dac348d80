/*
 * op_hashagg.c — HashAggregate in four modes:
 *   PARTIAL  raw rows  -> keys + aggregation states (map side, before the exchange)
 *   FINAL    states    -> keys + results (merges the partial states of every map task)
 *   MERGE    states    -> keys + states (streaming state: the old states and a batch's, merged)
 *   COMPLETE raw rows  -> keys + results
 * The aggregates are driven through their interface (expr/agg.h: grow, update, merge, serialize,
 * finalize), a batch at a time; PARTIAL emits keys and serialized states, FINAL merges them.
 * Groups come out in first-seen order, which is deterministic because task input order is.
 * A global aggregation (no keys) with no input still returns one row, as SQL requires.
 *
 * Bounded memory (docs/ARCHITECTURE.md "Memory"): the table's bytes are reserved from the rank's
 * execution pool as it grows. When it outgrows the operator's share (rf_task_ctx.op_mem) or the pool
 * refuses, a PARTIAL aggregation emits what it has and starts afresh (the FINAL side merges the
 * pieces), and a FINAL or COMPLETE one spills: its groups, as serialized states, go to FANOUT spill
 * files by the top bits of the key hash, and the table starts afresh. At the end every partition is
 * read back on its own and merged (the aggregates' merge); one that still does not fit is split again by the
 * next bits, down to MAX_DEPTH levels. The groups then come out partition by partition.
 */
#include <math.h>
#include <stdlib.h>
#include "exec/exec.h"
#include "shuffle/shuffle.h"
#include "expr/agg.h"

#define TRY(x) do { int rc_ = (x); if (rc_ != RF_OK) return rc_; } while (0)
#define FANOUT    RF_SPILL_FANOUT
#define MAX_DEPTH RF_SPILL_DEPTH
#define MIN_SPILL_GROUPS 64   /* never spill a table smaller than this: the batch bounds it anyway */

typedef struct { rf_spool sp; int depth; } agg_part;

typedef struct {
    rf_hashtab ht;
    bool       ht_ready;
    int        na;
    rf_aggst  *a;           /* [na] the aggregates' states (expr/agg.h) */
    int       *nst;         /* [na] serialized state columns of each */
    int64_t    reserved;    /* granted by rf__mem_reserve for the table */
    rf_batch  *result;
    int64_t    pos;
    bool       eof;         /* the child is drained */
    bool       done;        /* nothing comes after result */
    rf_spool  *cur;         /* [FANOUT] the partitions the table spills into now, or NULL */
    agg_part  *work;        /* spilled partitions still to aggregate (a stack) */
    int64_t    n_work, cap_work;
    rf_buf     tmp;
    rf_column **keys, **vals, **vals2;   /* scratch, one per key / aggregate (vals2: second arguments) */
} hashagg_st;

/* Bytes the table holds now: slots, hashes, keys and states. */
static int64_t table_bytes(const hashagg_st *s)
{
    if (!s->ht_ready) return 0;
    int64_t b = s->ht.nslots * 8 + s->ht.cap * 8;
    for (int k = 0; k < s->ht.nkeys; k++) b += (int64_t)rf_column_bytes(s->ht.keys[k]);
    for (int k = 0; k < s->na; k++) b += s->a[k].fn->bytes(&s->a[k]);
    return b;
}

/* Whether the table must spill (or, partial, flush) now: it outgrew the operator's share, or the
 * pool refused it more. A global aggregation has one group and never does. */
static bool must_spill(const rf_op *op, hashagg_st *s)
{
    if (!s->ht_ready || s->ht.nkeys == 0) return false;
    if (s->ht.n < MIN_SPILL_GROUPS && !(op->ctx->force_spill > 0 && s->ht.n >= op->ctx->force_spill)) return false;
    return rf__op_must_spill(op->ctx, s->ht.n, table_bytes(s), &s->reserved);
}

/* Frees the groups (emit has taken what it needs) and gives the reservation back. */
static void reset_table(hashagg_st *s)
{
    for (int k = 0; k < s->na; k++) if (s->a[k].fn) s->a[k].fn->fini(&s->a[k]);
    if (s->ht_ready) rf__ht_fini(&s->ht);
    s->ht_ready = false;
    rf__mem_release(s->reserved);
    s->reserved = 0;
}

/* Upserts rows [0, n) of keys and returns their group ids in gid (n entries); every aggregate has
 * room for the groups after. */
static int upsert_rows(hashagg_st *s, rf_column **keys, int nk, int64_t n, int64_t *gid)
{
    uint64_t *h = NULL;
    int rc = RF_OK;
    if (!s->ht_ready) {
        TRY(rf__ht_init(&s->ht, nk, keys));
        s->ht_ready = true;
    }
    TRY(rf__hash_rows(keys, nk, n, &h));
    for (int64_t i = 0; i < n && !rc; i++) {
        bool ins;
        if (i + 16 < n) __builtin_prefetch(&s->ht.slot[h[i + 16] & (uint64_t)(s->ht.nslots - 1)]);   /* a table past the caches */
        rc = rf__ht_upsert(&s->ht, keys, i, h[i], &gid[i], &ins);
    }
    rf_free(h);
    for (int k = 0; k < s->na && !rc; k++) rc = s->a[k].fn->grow(&s->a[k], s->ht.n);
    return rc;
}

/* The table as a batch of keys and serialized states (what a partial aggregation emits and a
 * spill file holds: one format). */
static int state_batch(hashagg_st *s, rf_batch **out)
{
    int nk = s->ht.nkeys, nc = nk, rc = RF_OK;
    int64_t ng = s->ht.n;
    for (int k = 0; k < s->na; k++) nc += s->nst[k];
    TRY(rf_batch_create(nc, ng, out));
    rf_batch *b = *out;
    for (int k = 0; k < nk; k++) b->cols[k] = rf_column_retain(s->ht.keys[k]);
    for (int k = 0, c = nk; k < s->na && !rc; c += s->nst[k++]) rc = s->a[k].fn->serialize(&s->a[k], ng, b->cols + c);
    if (rc) rf_batch_destroy(out);
    return rc;
}

/* Writes the table's groups to the partitions of level depth (s->cur, made on first use; always
 * spill files) and empties it. */
static int spill_table(hashagg_st *s, int depth)
{
    if (!s->ht_ready || s->ht.n == 0) { reset_table(s); return RF_OK; }
    if (!s->cur) {
        if (!(s->cur = rf_calloc(FANOUT, sizeof *s->cur))) return rf__err_set(RF_ERR_NOMEM, "out of memory");
        for (int q = 0; q < FANOUT; q++) { rf__spool_init(&s->cur[q]); s->cur[q].owner = RF_SPILL_AGGREGATE; }
    }
    rf_batch *b = NULL;
    int64_t ng = s->ht.n, *sel = rf_malloc((size_t)ng * sizeof *sel), cnt[FANOUT + 1] = { 0 };
    int rc = sel ? state_batch(s, &b) : rf__err_set(RF_ERR_NOMEM, "out of memory");
    if (!rc) {
        int64_t pos[FANOUT];
        for (int64_t g = 0; g < ng; g++) cnt[rf__spill_part(s->ht.hash[g], depth) + 1]++;
        for (int q = 0; q < FANOUT; q++) { cnt[q + 1] += cnt[q]; pos[q] = cnt[q]; }
        for (int64_t g = 0; g < ng; g++) sel[pos[rf__spill_part(s->ht.hash[g], depth)]++] = g;
        for (int q = 0; q < FANOUT && !rc; q++) {
            if (cnt[q + 1] == cnt[q]) continue;
            rc = rf__spool_put_batch(&s->cur[q], b, sel + cnt[q], cnt[q + 1] - cnt[q], &s->tmp);
            if (!rc && !rf__spool_spilled(&s->cur[q])) rc = rf__spool_spill(&s->cur[q]);
        }
    }
    rf_free(sel);
    rf_batch_destroy(&b);
    reset_table(s);
    return rc;
}

/* Seals the partitions in s->cur and pushes the non-empty ones for aggregation at level depth
 * (partition 0 on top). */
static int push_parts(hashagg_st *s, int depth)
{
    int rc = RF_OK;
    for (int q = FANOUT - 1; q >= 0; q--) {
        rf_spool *sp = &s->cur[q];
        if (!rc && sp->len > 0) rc = rf__spool_seal(sp);
        if (!rc && sp->len > 0) rc = rf__grow((void **)&s->work, &s->cap_work, s->n_work + 1, sizeof *s->work);
        if (!rc && sp->len > 0) {
            s->work[s->n_work].sp = *sp;
            s->work[s->n_work++].depth = depth;
        } else rf__spool_fini(sp);
    }
    RF_FREE(s->cur);
    return rc;
}

/* Aggregates one spilled partition into the table; when it does not fit, splits it further. */
static int merge_part(rf_op *op, hashagg_st *s, agg_part *w)
{
    int nk = s->ht_ready ? s->ht.nkeys : op->plan->n_exprs, rc = RF_OK;
    int64_t off = 0;
    for (;;) {
        rf_batch *b = NULL;
        int64_t *gid = NULL;
        TRY(rf__spool_get_batch(&w->sp, &off, &s->tmp, &b));
        if (!b) break;
        if (!(gid = rf_malloc((size_t)(b->nrows ? b->nrows : 1) * sizeof *gid))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
        if (!rc) rc = upsert_rows(s, b->cols, nk, b->nrows, gid);
        for (int k = 0, c = nk; k < s->na && !rc; c += s->nst[k++]) rc = s->a[k].fn->merge(&s->a[k], gid, b->cols + c, b->nrows);
        rf_free(gid);
        rf_batch_destroy(&b);
        if (rc) return rc;
        if (w->depth < MAX_DEPTH && must_spill(op, s)) TRY(spill_table(s, w->depth));
    }
    if (s->cur) {
        TRY(spill_table(s, w->depth));
        TRY(push_parts(s, w->depth + 1));
    }
    return RF_OK;
}

/* Reads the child until its end (s->eof) or, partial, until the table should be flushed. A FINAL
 * or COMPLETE table that must spill spills at depth 0 and reading goes on. */
static int consume(rf_op *op, hashagg_st *s)
{
    const rf_plan *p = op->plan;
    bool final = p->mode == RF_AGG_FINAL || p->mode == RF_AGG_MERGE, partial = p->mode == RF_AGG_PARTIAL;
    int nk = p->n_exprs, rc = RF_OK;
    rf_column **keys = s->keys, **vals = s->vals, **vals2 = s->vals2;
    for (;;) {
        if (partial && s->ht_ready &&
            ((op->ctx->partial_groups > 0 && s->ht.n >= op->ctx->partial_groups) || must_spill(op, s)))
            return RF_OK;   /* flush what we have; the FINAL side merges it */
        rf_batch *b = NULL;
        int64_t *gid = NULL;
        TRY(rf__op_next(op->child[0], &b));
        if (!b) { s->eof = true; return RF_OK; }
        if (final) {   /* keys, then serialized states */
            for (int k = 0; k < nk; k++) keys[k] = rf_column_retain(b->cols[k]);
        } else {
            for (int k = 0; k < nk && !rc; k++) rc = rf__expr_eval(p->exprs[k], b, &keys[k]);
            for (int k = 0; k < s->na && !rc; k++) {
                if (p->exprs2[k]->n_arg) rc = rf__expr_eval(p->exprs2[k]->arg[0], b, &vals[k]);
                if (!rc && p->exprs2[k]->n_arg > 1) rc = rf__expr_eval(p->exprs2[k]->arg[1], b, &vals2[k]);
                s->a[k].v2 = vals2[k];
            }
            if (rc) goto next_done;
        }
        if (!(gid = rf_malloc((size_t)(b->nrows ? b->nrows : 1) * sizeof *gid))) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); goto next_done; }
        if ((rc = upsert_rows(s, keys, nk, b->nrows, gid))) goto next_done;
        for (int k = 0, c = nk; k < s->na && !rc; c += s->nst[k++])
            rc = final ? s->a[k].fn->merge(&s->a[k], gid, b->cols + c, b->nrows) : s->a[k].fn->update(&s->a[k], gid, vals[k], b->nrows);
next_done:
        rf_free(gid);
        for (int k = 0; k < nk; k++) rf_column_release(&keys[k]);
        for (int k = 0; k < s->na; k++) { rf_column_release(&vals[k]); rf_column_release(&vals2[k]); s->a[k].v2 = NULL; }
        rf_batch_destroy(&b);
        if (rc) return rc;
        if (!partial && must_spill(op, s)) TRY(spill_table(s, 0));
    }
}

static int emit(rf_op *op, hashagg_st *s)
{
    const rf_plan *p = op->plan;
    int nk = p->n_exprs, rc = RF_OK;
    bool partial = p->mode == RF_AGG_PARTIAL;
    int64_t ng = s->ht_ready ? s->ht.n : 0;
    if (!s->ht_ready) {   /* no input at all: set up an empty table to read key types from the schema */
        rf_column **like = rf_calloc((size_t)nk + 1, sizeof *like);
        if (!like) return rf__err_set(RF_ERR_NOMEM, "out of memory");
        for (int k = 0; k < nk && !rc; k++) rc = rf_column_create(p->schema->f[k].type, 1, &like[k]);
        if (!rc) rc = rf__ht_init(&s->ht, nk, like);
        for (int k = 0; k < nk; k++) rf_column_release(&like[k]);
        rf_free(like);
        if (rc) return rc;
        s->ht_ready = true;
    }
    if (nk == 0 && ng == 0 && !partial) {   /* global aggregate over nothing: one row */
        for (int k = 0; k < s->na; k++) TRY(s->a[k].fn->grow(&s->a[k], 1));
        ng = 1;
    }
    if (partial || p->mode == RF_AGG_MERGE) return state_batch(s, &s->result);
    TRY(rf_batch_create(p->schema->n, ng, &s->result));
    for (int k = 0; k < nk; k++) s->result->cols[k] = rf_column_retain(s->ht.keys[k]);
    for (int k = 0; k < s->na && !rc; k++) rc = s->a[k].fn->finalize(&s->a[k], ng, &s->result->cols[nk + k]);
    return rc;
}

static int open_(rf_op *op)
{
    const rf_plan *p = op->plan;
    hashagg_st *s = rf_calloc(1, sizeof *s);
    if (!s) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    op->st = s;
    s->na = p->n_exprs2;
    s->a = rf_calloc((size_t)(s->na ? s->na : 1), sizeof *s->a);
    s->keys = rf_calloc((size_t)p->n_exprs + 1, sizeof *s->keys);
    s->vals = rf_calloc((size_t)s->na + 1, sizeof *s->vals);
    s->vals2 = rf_calloc((size_t)s->na + 1, sizeof *s->vals2);
    s->nst = rf_calloc((size_t)s->na + 1, sizeof *s->nst);
    if (!s->a || !s->keys || !s->vals || !s->vals2 || !s->nst) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int k = 0; k < s->na; k++) {
        rf_type t[RF_AGG_MAX_STATE];
        TRY(rf__agg_init(&s->a[k], p->exprs2[k]));
        s->nst[k] = rf__agg_state_types(p->exprs2[k], t);
    }
    return RF_OK;
}

/* Makes the next s->result, or sets s->done. */
static int advance(rf_op *op, hashagg_st *s)
{
    if (!s->eof) {
        TRY(consume(op, s));
        if (!s->eof || (!s->cur && s->n_work == 0)) {   /* a partial flush, or all of it in memory */
            s->done = s->eof;
            int rc = emit(op, s);
            reset_table(s);
            return rc;
        }
        TRY(spill_table(s, 0));
        TRY(push_parts(s, 1));
    }
    while (s->n_work > 0) {
        agg_part w = s->work[--s->n_work];
        int rc = merge_part(op, s, &w);
        rf__spool_fini(&w.sp);
        if (!rc && s->ht_ready && s->ht.n > 0) rc = emit(op, s);
        reset_table(s);
        if (rc || s->result) return rc;
    }
    s->done = true;
    return RF_OK;
}

static int next(rf_op *op, rf_batch **out)
{
    hashagg_st *s = op->st;
    *out = NULL;
    for (;;) {
        TRY(rf__emit_slice(&s->result, &s->pos, op->ctx->batch_rows, out));
        if (*out) return RF_OK;
        rf_batch_destroy(&s->result);
        s->pos = 0;
        if (s->done) return RF_OK;
        TRY(advance(op, s));
    }
}

static void close_(rf_op *op)
{
    hashagg_st *s = op->st;
    if (!s) return;
    if (s->a) reset_table(s);
    rf_free(s->a);
    if (s->cur) for (int q = 0; q < FANOUT; q++) rf__spool_fini(&s->cur[q]);
    rf_free(s->cur);
    for (int64_t w = 0; w < s->n_work; w++) rf__spool_fini(&s->work[w].sp);
    rf_free(s->work);
    rf_buf_fini(&s->tmp);
    rf_free(s->keys); rf_free(s->vals); rf_free(s->vals2); rf_free(s->nst);
    rf_batch_destroy(&s->result);
    RF_FREE(op->st);
}

const rf_op_vt rf__op_hashagg_vt = { "HashAggregate", open_, next, close_ };
