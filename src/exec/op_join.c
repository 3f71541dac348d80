/*
 * op_join.c — HashJoin and NestedLoopJoin. Both build the right input into one batch, then stream
 * the left input: candidate pairs (equal keys, or every pair for the nested loop) are filtered by
 * the residual condition, then shaped by the join type:
 *   inner: matched pairs; left: + unmatched left rows with NULLs; semi/anti: left rows with / without
 *   a match; right/full: + unmatched right rows, emitted after the left input is exhausted (each
 *   build row lives in exactly one task, so "unmatched" is decided locally).
 * NULL keys never match, as in SQL.
 */
#include <stdlib.h>
#include "exec/exec.h"

typedef enum { J_BUILD = 0, J_PROBE, J_EMIT_UNMATCHED, J_DONE } jstate;

typedef struct {
    jstate    state;
    rf_batch *build;
    rf_column **bkeys;
    int64_t  *head, *chain, nbuckets;
    uint64_t *bhash;
    uint8_t  *matched;
} join_st;

static int build(rf_op *op, join_st *s)
{
    const rf_plan *p = op->plan;
    int rc = rf__op_drain(op->child[1], p->child[1]->schema, &s->build);
    if (rc) return rc;
    int64_t n = s->build->nrows;
    s->matched = rf_calloc((size_t)(n ? n : 1), 1);
    if (!s->matched) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    if (p->kind != RF_P_HASH_JOIN) return RF_OK;
    int nk = p->n_exprs2;
    s->bkeys = rf_calloc((size_t)nk, sizeof *s->bkeys);
    if (!s->bkeys) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int k = 0; k < nk; k++) RF_TRY(rf__expr_eval(p->exprs2[k], s->build, &s->bkeys[k]));
    RF_TRY(rf__hash_rows(s->bkeys, nk, n, &s->bhash));
    s->nbuckets = 16;
    while (s->nbuckets < n * 2) s->nbuckets *= 2;
    s->head = rf_malloc((size_t)s->nbuckets * sizeof *s->head);
    s->chain = rf_malloc((size_t)(n ? n : 1) * sizeof *s->chain);
    RF_CHECK(s->head && s->chain, RF_ERR_NOMEM, "out of memory building a join hash table of %lld rows", (long long)n);
    memset(s->head, 0xff, (size_t)s->nbuckets * sizeof *s->head);
    for (int64_t i = n - 1; i >= 0; i--) {   /* chains in row order */
        bool null_key = false;
        for (int k = 0; k < nk; k++) null_key |= !rf_column_valid(s->bkeys[k], i);
        if (null_key) continue;
        int64_t bk = (int64_t)(s->bhash[i] & (uint64_t)(s->nbuckets - 1));
        s->chain[i] = s->head[bk];
        s->head[bk] = i;
    }
done:
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
        RF_CHECK((lk = rf_calloc((size_t)nk, sizeof *lk)) != NULL, RF_ERR_NOMEM, "out of memory");
        for (int k = 0; k < nk; k++) RF_TRY(rf__expr_eval(p->exprs[k], b, &lk[k]));
        RF_TRY(rf__hash_rows(lk, nk, b->nrows, &h));
        for (int64_t i = 0; i < b->nrows; i++) {
            int64_t j = s->head[h[i] & (uint64_t)(s->nbuckets - 1)];
            for (; j >= 0; j = s->chain[j]) {
                if (s->bhash[j] != h[i]) continue;
                bool eq = true;
                for (int k = 0; k < nk && eq; k++)
                    eq = rf_column_valid(lk[k], i) && rf_column_eq(lk[k], i, s->bkeys[k], j);
                if (!eq) continue;
                if (m + 1 > cap) {
                    int64_t c2 = cap;
                    RF_TRY(rf__grow((void **)li, &cap, m + 1, sizeof **li));
                    RF_TRY(rf__grow((void **)ri, &c2, m + 1, sizeof **ri));
                }
                (*li)[m] = i;
                (*ri)[m] = j;
                m++;
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
        int64_t *li = NULL, *ri = NULL, m = 0, *ol = NULL, *or_ = NULL, k = 0;
        uint8_t *lm = NULL;
        int rc = rf__op_next(op->child[0], &b);
        if (rc) return rc;
        if (!b) { s->state = (t == RF_JOIN_RIGHT || t == RF_JOIN_FULL) ? J_EMIT_UNMATCHED : J_DONE; return RF_OK; }
        RF_TRY(candidates(op, s, b, &li, &ri, &m));
        for (int64_t q = 0; q < m; q++) s->matched[ri[q]] = 1;
        if (t == RF_JOIN_INNER || t == RF_JOIN_RIGHT || t == RF_JOIN_CROSS) {
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
    s->state = J_DONE;
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
    int rc = build(op, s);
    s->state = J_PROBE;
    return rc;
}

static int next(rf_op *op, rf_batch **out)
{
    join_st *s = op->st;
    int rc = RF_OK;
    while (!*out && !rc && s->state != J_DONE) {
        if (s->state == J_PROBE) rc = probe(op, s, out);
        else if (s->state == J_EMIT_UNMATCHED) rc = emit_unmatched(op, s, out);
    }
    return rc;
}

static void close_(rf_op *op)
{
    join_st *s = op->st;
    if (!s) return;
    if (s->bkeys) for (int k = 0; k < op->plan->n_exprs2; k++) rf_column_release(&s->bkeys[k]);
    rf_free(s->bkeys);
    rf_batch_destroy(&s->build);
    rf_free(s->head); rf_free(s->chain); rf_free(s->bhash); rf_free(s->matched);
    RF_FREE(op->st);
}

const rf_op_vt rf__op_hashjoin_vt = { "HashJoin", open_, next, close_ };
const rf_op_vt rf__op_nljoin_vt = { "NestedLoopJoin", open_, next, close_ };
