/*
 * op_join.c — HashJoin and NestedLoopJoin. Both build the right input into one batch, then stream
 * the left input: candidate pairs (equal keys, or every pair for the nested loop) are filtered by
 * the residual condition, then shaped by the join type:
 *   inner: matched pairs; left: + unmatched left rows with NULLs; semi/anti: left rows with / without
 *   a match; right/full: + unmatched right rows, emitted after the left input is exhausted (each
 *   build row lives in exactly one task, so "unmatched" is decided locally).
 * NULL keys never match, as in SQL, except keys marked null-safe (<=>, bit k of plan->n).
 *
 * Bounded memory (docs/ARCHITECTURE.md "Memory"): the build side is reserved from the pool as it is
 * read. When it outgrows the operator's share (rf_task_ctx.op_mem) or the pool refuses, a hash join
 * turns into a Grace join: both sides are split into FANOUT spill files by the top bits of the key
 * hash, and each pair of partitions is joined on its own (a build partition still too big is split
 * again by the next bits, down to MAX_DEPTH levels). Rows with equal keys meet in the same pair, so
 * every join type, unmatched rows included, is decided within a pair. A pair whose build side still
 * does not fit at the last level (one heavy key), and a nested loop join's (no keys to split by: all
 * its rows make one pair), is joined in blocks: as many build rows as fit, against every probe row of
 * the pair read again from its spill file, block after block; which probe rows matched is kept (a
 * bit per row, in a spill file of its own: a probe batch's bits are read, changed and written back,
 * so memory holds one batch's bits) so that left / full / anti joins emit the unmatched ones after
 * the last block and a semi join emits a row once. A nested loop also slices its probe batches so that one step makes at
 * most MAX_PAIRS candidate pairs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "exec/exec.h"
#include "shuffle/shuffle.h"

#define FANOUT    RF_SPILL_FANOUT
#define MAX_DEPTH RF_SPILL_DEPTH

typedef enum { J_BUILD = 0, J_PROBE, J_EMIT_UNMATCHED, J_NEXT_PART, J_NEXT_BLOCK, J_UNMATCHED_PROBE, J_DONE } jstate;

#define MAX_PAIRS (1 << 20)   /* candidate pairs one probe step may make (a nested loop slices its probe batch) */

typedef struct { rf_spool b, p; int64_t brows; int depth; } jpart;

typedef struct {
    jstate    state;
    rf_batch *build;
    rf_column **bkeys;
    int64_t  *start, nbuckets; /* the build rows of bucket b are ent[start[b] .. start[b + 1]), in row order */
    struct jent { uint64_t h; int64_t row; } *ent;
    uint8_t  *matched;
    int64_t   reserved;     /* granted by rf__mem_reserve for the build side */
    bool      grace;        /* partitioned: probe batches come from cur.p */
    jpart     cur;
    int64_t   poff;
    jpart    *work;         /* partition pairs still to join (a stack) */
    int64_t   n_work, cap_work;
    rf_buf    tmp;
    /* blocks: a pair (cur) whose build side does not fit even split to the last level, or a nested
     * loop's, is joined a block of build rows at a time, each block against all of cur.p */
    bool      blocked;
    int64_t   boff;         /* where the next block starts in cur.b */
    int       pfd;          /* spill file: a bit per probe row of cur.p, over all blocks (left / full / semi / anti) */
    uint8_t  *pbits;        /* the bits of one probe batch: bytes [pbits_off, pbits_off + pbits_len) of pfd */
    int64_t   pbits_cap, pbits_off, pbits_len;
    int64_t   prow;         /* probe rows of cur.p read in this pass */
    rf_batch *pb;           /* the probe batch being sliced (a nested loop over a big block) */
    int64_t   pb_pos;
} join_st;

static bool nullsafe(const rf_plan *p, int k) { return k < 63 && (p->n >> k) & 1; }
static int make_output(const rf_plan *p, const rf_batch *l, const rf_batch *r, const int64_t *li, const int64_t *ri,
                       int64_t n, bool left_only, rf_batch **out);

/* Hashes the key columns of b (evaluated into keys[nk]) and returns the hashes. */
static int eval_keys(rf_expr *const *ex, int nk, const rf_batch *b, rf_column **keys, uint64_t **h)
{
    for (int k = 0; k < nk; k++) {
        int rc = rf__expr_eval(ex[k], b, &keys[k]);
        if (rc) return rc;
    }
    return rf__hash_rows(keys, nk, b->nrows, h);
}

/* Appends batch b to the FANOUT spools sp by its key hash at level depth (spill files). */
static int scatter(join_st *s, rf_expr *const *ex, int nk, const rf_batch *b, rf_spool *sp, int64_t *rows, int depth)
{
    rf_column **keys = rf_calloc((size_t)nk + 1, sizeof *keys);
    uint64_t *h = NULL;
    int64_t *sel = rf_malloc((size_t)(b->nrows ? b->nrows : 1) * sizeof *sel), cnt[FANOUT + 1] = { 0 }, pos[FANOUT];
    int rc = keys && sel ? eval_keys(ex, nk, b, keys, &h) : rf__err_set(RF_ERR_NOMEM, "out of memory");
    if (!rc) {
        for (int64_t i = 0; i < b->nrows; i++) cnt[rf__spill_part(h[i], depth) + 1]++;
        for (int q = 0; q < FANOUT; q++) { cnt[q + 1] += cnt[q]; pos[q] = cnt[q]; }
        for (int64_t i = 0; i < b->nrows; i++) sel[pos[rf__spill_part(h[i], depth)]++] = i;
        for (int q = 0; q < FANOUT && !rc; q++) {
            if (cnt[q + 1] == cnt[q]) continue;
            rc = rf__spool_put_batch(&sp[q], b, sel + cnt[q], cnt[q + 1] - cnt[q], &s->tmp);
            if (!rc && !rf__spool_spilled(&sp[q])) rc = rf__spool_spill(&sp[q]);
            if (rows) rows[q] += cnt[q + 1] - cnt[q];
        }
    }
    if (keys) for (int k = 0; k < nk; k++) rf_column_release(&keys[k]);
    rf_free(keys);
    rf_free(h);
    rf_free(sel);
    return rc;
}

/* Splits the probe side (the left child, or spool `from`) into FANOUT spools at level depth and
 * pushes the pairs with the build spools bsp (partition 0 on top). */
static int split_probe_and_push(rf_op *op, join_st *s, rf_spool *bsp, const int64_t *brows, const rf_spool *from, int depth)
{
    const rf_plan *p = op->plan;
    rf_spool psp[FANOUT];
    int rc = RF_OK;
    int64_t off = 0;
    for (int q = 0; q < FANOUT; q++) { rf__spool_init(&psp[q]); psp[q].owner = RF_SPILL_JOIN; }
    for (;;) {
        rf_batch *b = NULL;
        rc = from ? rf__spool_get_batch(from, &off, &s->tmp, &b) : rf__op_next(op->child[0], &b);
        if (rc || !b) break;
        if (b->nrows) rc = scatter(s, p->exprs, p->n_exprs, b, psp, NULL, depth);
        rf_batch_destroy(&b);
        if (rc) break;
    }
    for (int q = FANOUT - 1; q >= 0; q--) {
        bool keep = !rc && (bsp[q].len > 0 || psp[q].len > 0);
        if (keep && !(rc = rf__spool_seal(&bsp[q])) && !(rc = rf__spool_seal(&psp[q])) &&
            !(rc = rf__grow((void **)&s->work, &s->cap_work, s->n_work + 1, sizeof *s->work))) {
            s->work[s->n_work++] = (jpart){ bsp[q], psp[q], brows[q], depth + 1 };
            continue;
        }
        rf__spool_fini(&bsp[q]);
        rf__spool_fini(&psp[q]);
    }
    return rc;
}

/* Whether a build side of rows / bytes must go to disk (a nested loop join, with no keys, makes
 * one partition pair: it is then joined in blocks). */
static bool build_too_big(const rf_op *op, join_st *s, int64_t rows, int64_t bytes)
{
    return rf__op_must_spill(op->ctx, rows, bytes, &s->reserved);
}

static void free_table(const rf_plan *p, join_st *s)
{
    if (s->bkeys) for (int k = 0; k < p->n_exprs2; k++) rf_column_release(&s->bkeys[k]);
    RF_FREE(s->bkeys);
    rf_batch_destroy(&s->build);
    RF_FREE(s->start); RF_FREE(s->ent); RF_FREE(s->matched);
    rf__mem_release(s->reserved);
    s->reserved = 0;
}

static int build_table(rf_op *op, join_st *s);

/* The build side held in l (emptied) as one batch with its hash table; probing comes next. */
static int load_build(rf_op *op, join_st *s, rf_blist *l, int rc)
{
    if (!rc) rc = rf_batch_concat(l->b, (int)l->n, op->plan->child[1]->schema, &s->build);
    rf_blist_fini(l);
    if (!rc) rc = build_table(op, s);
    s->state = J_PROBE;
    return rc;
}

/* Reads the build side; in memory when it fits, else partitions both sides (s->grace). */
static int build(rf_op *op, join_st *s)
{
    const rf_plan *p = op->plan;
    rf_blist l = { 0 };
    rf_spool bsp[FANOUT];
    int64_t bytes = 0, brows[FANOUT] = { 0 };
    int rc = RF_OK;
    for (;;) {
        rf_batch *b = NULL;
        if ((rc = rf__op_next(op->child[1], &b)) || !b) break;
        if (b->nrows == 0) { rf_batch_destroy(&b); continue; }
        if (s->grace) {
            rc = scatter(s, p->exprs2, p->n_exprs2, b, bsp, brows, 0);
            rf_batch_destroy(&b);
            if (rc) break;
            continue;
        }
        bytes += (int64_t)rf_batch_bytes(b);
        if ((rc = rf_blist_push(&l, b))) break;
        /* the table takes the build side twice (one concatenated copy) plus its keys, hashes and chains */
        if (build_too_big(op, s, l.rows, 2 * bytes + 48 * l.rows)) {
            s->grace = true;
            for (int q = 0; q < FANOUT; q++) { rf__spool_init(&bsp[q]); bsp[q].owner = RF_SPILL_JOIN; }
            for (int64_t i = 0; i < l.n && !rc; i++) rc = scatter(s, p->exprs2, p->n_exprs2, l.b[i], bsp, brows, 0);
            rf_blist_fini(&l);
            memset(&l, 0, sizeof l);
            rf__mem_release(s->reserved);
            s->reserved = 0;
            if (rc) break;
        }
    }
    if (s->grace) {
        if (!rc) rc = split_probe_and_push(op, s, bsp, brows, NULL, 0);
        else for (int q = 0; q < FANOUT; q++) rf__spool_fini(&bsp[q]);
        s->state = J_NEXT_PART;
        return rc;
    }
    return load_build(op, s, &l, rc);
}

/* Takes the next partition pair: splits it again when its build side is still too big, else loads
 * the build side and probes with the other. */
static int next_part(rf_op *op, join_st *s)
{
    const rf_plan *p = op->plan;
    rf__spool_fini(&s->cur.b);
    rf__spool_fini(&s->cur.p);
    free_table(p, s);
    if (s->n_work == 0) { s->state = J_DONE; return RF_OK; }
    s->cur = s->work[--s->n_work];
    s->poff = 0;
    int rc = RF_OK;
    int64_t off = 0;
    bool big = s->cur.brows > 1 && ((op->ctx->force_spill > 0 && s->cur.brows >= op->ctx->force_spill) ||
                                    (op->ctx->op_mem > 0 && 2 * s->cur.b.len + 48 * s->cur.brows > op->ctx->op_mem));
    s->blocked = false;
    if (big && (s->cur.depth >= MAX_DEPTH || p->kind != RF_P_HASH_JOIN)) {   /* one heavy key, or no keys: blocks */
        s->blocked = true;
        s->boff = 0;
        if (s->pfd < 0) rc = rf__spill_open(&s->pfd, NULL, 0);
        else if (ftruncate(s->pfd, 0) != 0) rc = rf__err_set(RF_ERR_IO, "cannot clear a spill file in %s: %s", rf__spill_dir(), strerror(errno));
        if (rc) return rc;
        s->state = J_NEXT_BLOCK;
        return RF_OK;
    }
    if (big) {
        rf_spool bsp[FANOUT];
        int64_t brows[FANOUT] = { 0 };
        for (int q = 0; q < FANOUT; q++) { rf__spool_init(&bsp[q]); bsp[q].owner = RF_SPILL_JOIN; }
        for (;;) {
            rf_batch *b = NULL;
            if ((rc = rf__spool_get_batch(&s->cur.b, &off, &s->tmp, &b)) || !b) break;
            rc = scatter(s, p->exprs2, p->n_exprs2, b, bsp, brows, s->cur.depth);
            rf_batch_destroy(&b);
            if (rc) break;
        }
        if (!rc) return split_probe_and_push(op, s, bsp, brows, &s->cur.p, s->cur.depth);
        for (int q = 0; q < FANOUT; q++) rf__spool_fini(&bsp[q]);
        return rc;
    }
    rf_blist l = { 0 };
    for (;;) {
        rf_batch *b = NULL;
        if ((rc = rf__spool_get_batch(&s->cur.b, &off, &s->tmp, &b)) || !b) break;
        if ((rc = rf_blist_push(&l, b))) break;
    }
    return load_build(op, s, &l, rc);
}

/* Blocks: loads the next block of cur.b's rows that fits (at least one batch) and probes all of
 * cur.p with it; after the last block, the probe rows no block matched are emitted where the join
 * type wants them (J_UNMATCHED_PROBE). */
static int next_block(rf_op *op, join_st *s)
{
    const rf_plan *p = op->plan;
    int t = p->mode, rc = RF_OK;
    free_table(p, s);
    s->poff = 0;
    s->prow = 0;
    if (s->boff >= s->cur.b.len) {
        s->state = t == RF_JOIN_LEFT || t == RF_JOIN_FULL || t == RF_JOIN_ANTI ? J_UNMATCHED_PROBE : J_NEXT_PART;
        return RF_OK;
    }
    rf_blist l = { 0 };
    int64_t bytes = 0;
    while (s->boff < s->cur.b.len) {
        if (l.n && ((op->ctx->force_spill > 0 && l.rows >= op->ctx->force_spill) ||
                    rf__op_must_spill(op->ctx, l.rows, 2 * bytes + 48 * l.rows, &s->reserved))) break;
        rf_batch *b = NULL;
        if ((rc = rf__spool_get_batch(&s->cur.b, &s->boff, &s->tmp, &b)) || !b) break;
        bytes += (int64_t)rf_batch_bytes(b);
        if ((rc = rf_blist_push(&l, b))) break;
    }
    return load_build(op, s, &l, rc);
}

/* Reads the bits of probe rows [base, base + n) of this pass from s->pfd into s->pbits. */
static int bits_load(join_st *s, int64_t base, int64_t n)
{
    int64_t first = base / 8, len = (base + n - 1) / 8 - first + 1;
    if (n <= 0) { s->pbits_off = first; s->pbits_len = 0; return RF_OK; }
    int rc = rf__grow((void **)&s->pbits, &s->pbits_cap, len, 1);
    if (rc) return rc;
    s->pbits_off = first;
    s->pbits_len = len;
    return rf__spill_pread(s->pfd, RF_SPILL_JOIN, s->pbits, len, first);
}

static bool bit_get(const join_st *s, int64_t r) { return (s->pbits[r / 8 - s->pbits_off] >> (r % 8)) & 1; }

/* Marks probe row r (loaded by bits_load) matched; says whether it was before. */
static bool bit_mark(join_st *s, int64_t r)
{
    bool was = bit_get(s, r);
    s->pbits[r / 8 - s->pbits_off] |= (uint8_t)(1u << (r % 8));
    return was;
}

/* After the last block: the probe rows of cur.p that no block matched (left / full with NULLs for
 * the right side, anti as they are). */
static int unmatched_probe(rf_op *op, join_st *s, rf_batch **out)
{
    const rf_plan *p = op->plan;
    rf_batch *b = NULL, *empty_right = NULL;
    int64_t *ol = NULL, *or_ = NULL, k = 0;
    int rc = rf__spool_get_batch(&s->cur.p, &s->poff, &s->tmp, &b);
    if (rc) return rc;
    if (!b) { s->state = J_NEXT_PART; return RF_OK; }
    ol = rf_malloc((size_t)(b->nrows ? b->nrows : 1) * sizeof *ol);
    or_ = rf_malloc((size_t)(b->nrows ? b->nrows : 1) * sizeof *or_);
    RF_CHECK(ol && or_, RF_ERR_NOMEM, "out of memory");
    RF_TRY(bits_load(s, s->prow, b->nrows));
    for (int64_t i = 0; i < b->nrows; i++)
        if (!bit_get(s, s->prow + i)) { ol[k] = i; or_[k] = -1; k++; }
    s->prow += b->nrows;
    if (k && p->mode == RF_JOIN_ANTI) rc = make_output(p, b, NULL, ol, NULL, k, true, out);
    else if (k) {
        RF_TRY(rf_batch_empty(p->child[1]->schema, &empty_right));
        rc = make_output(p, b, empty_right, ol, or_, k, false, out);
    }
done:
    rf_free(ol);
    rf_free(or_);
    rf_batch_destroy(&empty_right);
    rf_batch_destroy(&b);
    return rc;
}

/* The hash table over s->build. */

/* Whether build row i has a NULL in a key compared with = (not <=>): it never matches. */
static inline bool null_key(const rf_plan *p, rf_column *const *keys, int nk, bool any_null, int64_t i)
{
    bool nul = false;
    for (int k = 0; any_null && k < nk; k++) nul |= !nullsafe(p, k) && !rf_column_valid(keys[k], i);
    return nul;
}
static int build_table(rf_op *op, join_st *s)
{
    const rf_plan *p = op->plan;
    int rc = RF_OK;
    int64_t n = s->build->nrows;
    s->matched = rf_calloc((size_t)(n ? n : 1), 1);
    if (!s->matched) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    if (p->kind != RF_P_HASH_JOIN) return RF_OK;
    int nk = p->n_exprs2;
    s->bkeys = rf_calloc((size_t)nk, sizeof *s->bkeys);
    if (!s->bkeys) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int k = 0; k < nk; k++) RF_TRY(rf__expr_eval(p->exprs2[k], s->build, &s->bkeys[k]));
    uint64_t *h = NULL;   /* the build rows' hashes: only the entries keep them */
    RF_TRY(rf__hash_rows(s->bkeys, nk, n, &h));
    /* buckets laid out one after another (a counting sort of the rows by bucket): a probe reads its
     * bucket's entries from one place instead of chasing a chain through the build rows */
    s->nbuckets = 16;
    while (s->nbuckets < n) s->nbuckets *= 2;
    s->start = rf_calloc((size_t)s->nbuckets + 1, sizeof *s->start);
    s->ent = rf_malloc((size_t)(n ? n : 1) * sizeof *s->ent);
    RF_CHECK(s->start && s->ent, RF_ERR_NOMEM, "out of memory building a join hash table of %lld rows", (long long)n);
    uint64_t mask = (uint64_t)(s->nbuckets - 1);
    bool any_null = false;
    for (int k = 0; k < nk; k++) any_null |= !nullsafe(p, k) && s->bkeys[k]->valid;
    for (int64_t i = 0; i < n; i++)
        if (!null_key(p, s->bkeys, nk, any_null, i)) s->start[h[i] & mask]++;   /* a NULL key never matches: left out */
    int64_t total = 0;   /* start[b]: one past bucket b's last entry, then filled backwards to its first */
    for (int64_t b = 0; b < s->nbuckets; b++) { total += s->start[b]; s->start[b] = total; }
    s->start[s->nbuckets] = total;
    for (int64_t i = n - 1; i >= 0; i--)   /* backwards: a bucket's rows stay in row order */
        if (!null_key(p, s->bkeys, nk, any_null, i)) s->ent[--s->start[h[i] & mask]] = (struct jent){ h[i], i };
done:
    rf_free(h);
    return rc;
}

/* Column of rows idx[0..n) of c, NULL where idx < 0. */
static int gather_nullable(const rf_column *c, const int64_t *idx, int64_t n, rf_type t, rf_column **out)
{
    bool any_neg = false;
    for (int64_t k = 0; k < n && !any_neg; k++) any_neg = idx[k] < 0;
    if (!any_neg) return rf_column_gather(c, idx, 0, n, out);
    int rc = rf_column_create(t, n, out);
    for (int64_t k = 0; k < n && !rc; k++)
        rc = idx[k] < 0 || c->type == RF_TYPE_NULL ? rf_column_append_null(*out) : rf_column_append_from(*out, c, idx[k]);
    if (rc) rf_column_release(out);
    return rc;
}

static int make_output(const rf_plan *p, const rf_batch *l, const rf_batch *r, const int64_t *li, const int64_t *ri,
                       int64_t n, bool left_only, rf_batch **out)
{
    int nl = l->ncols, nr = left_only ? 0 : r->ncols;
    int rc = rf_batch_create(nl + nr, n, out);
    (void)p;   /* the column types come from the inputs: for semi / anti joins the plan's schema has the left side only */
    for (int c = 0; c < nl && !rc; c++) rc = gather_nullable(l->cols[c], li, n, l->cols[c]->type, &(*out)->cols[c]);
    for (int c = 0; c < nr && !rc; c++) rc = gather_nullable(r->cols[c], ri, n, r->cols[c]->type, &(*out)->cols[nl + c]);
    if (rc) rf_batch_destroy(out);
    return rc;
}

/* Candidate pairs for left batch b: (li[k], ri[k]). */
static int candidates(rf_op *op, join_st *s, const rf_batch *b, int64_t **li, int64_t **ri, int64_t *n)
{
    const rf_plan *p = op->plan;
    int64_t cap = 0, m = 0;
    int rc = RF_OK;
    rf_column **lk = NULL;
    uint64_t *h = NULL;
    *li = *ri = NULL;
    if (p->kind == RF_P_HASH_JOIN) {
        int nk = p->n_exprs;
        /* a semi / anti join without a residual condition decides a row at its first match (a key
         * repeated on the build side must not make it walk every copy) */
        bool first_only = (p->mode == RF_JOIN_SEMI || p->mode == RF_JOIN_ANTI) && !p->cond;
        RF_CHECK((lk = rf_calloc((size_t)nk, sizeof *lk)) != NULL, RF_ERR_NOMEM, "out of memory");
        for (int k = 0; k < nk; k++) RF_TRY(rf__expr_eval(p->exprs[k], b, &lk[k]));
        RF_TRY(rf__hash_rows(lk, nk, b->nrows, &h));
        /* one integer key without NULLs on either side: the values compared directly */
        rf_type kt = lk[0]->type;
        int iw = nk == 1 && kt == s->bkeys[0]->type && !lk[0]->valid && !lk[0]->is_const && !s->bkeys[0]->valid && !s->bkeys[0]->is_const
                 ? (kt == RF_TYPE_INT64 || kt == RF_TYPE_TIMESTAMP ? 8 : kt == RF_TYPE_INT32 || kt == RF_TYPE_DATE ? 4 : 0) : 0;
        uint64_t mask = (uint64_t)(s->nbuckets - 1);
        for (int64_t i = 0; i < b->nrows; i++) {
            /* the table is bigger than the caches: fetch a later row's bucket, and a nearer one's entries, ahead */
            if (i + 16 < b->nrows) __builtin_prefetch(&s->start[h[i + 16] & mask]);
            if (i + 6 < b->nrows) __builtin_prefetch(&s->ent[s->start[h[i + 6] & mask]]);
            uint64_t hb = h[i] & mask;
            for (int64_t e = s->start[hb], ee = s->start[hb + 1]; e < ee; e++) {
                if (s->ent[e].h != h[i]) continue;
                int64_t j = s->ent[e].row;
                bool eq = true;
                if (iw == 8) eq = ((const int64_t *)lk[0]->data)[i] == ((const int64_t *)s->bkeys[0]->data)[j];
                else if (iw == 4) eq = ((const int32_t *)lk[0]->data)[i] == ((const int32_t *)s->bkeys[0]->data)[j];
                else
                    for (int k = 0; k < nk && eq; k++)
                        eq = (nullsafe(p, k) || rf_column_valid(lk[k], i)) && rf_column_eq(lk[k], i, s->bkeys[k], j);
                if (!eq) continue;
                if (m + 1 > cap) {
                    int64_t c2 = cap;
                    RF_TRY(rf__grow((void **)li, &cap, m + 1, sizeof **li));
                    RF_TRY(rf__grow((void **)ri, &c2, m + 1, sizeof **ri));
                }
                (*li)[m] = i;
                (*ri)[m] = j;
                m++;
                if (first_only) break;
            }
        }
    } else {
        int64_t nr = s->build->nrows;
        if (b->nrows * nr > 0) {
            cap = b->nrows * nr;
            *li = rf_malloc((size_t)cap * sizeof **li);
            *ri = rf_malloc((size_t)cap * sizeof **ri);
            RF_CHECK(*li && *ri, RF_ERR_NOMEM, "out of memory for a nested loop join of %lld x %lld rows", (long long)b->nrows, (long long)nr);
            for (int64_t i = 0; i < b->nrows; i++)
                for (int64_t j = 0; j < nr; j++) { (*li)[m] = i; (*ri)[m] = j; m++; }
        }
    }
    /* residual condition over left ++ right */
    if (p->cond && m > 0) {
        rf_batch *pairs = NULL;
        int64_t *sel = NULL, k = 0;
        RF_TRY(make_output(p, b, s->build, *li, *ri, m, false, &pairs));
        rc = rf__expr_select(p->cond, pairs, &sel, &k);
        rf_batch_destroy(&pairs);
        if (rc) goto done;
        for (int64_t q = 0; q < k; q++) { (*li)[q] = (*li)[sel[q]]; (*ri)[q] = (*ri)[sel[q]]; }
        rf_free(sel);
        m = k;
    }
    *n = m;
done:
    if (lk) for (int k = 0; k < p->n_exprs; k++) rf_column_release(&lk[k]);
    rf_free(lk);
    rf_free(h);
    if (rc) { RF_FREE(*li); RF_FREE(*ri); }
    return rc;
}

static int probe(rf_op *op, join_st *s, rf_batch **out)
{
    const rf_plan *p = op->plan;
    int t = p->mode;
    for (;;) {
        rf_batch *b = NULL;
        int64_t *li = NULL, *ri = NULL, m = 0, *ol = NULL, *or_ = NULL, k = 0, base = s->prow;
        uint8_t *lm = NULL;
        int rc = RF_OK;
        if (!s->pb) {
            rc = s->grace ? rf__spool_get_batch(&s->cur.p, &s->poff, &s->tmp, &s->pb) : rf__op_next(op->child[0], &s->pb);
            s->pb_pos = 0;
        }
        if (rc) return rc;
        if (!s->pb) {
            s->state = (t == RF_JOIN_RIGHT || t == RF_JOIN_FULL) ? J_EMIT_UNMATCHED : s->blocked ? J_NEXT_BLOCK : s->grace ? J_NEXT_PART : J_DONE;
            return RF_OK;
        }
        /* a nested loop makes every pair: a slice of the probe batch at a time keeps them bounded */
        int64_t nr = s->build->nrows, step = p->kind == RF_P_HASH_JOIN || nr < 1 ? INT64_MAX : MAX_PAIRS / nr > 0 ? MAX_PAIRS / nr : 1;
        if ((rc = rf__emit_slice(&s->pb, &s->pb_pos, step, &b))) return rc;
        if (!b) { rf_batch_destroy(&s->pb); continue; }
        s->prow += b->nrows;
        RF_TRY(candidates(op, s, b, &li, &ri, &m));
        for (int64_t q = 0; q < m; q++) s->matched[ri[q]] = 1;
        if (s->blocked && t != RF_JOIN_INNER && t != RF_JOIN_RIGHT && t != RF_JOIN_CROSS) {
            /* a probe row's fate is known after the last block: pairs now, unmatched rows then,
             * a semi join's row once (at its first matching block) */
            if (m) RF_TRY(bits_load(s, base, b->nrows));
            for (int64_t q = 0; q < m; q++) {
                bool was = bit_mark(s, base + li[q]);
                if (t == RF_JOIN_SEMI && !was) {
                    if (!ol) RF_CHECK((ol = rf_malloc((size_t)(b->nrows ? b->nrows : 1) * sizeof *ol)) != NULL, RF_ERR_NOMEM, "out of memory");
                    ol[k++] = li[q];
                }
            }
            if (m) RF_TRY(rf__spill_pwrite(s->pfd, RF_SPILL_JOIN, s->pbits, s->pbits_len, s->pbits_off));
            if (t == RF_JOIN_SEMI && k) RF_TRY(make_output(p, b, NULL, ol, NULL, k, true, out));
            else if ((t == RF_JOIN_LEFT || t == RF_JOIN_FULL) && m) RF_TRY(make_output(p, b, s->build, li, ri, m, false, out));
        } else if (t == RF_JOIN_INNER || t == RF_JOIN_RIGHT || t == RF_JOIN_CROSS) {
            if (m) RF_TRY(make_output(p, b, s->build, li, ri, m, false, out));
        } else {
            RF_CHECK((lm = rf_calloc((size_t)(b->nrows ? b->nrows : 1), 1)) != NULL, RF_ERR_NOMEM, "out of memory");
            for (int64_t q = 0; q < m; q++) lm[li[q]] = 1;
            if (t == RF_JOIN_SEMI || t == RF_JOIN_ANTI) {
                RF_CHECK((ol = rf_malloc((size_t)(b->nrows ? b->nrows : 1) * sizeof *ol)) != NULL, RF_ERR_NOMEM, "out of memory");
                for (int64_t i = 0; i < b->nrows; i++) if (lm[i] == (t == RF_JOIN_SEMI)) ol[k++] = i;
                if (k) RF_TRY(make_output(p, b, s->build, ol, NULL, k, true, out));
            } else {   /* left / full: pairs in left row order, unmatched rows in place */
                int64_t cap = m + b->nrows;
                ol = rf_malloc((size_t)(cap ? cap : 1) * sizeof *ol);
                or_ = rf_malloc((size_t)(cap ? cap : 1) * sizeof *or_);
                RF_CHECK(ol && or_, RF_ERR_NOMEM, "out of memory");
                int64_t q = 0;
                for (int64_t i = 0; i < b->nrows; i++) {
                    if (!lm[i]) { ol[k] = i; or_[k] = -1; k++; continue; }
                    while (q < m && li[q] < i) q++;
                    while (q < m && li[q] == i) { ol[k] = i; or_[k] = ri[q]; k++; q++; }
                }
                if (k) RF_TRY(make_output(p, b, s->build, ol, or_, k, false, out));
            }
        }
done:
        rf_free(li); rf_free(ri); rf_free(ol); rf_free(or_); rf_free(lm);
        rf_batch_destroy(&b);
        if (rc || *out) return rc;
    }
}

static int emit_unmatched(rf_op *op, join_st *s, rf_batch **out)
{
    const rf_plan *p = op->plan;
    int64_t n = s->build->nrows, k = 0;
    int64_t *ol = rf_malloc((size_t)(n ? n : 1) * sizeof *ol), *or_ = rf_malloc((size_t)(n ? n : 1) * sizeof *or_);
    rf_batch *empty_left = NULL;
    int rc = RF_OK;
    s->state = s->blocked ? J_NEXT_BLOCK : s->grace ? J_NEXT_PART : J_DONE;
    RF_CHECK(ol && or_, RF_ERR_NOMEM, "out of memory");
    for (int64_t j = 0; j < n; j++) if (!s->matched[j]) { ol[k] = -1; or_[k] = j; k++; }
    if (k) {
        RF_TRY(rf_batch_empty(p->child[0]->schema, &empty_left));
        RF_TRY(make_output(p, empty_left, s->build, ol, or_, k, false, out));
    }
done:
    rf_free(ol);
    rf_free(or_);
    rf_batch_destroy(&empty_left);
    return rc;
}

static int open_(rf_op *op)
{
    join_st *s = rf_calloc(1, sizeof *s);
    if (!s) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    op->st = s;
    s->pfd = -1;
    rf__spool_init(&s->cur.b);
    rf__spool_init(&s->cur.p);
    return build(op, s);
}

static int next(rf_op *op, rf_batch **out)
{
    join_st *s = op->st;
    int rc = RF_OK;
    while (!*out && !rc && s->state != J_DONE) {
        if (s->state == J_PROBE) rc = probe(op, s, out);
        else if (s->state == J_EMIT_UNMATCHED) rc = emit_unmatched(op, s, out);
        else if (s->state == J_NEXT_PART) rc = next_part(op, s);
        else if (s->state == J_NEXT_BLOCK) rc = next_block(op, s);
        else if (s->state == J_UNMATCHED_PROBE) rc = unmatched_probe(op, s, out);
    }
    return rc;
}

static void close_(rf_op *op)
{
    join_st *s = op->st;
    if (!s) return;
    free_table(op->plan, s);
    if (s->grace) { rf__spool_fini(&s->cur.b); rf__spool_fini(&s->cur.p); }
    for (int64_t w = 0; w < s->n_work; w++) { rf__spool_fini(&s->work[w].b); rf__spool_fini(&s->work[w].p); }
    rf_free(s->work);
    rf_free(s->pbits);
    if (s->pfd >= 0) close(s->pfd);
    rf_batch_destroy(&s->pb);
    rf_buf_fini(&s->tmp);
    RF_FREE(op->st);
}

const rf_op_vt rf__op_hashjoin_vt = { "HashJoin", open_, next, close_ };
const rf_op_vt rf__op_nljoin_vt = { "NestedLoopJoin", open_, next, close_ };
