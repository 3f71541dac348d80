/*
 * op_hashagg.c — HashAggregate in three modes:
 *   PARTIAL  raw rows  -> keys + aggregation states (map side, before the exchange)
 *   FINAL    states    -> keys + results (merges the partial states of every map task)
 *   COMPLETE raw rows  -> keys + results
 * States: count (int64); sum (value + non-null count); avg (double sum + count); min/max (value).
 * A decimal sum or avg keeps an exact 128-bit sum; one that overflows stays saturated and ends NULL.
 * Groups come out in first-seen order, which is deterministic because task input order is.
 * A global aggregation (no keys) with no input still returns one row, as SQL requires.
 *
 * Bounded memory (docs/ARCHITECTURE.md "Memory"): the table's bytes are reserved from the rank's
 * execution pool as it grows. When it outgrows the operator's share (rf_task_ctx.op_mem) or the pool
 * refuses, a PARTIAL aggregation emits what it has and starts afresh (the FINAL side merges the
 * pieces), and a FINAL or COMPLETE one spills: its groups, as serialized states, go to FANOUT spill
 * files by the top bits of the key hash, and the table starts afresh. At the end every partition is
 * read back on its own and merged (merge_state); one that still does not fit is split again by the
 * next bits, down to MAX_DEPTH levels. The groups then come out partition by partition.
 */
#include <math.h>
#include <stdlib.h>
#include "exec/exec.h"
#include "shuffle/shuffle.h"

#define TRY(x) do { int rc_ = (x); if (rc_ != RF_OK) return rc_; } while (0)
#define FANOUT    RF_SPILL_FANOUT
#define MAX_DEPTH RF_SPILL_DEPTH
#define MIN_SPILL_GROUPS 64   /* never spill a table smaller than this: the batch bounds it anyway */

typedef struct {
    int      op;
    rf_type  vt;       /* value type of sum/min/max */
    bool     dec;      /* the input values are decimals */
    int64_t *cnt;
    int64_t *iv;
    double  *dv;
    rf_dec  *xv;       /* decimal sums and min/max */
    char   **sv;
    int64_t *sl;
    int64_t  sbytes;   /* bytes of the min/max strings held */
} agg_state;

typedef struct { rf_spool sp; int depth; } agg_part;

typedef struct {
    rf_hashtab ht;
    bool       ht_ready;
    int        na;
    agg_state *a;
    int64_t    cap;
    int64_t    state_row;   /* state bytes per group */
    int64_t    reserved;    /* granted by rf__mem_reserve for the table */
    rf_batch  *result;
    int64_t    pos;
    bool       eof;         /* the child is drained */
    bool       done;        /* nothing comes after result */
    rf_spool  *cur;         /* [FANOUT] the partitions the table spills into now, or NULL */
    agg_part  *work;        /* spilled partitions still to aggregate (a stack) */
    int64_t    n_work, cap_work;
    rf_buf     tmp;
    rf_column **keys, **vals, **cnts;   /* scratch, one per key / aggregate */
} hashagg_st;

static int grow_states(hashagg_st *s, int64_t need)
{
    if (need <= s->cap) return RF_OK;
    int64_t nc = s->cap ? s->cap : 64;
    while (nc < need) nc *= 2;
    for (int k = 0; k < s->na; k++) {
        agg_state *a = &s->a[k];
        int64_t *c = rf_realloc(a->cnt, (size_t)nc * 8), *iv = rf_realloc(a->iv, (size_t)nc * 8), *sl;
        if (c) a->cnt = c;
        if (iv) a->iv = iv;
        double *dv = rf_realloc(a->dv, (size_t)nc * 8);
        if (dv) a->dv = dv;
        if (!c || !iv || !dv) return rf__err_set(RF_ERR_NOMEM, "out of memory for aggregation state");
        if (a->dec) {
            rf_dec *xv = rf_realloc(a->xv, (size_t)nc * sizeof *xv);
            if (!xv) return rf__err_set(RF_ERR_NOMEM, "out of memory for aggregation state");
            a->xv = xv;
            for (int64_t g = s->cap; g < nc; g++) a->xv[g] = 0;
        }
        if (a->vt == RF_TYPE_STRING) {
            char **sv = rf_realloc(a->sv, (size_t)nc * sizeof *sv);
            if (sv) a->sv = sv;
            sl = rf_realloc(a->sl, (size_t)nc * 8);
            if (sl) a->sl = sl;
            if (!sv || !sl) return rf__err_set(RF_ERR_NOMEM, "out of memory for aggregation state");
        }
        for (int64_t g = s->cap; g < nc; g++) {
            a->cnt[g] = 0; a->iv[g] = 0; a->dv[g] = 0;
            if (a->sv) { a->sv[g] = NULL; a->sl[g] = 0; }
        }
    }
    s->cap = nc;
    return RF_OK;
}

/* A candidate for min / max. */
typedef struct { int64_t i; double d; rf_dec x; const char *s; int64_t sl; } agg_val;

/* Offers candidate v, standing for n values, to min / max group g. */
static int offer(agg_state *a, int64_t g, const agg_val *v, int64_t n)
{
    bool better = a->cnt[g] == 0;
    if (!better) {
        int c;
        if (a->vt == RF_TYPE_STRING) {
            int64_t m = v->sl < a->sl[g] ? v->sl : a->sl[g];
            c = memcmp(v->s, a->sv[g], (size_t)m);
            if (!c) c = (v->sl > a->sl[g]) - (v->sl < a->sl[g]);
        } else if (a->dec) c = (v->x > a->xv[g]) - (v->x < a->xv[g]);
        else if (a->vt == RF_TYPE_DOUBLE) {
            double x = v->d, y = a->dv[g];
            c = (x != x || y != y) ? (x != x) - (y != y) : (x > y) - (x < y);
        } else c = (v->i > a->iv[g]) - (v->i < a->iv[g]);
        better = a->op == RF_A_MIN ? c < 0 : c > 0;
    }
    a->cnt[g] += n;
    if (!better) return RF_OK;
    if (a->vt == RF_TYPE_STRING) {
        char *cpy = rf_strndup(v->s, (size_t)v->sl);
        if (!cpy) return rf__err_set(RF_ERR_NOMEM, "out of memory");
        a->sbytes += v->sl - a->sl[g];
        rf_free(a->sv[g]);
        a->sv[g] = cpy;
        a->sl[g] = v->sl;
    } else if (a->dec) a->xv[g] = v->x;
    else if (a->vt == RF_TYPE_DOUBLE) a->dv[g] = v->d;
    else a->iv[g] = v->i;
    return RF_OK;
}

/* Folds value i of column v into group g's state (raw input or a partial state). */
static int fold_value(agg_state *a, int64_t g, const rf_column *v, int64_t i, bool final)
{
    if (!v) { a->cnt[g]++; return RF_OK; }   /* count(*) */
    if (!rf_column_valid(v, i)) return RF_OK;
    switch (a->op) {
    case RF_A_COUNT:
        a->cnt[g] += final ? rf_col_i64(v, i) : 1;
        return RF_OK;
    case RF_A_SUM: case RF_A_AVG:
        if (a->op == RF_A_SUM) a->cnt[g]++;
        if (a->dec) {
            if (__builtin_add_overflow(a->xv[g], rf_col_dec(v, i), &a->xv[g])) a->xv[g] = rf_dec_pow10(38);   /* saturate */
            else if (!rf_dec_fits(a->xv[g], 38)) a->xv[g] = rf_dec_pow10(38);
        } else if (a->vt == RF_TYPE_DOUBLE || a->op == RF_A_AVG) a->dv[g] += rf_col_f64(v, i);
        else a->iv[g] = (int64_t)((uint64_t)a->iv[g] + (uint64_t)rf_col_i64(v, i));
        if (a->op == RF_A_AVG && !final) a->cnt[g]++;
        return RF_OK;
    default: {
        agg_val c = { 0 };
        if (a->vt == RF_TYPE_STRING) c.s = rf_col_str(v, i, &c.sl);
        else if (a->dec) c.x = rf_col_dec(v, i);
        else if (a->vt == RF_TYPE_DOUBLE) c.d = rf_col_f64(v, i);
        else c.i = rf_column_get_int(v, i);
        return offer(a, g, &c, 1);
    }
    }
}

/* Serialized states (the spill format): per aggregate the columns cnt, iv (INT64), dv (DOUBLE), then
 * the decimal as two INT64 halves when it has one, then the string (NULL when absent). */
static int state_cols(const agg_state *a) { return 3 + (a->dec ? 2 : 0) + (a->vt == RF_TYPE_STRING); }

/* Merges serialized state i of columns c into group g. */
static int merge_state(agg_state *a, int64_t g, rf_column *const *c, int64_t i)
{
    int64_t oc = rf_col_i64(c[0], i);
    rf_dec x = 0;
    if (a->dec) x = (rf_dec)(((unsigned __int128)(uint64_t)rf_col_i64(c[3], i) << 64) | (uint64_t)rf_col_i64(c[4], i));
    switch (a->op) {
    case RF_A_COUNT:
        a->cnt[g] += oc;
        return RF_OK;
    case RF_A_SUM: case RF_A_AVG:
        a->cnt[g] += oc;
        if (a->dec) {
            if (__builtin_add_overflow(a->xv[g], x, &a->xv[g]) || !rf_dec_fits(a->xv[g], 38)) a->xv[g] = rf_dec_pow10(38);
        }
        a->dv[g] += rf_col_f64(c[2], i);
        a->iv[g] = (int64_t)((uint64_t)a->iv[g] + (uint64_t)rf_col_i64(c[1], i));
        return RF_OK;
    default: {
        if (oc == 0) return RF_OK;
        agg_val v = { .i = rf_col_i64(c[1], i), .d = rf_col_f64(c[2], i), .x = x };
        if (a->vt == RF_TYPE_STRING) v.s = rf_col_str(c[3 + (a->dec ? 2 : 0)], i, &v.sl);
        return offer(a, g, &v, oc);
    }
    }
}

/* Bytes the table holds now: slots, hashes, keys and states. */
static int64_t table_bytes(const hashagg_st *s)
{
    if (!s->ht_ready) return 0;
    int64_t b = s->ht.nslots * 8 + s->ht.cap * 8 + s->cap * s->state_row;
    for (int k = 0; k < s->ht.nkeys; k++) b += (int64_t)rf_column_bytes(s->ht.keys[k]);
    for (int k = 0; k < s->na; k++) b += s->a[k].sbytes;
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
    for (int k = 0; k < s->na; k++) {
        agg_state *a = &s->a[k];
        if (a->sv) for (int64_t g = 0; g < s->cap; g++) rf_free(a->sv[g]);
        RF_FREE(a->cnt); RF_FREE(a->iv); RF_FREE(a->dv); RF_FREE(a->xv); RF_FREE(a->sv); RF_FREE(a->sl);
        a->sbytes = 0;
    }
    s->cap = 0;
    if (s->ht_ready) rf__ht_fini(&s->ht);
    s->ht_ready = false;
    rf__mem_release(s->reserved);
    s->reserved = 0;
}

/* Upserts rows [0, n) of keys and returns their group ids in gid (n entries). */
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
        rc = rf__ht_upsert(&s->ht, keys, i, h[i], &gid[i], &ins);
        if (!rc && ins) rc = grow_states(s, s->ht.n);
    }
    rf_free(h);
    return rc;
}

/* The table as a batch of keys and serialized states (state_cols). */
static int state_batch(hashagg_st *s, rf_batch **out)
{
    int nk = s->ht.nkeys, nc = nk, rc = RF_OK;
    int64_t ng = s->ht.n;
    for (int k = 0; k < s->na; k++) nc += state_cols(&s->a[k]);
    TRY(rf_batch_create(nc, ng, out));
    rf_batch *b = *out;
    for (int k = 0; k < nk; k++) b->cols[k] = rf_column_retain(s->ht.keys[k]);
    int c = nk;
    for (int k = 0; k < s->na && !rc; k++) {
        agg_state *a = &s->a[k];
        rf_column *cc = NULL, *ci = NULL, *cd = NULL, *xh = NULL, *xl = NULL, *cs = NULL;
        if ((rc = rf_column_create(RF_TYPE_INT64, ng, &cc)) || (rc = rf_column_create(RF_TYPE_INT64, ng, &ci)) ||
            (rc = rf_column_create(RF_TYPE_DOUBLE, ng, &cd))) goto fail;
        b->cols[c++] = cc; b->cols[c++] = ci; b->cols[c++] = cd;
        if (a->dec) {
            if ((rc = rf_column_create(RF_TYPE_INT64, ng, &xh)) || (rc = rf_column_create(RF_TYPE_INT64, ng, &xl))) goto fail;
            b->cols[c++] = xh; b->cols[c++] = xl;
        }
        if (a->vt == RF_TYPE_STRING) {
            if ((rc = rf_column_create(RF_TYPE_STRING, ng, &cs))) goto fail;
            b->cols[c++] = cs;
        }
        for (int64_t g = 0; g < ng && !rc; g++) {
            rc = rf_column_append_i64(cc, a->cnt[g]);
            if (!rc) rc = rf_column_append_i64(ci, a->iv[g]);
            if (!rc) rc = rf_column_append_f64(cd, a->dv[g]);
            if (!rc && xh) rc = rf_column_append_i64(xh, (int64_t)(uint64_t)((unsigned __int128)a->xv[g] >> 64));
            if (!rc && xl) rc = rf_column_append_i64(xl, (int64_t)(uint64_t)a->xv[g]);
            if (!rc && cs) rc = a->sv[g] ? rf_column_append_str(cs, a->sv[g], a->sl[g]) : rf_column_append_null(cs);
        }
        continue;
fail:
        rf_column_release(&cc); rf_column_release(&ci); rf_column_release(&cd);
        rf_column_release(&xh); rf_column_release(&xl); rf_column_release(&cs);
    }
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
        int c = nk;
        for (int k = 0; k < s->na && !rc; k++) {
            for (int64_t i = 0; i < b->nrows && !rc; i++) rc = merge_state(&s->a[k], gid[i], b->cols + c, i);
            c += state_cols(&s->a[k]);
        }
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
    bool final = p->mode == RF_AGG_FINAL, partial = p->mode == RF_AGG_PARTIAL;
    int nk = p->n_exprs, rc = RF_OK;
    rf_column **keys = s->keys, **vals = s->vals, **cnts = s->cnts;
    for (;;) {
        if (partial && s->ht_ready &&
            ((op->ctx->partial_groups > 0 && s->ht.n >= op->ctx->partial_groups) || must_spill(op, s)))
            return RF_OK;   /* flush what we have; the FINAL side merges it */
        rf_batch *b = NULL;
        int64_t *gid = NULL;
        TRY(rf__op_next(op->child[0], &b));
        if (!b) { s->eof = true; return RF_OK; }
        if (final) {
            int c = nk;
            for (int k = 0; k < nk; k++) keys[k] = rf_column_retain(b->cols[k]);
            for (int k = 0; k < s->na; k++) {
                vals[k] = rf_column_retain(b->cols[c++]);
                if (s->a[k].op == RF_A_AVG) cnts[k] = rf_column_retain(b->cols[c++]);
            }
        } else {
            for (int k = 0; k < nk && !rc; k++) rc = rf__expr_eval(p->exprs[k], b, &keys[k]);
            for (int k = 0; k < s->na && !rc; k++)
                if (p->exprs2[k]->n_arg) rc = rf__expr_eval(p->exprs2[k]->arg[0], b, &vals[k]);
            if (rc) goto next_done;
        }
        if (!(gid = rf_malloc((size_t)(b->nrows ? b->nrows : 1) * sizeof *gid))) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); goto next_done; }
        if ((rc = upsert_rows(s, keys, nk, b->nrows, gid))) goto next_done;
        for (int k = 0; k < s->na && !rc; k++) {
            agg_state *a = &s->a[k];
            for (int64_t i = 0; i < b->nrows && !rc; i++) {
                rc = fold_value(a, gid[i], vals[k], i, final);
                if (!rc && cnts[k] && rf_column_valid(cnts[k], i)) a->cnt[gid[i]] += rf_col_i64(cnts[k], i);
            }
        }
next_done:
        rf_free(gid);
        for (int k = 0; k < nk; k++) rf_column_release(&keys[k]);
        for (int k = 0; k < s->na; k++) { rf_column_release(&vals[k]); rf_column_release(&cnts[k]); }
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
        TRY(grow_states(s, 1));
        ng = 1;
    }
    TRY(rf_batch_create(p->schema->n, ng, &s->result));
    for (int k = 0; k < nk; k++) s->result->cols[k] = rf_column_retain(s->ht.keys[k]);
    int c = nk;
    for (int k = 0; k < s->na; k++) {
        agg_state *a = &s->a[k];
        rf_type t = p->schema->f[c].type;
        rf_column *col = NULL;
        TRY(rf_column_create(t, ng, &col));
        s->result->cols[c++] = col;
        rf_column *col2 = NULL;
        if (partial && a->op == RF_A_AVG) {
            TRY(rf_column_create(RF_TYPE_INT64, ng, &col2));
            s->result->cols[c++] = col2;
        }
        for (int64_t g = 0; g < ng; g++) {
            switch (a->op) {
            case RF_A_COUNT: rc = rf_column_append_i64(col, a->cnt[g]); break;
            case RF_A_AVG:
                if (a->dec) {
                    rf_dec q;
                    const rf_expr *ae = p->exprs2[k];
                    int sx = rf_type_scale(ae->arg[0]->type);
                    if (partial) {
                        rc = rf_column_append_dec(col, a->xv[g]);
                        if (!rc) rc = rf_column_append_i64(col2, a->cnt[g]);
                    } else if (a->cnt[g] && rf_dec_fits(a->xv[g], 38) &&
                               rf_dec_div(a->xv[g], sx, a->cnt[g], 0, rf_type_precision(t), rf_type_scale(t), &q))
                        rc = rf_column_append_dec(col, q);
                    else rc = rf_column_append_null(col);
                    break;
                }
                if (partial) {
                    rc = rf_column_append_f64(col, a->dv[g]);
                    if (!rc) rc = rf_column_append_i64(col2, a->cnt[g]);
                } else rc = a->cnt[g] ? rf_column_append_f64(col, a->dv[g] / (double)a->cnt[g]) : rf_column_append_null(col);
                break;
            default:
                if (a->cnt[g] == 0) rc = rf_column_append_null(col);
                else if (a->vt == RF_TYPE_STRING) rc = rf_column_append_str(col, a->sv[g], a->sl[g]);
                else if (a->dec)   /* a partial state stays saturated so that the final sum is NULL too */
                    rc = partial || rf_dec_fits(a->xv[g], rf_type_precision(t)) ? rf_column_append_dec(col, a->xv[g]) : rf_column_append_null(col);
                else if (a->vt == RF_TYPE_DOUBLE) rc = rf_column_append_f64(col, a->dv[g]);
                else rc = rf_column_append_i64(col, a->iv[g]);
                break;
            }
            if (rc) goto done;
        }
    }
done:
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
    s->cnts = rf_calloc((size_t)s->na + 1, sizeof *s->cnts);
    if (!s->a || !s->keys || !s->vals || !s->cnts) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int k = 0; k < s->na; k++) {
        agg_state *a = &s->a[k];
        a->op = p->exprs2[k]->op;
        a->vt = p->exprs2[k]->type;
        a->dec = p->exprs2[k]->n_arg && rf_type_is_decimal(p->exprs2[k]->arg[0]->type) && p->exprs2[k]->op != RF_A_COUNT;
        s->state_row += 24 + (a->dec ? 16 : 0) + (a->vt == RF_TYPE_STRING ? 16 : 0);
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
    rf_free(s->keys); rf_free(s->vals); rf_free(s->cnts);
    rf_batch_destroy(&s->result);
    RF_FREE(op->st);
}

const rf_op_vt rf__op_hashagg_vt = { "HashAggregate", open_, next, close_ };
