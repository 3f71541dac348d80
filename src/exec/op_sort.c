/*
 * op_sort.c — Sort (a whole partition, stable) and TakeOrdered (top k, kept bounded while
 * reading), plus the sort-key comparison shared with range partitioning.
 *
 * Bounded memory (docs/ARCHITECTURE.md "Memory"): Sort reserves its input's bytes from the pool as
 * it reads. When the input outgrows the operator's share (rf_task_ctx.op_mem) or the pool refuses,
 * what is held is sorted and written to a spill file as a run, and reading goes on: an external
 * merge sort. Runs are merged MAX_FANIN at a time (consecutive runs, so equal keys keep their input
 * order: the sort stays stable and its result is the in-memory one, row for row) until few enough
 * remain to merge while emitting. Runs are written in chunks of RUN_CHUNK rows, so a merge holds one
 * chunk per run.
 */
#include <stdlib.h>
#include "exec/exec.h"
#include "shuffle/shuffle.h"

#define MAX_FANIN 32
#define RUN_CHUNK 1024

int rf__sortkey_cmp(const rf_expr *const *orders, int n, rf_column *const *a, int64_t i, rf_column *const *b, int64_t j)
{
    for (int k = 0; k < n; k++) {
        const rf_expr *o = orders[k];
        bool va = rf_column_valid(a[k], i), vb = rf_column_valid(b[k], j);
        if (!va || !vb) {
            if (va == vb) continue;
            return (!va ? -1 : 1) * (o->nulls_first ? 1 : -1);
        }
        int c = rf_column_cmp(a[k], i, b[k], j);
        if (c) return o->desc ? -c : c;
    }
    return 0;
}

int rf__sortkey_eval(const rf_expr *const *orders, int n, const rf_batch *b, rf_column ***cols)
{
    *cols = rf_calloc((size_t)(n ? n : 1), sizeof **cols);
    if (!*cols) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int k = 0; k < n; k++) {
        const rf_expr *e = orders[k]->kind == RF_E_SORT ? orders[k]->arg[0] : orders[k];
        int rc = rf__expr_eval(e, b, &(*cols)[k]);
        if (rc) { rf__cols_release(cols, n); return rc; }
    }
    return RF_OK;
}

void rf__cols_release(rf_column ***cols, int n)
{
    if (!*cols) return;
    for (int k = 0; k < n; k++) rf_column_release(&(*cols)[k]);
    RF_FREE(*cols);
}

typedef struct { const rf_expr *const *orders; int n; rf_column **cols; } sort_ctx;

static int cmp_rows(void *p, int64_t a, int64_t b)
{
    sort_ctx *c = p;
    return rf__sortkey_cmp(c->orders, c->n, c->cols, a, c->cols, b);
}

/* ---- normalized keys (DuckDB's idea): each row's sort keys as bytes whose memcmp order is the sort
 * order, then the row number (so that equal keys keep their input order: the sort is stable), sorted
 * by an MSD radix sort. A NULL is a byte before or after every value (NULLS FIRST / LAST); DESC flips
 * a value's bytes; integers are big-endian with the sign bit flipped; doubles by their bits (NaN
 * last, -0.0 as 0.0, as the comparison does); strings by their first NORM_STR bytes, zero-padded.
 * A string key with a longer value (or a NUL) ends the bytes: rows tied on the keys up to it are put
 * right by the full comparison afterwards. Other
 * types (decimals, nested values) sort by the comparison alone. */
#define NORM_STR 8
#define NORM_NO (-1)   /* no normalized form: sort by comparison */

static int norm_width(rf_type t)
{
    switch (t) {
    case RF_TYPE_NULL: return 0;
    case RF_TYPE_BOOL: return 1;
    case RF_TYPE_INT32: case RF_TYPE_DATE: return 4;
    case RF_TYPE_INT64: case RF_TYPE_TIMESTAMP: case RF_TYPE_DOUBLE: return 8;
    case RF_TYPE_STRING: return NORM_STR;
    default: return -1;
    }
}

static void put_be(uint8_t *p, uint64_t v, int w)
{
    for (int k = w - 1; k >= 0; k--) { p[k] = (uint8_t)v; v >>= 8; }
}

/* Whether a string column has a value its NORM_STR bytes do not stand for. */
static bool str_cut(const rf_column *c, int64_t nrows)
{
    for (int64_t i = 0; i < (c->is_const ? 1 : nrows); i++) {
        if (!rf_column_valid(c, i)) continue;
        int64_t len;
        const char *s = rf_col_str(c, i, &len);
        if (len > NORM_STR || memchr(s, 0, (size_t)len)) return true;
    }
    return false;
}

/* Row i's key bytes at p (width w, the null byte first). */
static void norm_key(const rf_expr *o, const rf_column *c, int64_t i, uint8_t *p, int w)
{
    if (!rf_column_valid(c, i)) { p[0] = o->nulls_first ? 0 : 2; memset(p + 1, 0, (size_t)w); return; }
    p[0] = 1;
    switch (c->type) {
    case RF_TYPE_BOOL: p[1] = ((const uint8_t *)c->data)[c->is_const ? 0 : i] != 0; break;
    case RF_TYPE_INT32: case RF_TYPE_DATE: put_be(p + 1, (uint32_t)rf_col_i32(c, i) ^ 0x80000000u, 4); break;
    case RF_TYPE_INT64: case RF_TYPE_TIMESTAMP: put_be(p + 1, (uint64_t)rf_col_i64(c, i) ^ ((uint64_t)1 << 63), 8); break;
    case RF_TYPE_DOUBLE: {
        double d = rf_col_f64(c, i);
        uint64_t u;
        if (d != d) u = UINT64_MAX;   /* NaN: after every number */
        else {
            if (d == 0) d = 0;   /* -0.0 */
            memcpy(&u, &d, 8);
            u = u >> 63 ? ~u : u | ((uint64_t)1 << 63);
        }
        put_be(p + 1, u, 8);
        break;
    }
    case RF_TYPE_STRING: {
        int64_t len;
        const char *s = rf_col_str(c, i, &len);
        int64_t k = len < NORM_STR ? len : NORM_STR;
        memcpy(p + 1, s, (size_t)k);
        memset(p + 1 + k, 0, (size_t)(NORM_STR - k));
        break;
    }
    default: break;
    }
    if (o->desc) for (int k = 1; k <= w; k++) p[k] = (uint8_t)~p[k];
}

static void insertion(uint8_t *a, size_t n, size_t W, size_t d, uint8_t *tmp)
{
    for (size_t i = 1; i < n; i++) {
        size_t j = i;
        memcpy(tmp, a + i * W, W);
        while (j > 0 && memcmp(a + (j - 1) * W + d, tmp + d, W - d) > 0) { memcpy(a + j * W, a + (j - 1) * W, W); j--; }
        memcpy(a + j * W, tmp, W);
    }
}

/* MSD radix sort of n records of W bytes from byte d on (t: scratch of n records). */
static void msd(uint8_t *a, uint8_t *t, size_t n, size_t W, size_t d)
{
    while (n > 1 && d < W) {
        if (n <= 32) { insertion(a, n, W, d, t); return; }
        size_t cnt[257] = { 0 };
        for (size_t i = 0; i < n; i++) cnt[a[i * W + d] + 1]++;
        bool one = false;
        for (int b = 1; b <= 256; b++) if (cnt[b] == n) one = true;
        if (one) { d++; continue; }   /* every record has this byte: look at the next */
        for (int b = 1; b <= 256; b++) cnt[b] += cnt[b - 1];
        size_t pos[256];
        memcpy(pos, cnt, sizeof pos);
        for (size_t i = 0; i < n; i++) memcpy(t + pos[a[i * W + d]]++ * W, a + i * W, W);
        memcpy(a, t, n * W);
        for (int b = 0; b < 256; b++)
            if (cnt[b + 1] - cnt[b] > 1) msd(a + cnt[b] * W, t, cnt[b + 1] - cnt[b], W, d + 1);
        return;
    }
}

/* idx[0..n): the rows of cols in sort order, by normalized keys. Returns NORM_NO when a
 * key's type has no normalized form (the caller sorts by comparison). */
static int norm_sort(const rf_expr *const *orders, int n, rf_column *const *cols, int64_t nrows, int64_t *idx, sort_ctx *c)
{
    int kw = 0, nk = n;
    bool cut = false;
    for (int k = 0; k < n; k++) {
        int w = norm_width(cols[k]->type);
        if (w < 0) return NORM_NO;
        kw += 1 + w;
        if (cols[k]->type == RF_TYPE_STRING && str_cut(cols[k], nrows)) { nk = k + 1; cut = true; break; }   /* the keys after it: by comparison */
    }
    if (nrows > (int64_t)UINT32_MAX) return NORM_NO;
    size_t W = (size_t)kw + 4;
    uint8_t *a = rf_malloc((size_t)nrows * W + 1), *t = rf_malloc((size_t)nrows * W + W);
    if (!a || !t) { rf_free(a); rf_free(t); return rf__err_set(RF_ERR_NOMEM, "out of memory sorting %lld rows", (long long)nrows); }
    for (int k = 0, off = 0; k < nk; off += 1 + norm_width(cols[k]->type), k++) {   /* a key at a time, its width once */
        int w = norm_width(cols[k]->type);
        for (int64_t i = 0; i < nrows; i++) norm_key(orders[k], cols[k], i, a + (size_t)i * W + off, w);
    }
    for (int64_t i = 0; i < nrows; i++) put_be(a + (size_t)i * W + kw, (uint64_t)i, 4);
    msd(a, t, (size_t)nrows, W, 0);
    for (int64_t i = 0; i < nrows; i++) {
        const uint8_t *p = a + (size_t)i * W + kw;
        idx[i] = (int64_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
    }
    int rc = RF_OK;
    for (int64_t i = 0; cut && i < nrows && !rc;) {   /* runs tied on their key bytes: by the full comparison */
        int64_t j = i + 1;
        while (j < nrows && !memcmp(a + (size_t)i * W, a + (size_t)j * W, (size_t)kw)) j++;
        if (j - i > 1) rc = rf_sort_idx(idx + i, j - i, cmp_rows, c);
        i = j;
    }
    rf_free(a);
    rf_free(t);
    return rc;
}

int rf__sort_batch(const rf_expr *const *orders, int n, const rf_batch *b, rf_batch **out)
{
    sort_ctx c = { orders, n, NULL };
    int64_t *idx = NULL;
    int rc = rf__sortkey_eval(orders, n, b, &c.cols);
    if (rc) return rc;
    RF_CHECK((idx = rf_malloc((size_t)(b->nrows ? b->nrows : 1) * sizeof *idx)) != NULL, RF_ERR_NOMEM, "out of memory");
    rc = b->nrows > 1 ? norm_sort(orders, n, c.cols, b->nrows, idx, &c) : NORM_NO;
    if (rc == NORM_NO) {
        for (int64_t i = 0; i < b->nrows; i++) idx[i] = i;
        rc = rf_sort_idx(idx, b->nrows, cmp_rows, &c);
    }
    if (rc) goto done;
    rc = rf_batch_gather(b, idx, b->nrows, out);
done:
    rf_free(idx);
    rf__cols_release(&c.cols, n);
    return rc;
}

/* A run being merged: its current chunk, the chunk's sort keys, and the next row. */
typedef struct { const rf_spool *sp; int64_t off; rf_batch *b; rf_column **keys; int64_t i; } run_cur;
typedef struct { run_cur *c; int n; int *heap; int nh; } merger;

struct rf_sorter {
    const rf_expr *const *orders;
    int       n;
    const rf_schema *schema;
    const rf_task_ctx *ctx;
    rf_blist  held;         /* input not yet in a run */
    int64_t   bytes;
    rf_batch *sorted;       /* in memory: the whole sorted input */
    int64_t   pos;
    rf_spool *runs;         /* external: sorted runs in input order */
    int64_t   n_runs, cap_runs;
    merger    m;            /* external: the final merge */
    int64_t   reserved;
    rf_buf    tmp;
};

/* Loads the next chunk of run c (c->b NULL at the end). */
static int cur_load(rf_sorter *s, run_cur *c)
{
    rf_batch_destroy(&c->b);
    rf__cols_release(&c->keys, s->n);
    c->i = 0;
    for (;;) {
        int rc = rf__spool_get_batch(c->sp, &c->off, &s->tmp, &c->b);
        if (rc || !c->b) return rc;
        if (c->b->nrows) break;
        rf_batch_destroy(&c->b);
    }
    return rf__sortkey_eval(s->orders, s->n, c->b, &c->keys);
}

/* Whether run x's next row goes before run y's (ties: the earlier run, for stability). */
static bool cur_before(const rf_sorter *s, const merger *m, int x, int y)
{
    const run_cur *a = &m->c[x], *b = &m->c[y];
    int c = rf__sortkey_cmp(s->orders, s->n, a->keys, a->i, b->keys, b->i);
    return c < 0 || (c == 0 && x < y);
}

static void sift_down(const rf_sorter *s, merger *m, int i)
{
    for (;;) {
        int l = 2 * i + 1, r = l + 1, best = i;
        if (l < m->nh && cur_before(s, m, m->heap[l], m->heap[best])) best = l;
        if (r < m->nh && cur_before(s, m, m->heap[r], m->heap[best])) best = r;
        if (best == i) return;
        int t = m->heap[i]; m->heap[i] = m->heap[best]; m->heap[best] = t;
        i = best;
    }
}

static void merger_fini(const rf_sorter *s, merger *m)
{
    for (int k = 0; k < m->n && m->c; k++) {
        rf_batch_destroy(&m->c[k].b);
        rf__cols_release(&m->c[k].keys, s->n);
    }
    RF_FREE(m->c);
    RF_FREE(m->heap);
    m->n = m->nh = 0;
}

static int merger_init(rf_sorter *s, merger *m, const rf_spool *runs, int n)
{
    memset(m, 0, sizeof *m);
    m->c = rf_calloc((size_t)n, sizeof *m->c);
    m->heap = rf_calloc((size_t)n, sizeof *m->heap);
    if (!m->c || !m->heap) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    m->n = n;
    for (int k = 0; k < n; k++) {
        m->c[k].sp = &runs[k];
        int rc = cur_load(s, &m->c[k]);
        if (rc) return rc;
        if (m->c[k].b) m->heap[m->nh++] = k;
    }
    for (int i = m->nh / 2 - 1; i >= 0; i--) sift_down(s, m, i);
    return RF_OK;
}

/* Up to `rows` rows of the merge, in order; *out NULL at the end. */
static int merger_next(rf_sorter *s, merger *m, int64_t rows, rf_batch **out)
{
    *out = NULL;
    if (m->nh == 0) return RF_OK;
    const rf_batch *first = m->c[m->heap[0]].b;
    int nc = first->ncols, rc = rf_batch_create(nc, 0, out);
    for (int k = 0; k < nc && !rc; k++) rc = rf_column_create(first->cols[k]->type, rows, &(*out)->cols[k]);
    int64_t n = 0;
    while (!rc && n < rows && m->nh > 0) {
        run_cur *c = &m->c[m->heap[0]];
        for (int k = 0; k < nc && !rc; k++) {
            const rf_column *src = c->b->cols[k];
            rf_column *dst = (*out)->cols[k];
            rc = src->type == RF_TYPE_NULL || dst->type == RF_TYPE_NULL || !rf_column_valid(src, c->i)
                     ? rf_column_append_null(dst) : rf_column_append_from(dst, src, c->i);
        }
        n++;
        if (rc) break;
        if (++c->i == c->b->nrows) {
            rc = cur_load(s, c);
            if (!c->b) m->heap[0] = m->heap[--m->nh];
        }
        if (m->nh > 0) sift_down(s, m, 0);
    }
    if (rc) { rf_batch_destroy(out); return rc; }
    (*out)->nrows = n;
    return RF_OK;
}

/* Sorts what the sorter holds and writes it as the next run (a spill file). */
static int write_run(rf_sorter *s)
{
    rf_batch *all = NULL;
    sort_ctx c = { s->orders, s->n, NULL };
    int64_t *idx = NULL;
    rf_spool *run = NULL;
    int rc = rf_batch_concat(s->held.b, (int)s->held.n, s->schema, &all);
    rf_blist_fini(&s->held);
    memset(&s->held, 0, sizeof s->held);
    s->bytes = 0;
    rf__mem_release(s->reserved);
    s->reserved = 0;
    if (rc) return rc;
    RF_TRY(rf__sortkey_eval(c.orders, c.n, all, &c.cols));
    RF_CHECK((idx = rf_malloc((size_t)(all->nrows ? all->nrows : 1) * sizeof *idx)) != NULL, RF_ERR_NOMEM, "out of memory");
    for (int64_t i = 0; i < all->nrows; i++) idx[i] = i;
    RF_TRY(rf_sort_idx(idx, all->nrows, cmp_rows, &c));
    RF_TRY(rf__grow((void **)&s->runs, &s->cap_runs, s->n_runs + 1, sizeof *s->runs));
    run = &s->runs[s->n_runs++];
    rf__spool_init(run);
    run->owner = RF_SPILL_SORT;
    for (int64_t at = 0; at < all->nrows; at += RUN_CHUNK) {
        int64_t n = all->nrows - at < RUN_CHUNK ? all->nrows - at : RUN_CHUNK;
        RF_TRY(rf__spool_put_batch(run, all, idx + at, n, &s->tmp));
        if (!rf__spool_spilled(run)) RF_TRY(rf__spool_spill(run));
    }
    rc = rf__spool_seal(run);
done:
    rf_free(idx);
    rf__cols_release(&c.cols, s->n);
    rf_batch_destroy(&all);
    return rc;
}

/* Merges runs[0, n) into one run, written to *dst. */
static int merge_to_run(rf_sorter *s, rf_spool *runs, int n, rf_spool *dst)
{
    merger m;
    rf_batch *b = NULL;
    int rc = merger_init(s, &m, runs, n);
    while (!rc) {
        if ((rc = merger_next(s, &m, RUN_CHUNK, &b)) || !b) break;
        rc = rf__spool_put_batch(dst, b, NULL, 0, &s->tmp);
        if (!rc && !rf__spool_spilled(dst)) rc = rf__spool_spill(dst);
        rf_batch_destroy(&b);
    }
    merger_fini(s, &m);
    return rc ? rc : rf__spool_seal(dst);
}

int rf__sorter_new(const rf_expr *const *orders, int n, const rf_schema *schema, const rf_task_ctx *ctx, rf_sorter **out)
{
    rf_sorter *s = rf_calloc(1, sizeof *s);
    *out = s;
    if (!s) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    s->orders = orders;
    s->n = n;
    s->schema = schema;
    s->ctx = ctx;
    return RF_OK;
}

int rf__sorter_add(rf_sorter *s, rf_batch *b)
{
    if (b->nrows == 0) { rf_batch_destroy(&b); return RF_OK; }
    s->bytes += (int64_t)rf_batch_bytes(b);
    int rc = rf_blist_push(&s->held, b);
    if (rc) return rc;
    /* sorting what is held takes it twice (one concatenated copy) plus an index and the sort keys */
    int64_t need = 2 * s->bytes + 24 * s->held.rows;
    return rf__op_must_spill(s->ctx, s->held.rows, need, &s->reserved) ? write_run(s) : RF_OK;
}

int rf__sorter_finish(rf_sorter *s)
{
    int rc = RF_OK;
    if (s->n_runs == 0) {   /* it fits */
        rf_batch *all = NULL;
        rc = rf_batch_concat(s->held.b, (int)s->held.n, s->schema, &all);
        rf_blist_fini(&s->held);
        memset(&s->held, 0, sizeof s->held);
        if (!rc) rc = rf__sort_batch(s->orders, s->n, all, &s->sorted);
        rf_batch_destroy(&all);
        return rc;
    }
    if (s->held.n) RF_TRY(write_run(s));
    while (s->n_runs > MAX_FANIN) {   /* merge passes: groups of consecutive runs become one */
        int64_t groups = (s->n_runs + MAX_FANIN - 1) / MAX_FANIN;
        rf_spool *next = rf_calloc((size_t)groups, sizeof *next);
        RF_CHECK(next != NULL, RF_ERR_NOMEM, "out of memory");
        for (int64_t g = 0; g < groups; g++) { rf__spool_init(&next[g]); next[g].owner = RF_SPILL_SORT; }
        for (int64_t g = 0; g < groups && !rc; g++) {
            int64_t from = g * MAX_FANIN, n = s->n_runs - from < MAX_FANIN ? s->n_runs - from : MAX_FANIN;
            rc = merge_to_run(s, s->runs + from, (int)n, &next[g]);
            for (int64_t k = from; k < from + n; k++) rf__spool_fini(&s->runs[k]);
        }
        for (int64_t k = 0; k < s->n_runs; k++) rf__spool_fini(&s->runs[k]);
        rf_free(s->runs);
        s->runs = next;
        s->n_runs = s->cap_runs = groups;
        if (rc) goto done;
    }
    rc = merger_init(s, &s->m, s->runs, (int)s->n_runs);
done:
    return rc;
}

int rf__sorter_next(rf_sorter *s, int64_t rows, rf_batch **out)
{
    *out = NULL;
    if (s->n_runs) return merger_next(s, &s->m, rows, out);
    return rf__emit_slice(&s->sorted, &s->pos, rows, out);
}

int64_t rf__sorter_runs(const rf_sorter *s) { return s->n_runs; }

void rf__sorter_free(rf_sorter **ps)
{
    rf_sorter *s = *ps;
    if (!s) return;
    rf_blist_fini(&s->held);
    rf_batch_destroy(&s->sorted);
    merger_fini(s, &s->m);
    for (int64_t k = 0; k < s->n_runs; k++) rf__spool_fini(&s->runs[k]);
    rf_free(s->runs);
    rf__mem_release(s->reserved);
    rf_buf_fini(&s->tmp);
    RF_FREE(*ps);
}

static int sort_open(rf_op *op)
{
    const rf_plan *p = op->plan;
    rf_sorter *s = NULL;
    int rc = rf__sorter_new((const rf_expr *const *)p->exprs, p->n_exprs, p->schema, op->ctx, &s);
    op->st = s;
    while (!rc) {
        rf_batch *b = NULL;
        if ((rc = rf__op_next(op->child[0], &b)) || !b) break;
        rc = rf__sorter_add(s, b);
    }
    return rc ? rc : rf__sorter_finish(s);
}

static int sort_next(rf_op *op, rf_batch **out)
{
    return rf__sorter_next(op->st, op->ctx->batch_rows, out);
}

static void sort_close(rf_op *op)
{
    rf_sorter *s = op->st;
    rf__sorter_free(&s);
    op->st = NULL;
}

const rf_op_vt rf__op_sort_vt = { "Sort", sort_open, sort_next, sort_close };

/* ---------------------------------------------------------------- top-n dynamic filter */
static bool int_key(rf_type t) { return t == RF_TYPE_INT32 || t == RF_TYPE_INT64 || t == RF_TYPE_DATE || t == RF_TYPE_TIMESTAMP; }

/* The HDF5 scan and its column that the first sort key of TakeOrdered p reads unchanged, or NULL. */
static const rf_plan *key_scan(const rf_plan *p, int *col)
{
    const rf_expr *o = p->exprs[0], *e = o->kind == RF_E_SORT ? o->arg[0] : o;
    if (e->kind != RF_E_COL || e->index < 0 || !int_key(e->type)) return NULL;
    int idx = e->index;
    for (const rf_plan *q = p->child[0];; q = q->child[0]) {
        if (q->kind == RF_P_FILTER) continue;
        if (q->kind == RF_P_PROJECT) {
            if (idx >= q->n_exprs || q->exprs[idx]->kind != RF_E_COL || q->exprs[idx]->index < 0) return NULL;
            idx = q->exprs[idx]->index;
            continue;
        }
        if (q->kind != RF_P_SCAN || q->src->format != RF_FMT_HDF5 || idx >= q->src->n_read) return NULL;
        if (q->src->read[idx] >= q->src->file_schema->n - q->src->n_part || q->schema->f[idx].type != e->type) return NULL;
        *col = idx;
        return q;
    }
}

static int find(const rf_plan *p, rf_dynf **out, int *n, int64_t *cap)
{
    if (p->kind == RF_P_EXCHANGE) return RF_OK;   /* another stage */
    int col = -1;
    const rf_plan *sc = p->kind == RF_P_TOPK && p->n > 0 && p->n_exprs > 0 ? key_scan(p, &col) : NULL;
    if (sc) {
        int rc = rf__grow((void **)out, cap, *n + 1, sizeof **out);
        if (rc) return rc;
        rf_dynf *f = &(*out)[(*n)++];
        const rf_expr *o = p->exprs[0];
        memset(f, 0, sizeof *f);
        f->topk = p;
        f->scan = sc;
        f->col = col;
        f->desc = o->kind == RF_E_SORT && o->desc;
        f->nulls_first = o->kind == RF_E_SORT ? o->nulls_first : true;
        atomic_init(&f->set, false);
        atomic_init(&f->bound, 0);
        if (pthread_mutex_init(&f->mu, NULL)) { (*n)--; return rf__err_set(RF_ERR_INTERNAL, "cannot make a mutex"); }
    }
    for (int i = 0; i < p->n_child; i++) {
        int rc = find(p->child[i], out, n, cap);
        if (rc) return rc;
    }
    return RF_OK;
}

void rf__dynf_free(rf_dynf **f, int n)
{
    for (int i = 0; *f && i < n; i++) { pthread_mutex_destroy(&(*f)[i].mu); rf_free((*f)[i].keys); }
    RF_FREE(*f);
}

int rf__dynf_find(const rf_plan *root, rf_dynf **out, int *n)
{
    int64_t cap = 0;
    *out = NULL;
    *n = 0;
    int rc = find(root, out, n, &cap);
    if (rc) rf__dynf_free(out, *n);
    if (rc) *n = 0;
    return rc;
}

rf_dynf *rf__dynf_of(const rf_task_ctx *ctx, const rf_plan *p)
{
    for (int i = 0; i < ctx->n_dynf; i++)
        if (ctx->dynf[i].topk == p || ctx->dynf[i].scan == p) return &ctx->dynf[i];
    return NULL;
}

/* Tightens the bound to v (under f->mu). */
static void dynf_tighten(rf_dynf *f, int64_t v)
{
    int64_t cur = 0;
    if (!rf__dynf_bound(f, &cur) || (f->desc ? v > cur : v < cur)) {
        atomic_store_explicit(&f->bound, v, memory_order_relaxed);
        atomic_store_explicit(&f->set, true, memory_order_release);
    }
}

/* A running task's bound: the key of its k-th kept row (kk[0] at row k - 1). */
static void dynf_publish(rf_dynf *f, const rf_column *key, int64_t row)
{
    if (!rf_column_valid(key, row)) return;   /* a NULL k-th key bounds nothing */
    int64_t v = rf_column_get_int(key, row), cur = 0;
    if (rf__dynf_bound(f, &cur) && (f->desc ? v <= cur : v >= cur)) return;   /* no tighter: no lock */
    pthread_mutex_lock(&f->mu);
    dynf_tighten(f, v);
    pthread_mutex_unlock(&f->mu);
}

/* A finished task's kept rows (their first keys, best first; NULLs left out, which only loosens
 * the bound) merged into the best k first keys of the finished tasks, whose k-th bounds them all. */
static void dynf_finish(rf_dynf *f, const rf_column *key, int64_t k)
{
    pthread_mutex_lock(&f->mu);
    int64_t n = key->len, most = f->nkeys + n < k ? f->nkeys + n : k, a = 0, b = 0, o = 0;
    int64_t *m = rf_malloc((size_t)(most + 1) * sizeof *m);
    if (!m) { pthread_mutex_unlock(&f->mu); return; }   /* the filter only skips work: none is no error */
    while (o < k && (a < f->nkeys || b < n)) {
        if (b < n && !rf_column_valid(key, b)) { b++; continue; }
        int64_t vb = b < n ? rf_column_get_int(key, b) : 0;
        bool take_b = a >= f->nkeys || (b < n && (f->desc ? vb > f->keys[a] : vb < f->keys[a]));
        m[o++] = take_b ? vb : f->keys[a];
        if (take_b) b++; else a++;
    }
    rf_free(f->keys);
    f->keys = m;
    f->nkeys = o;
    if (o == k) dynf_tighten(f, m[k - 1]);
    pthread_mutex_unlock(&f->mu);
}

/* TakeOrdered: keeps at most k rows as it reads (topk_add). */
typedef struct { rf_batch *sorted; int64_t pos; } topk_st;

static int topk_next(rf_op *op, rf_batch **out)
{
    topk_st *s = op->st;
    return rf__emit_slice(&s->sorted, &s->pos, op->ctx->batch_rows, out);
}

static void topk_close(rf_op *op)
{
    topk_st *s = op->st;
    if (s) rf_batch_destroy(&s->sorted);
    RF_FREE(op->st);
}

/* The k first rows so far: *kept (sorted, with its sort keys *kk) and the candidates in *pend;
 * merged (sorted, cut to k) when the candidates pass k rows, and at the end. */
static int topk_merge(const rf_plan *p, int64_t k, rf_batch **kept, rf_column ***kk, rf_blist *pend)
{
    const rf_expr *const *ord = (const rf_expr *const *)p->exprs;
    int n = p->n_exprs, rc = RF_OK;
    rf_batch *all = NULL, *sorted = NULL;
    if (!pend->n) return RF_OK;
    if (*kept) {   /* the kept rows first: they came before, and the sort is stable */
        rf_blist l = { 0 };
        rc = rf_blist_push(&l, *kept);
        *kept = NULL;
        for (int64_t i = 0; i < pend->n && !rc; i++) { rc = rf_blist_push(&l, pend->b[i]); pend->b[i] = NULL; }
        pend->n = 0;
        if (!rc) rc = rf_batch_concat(l.b, (int)l.n, p->schema, &all);
        rf_blist_fini(&l);
        if (rc) goto done;
    } else RF_TRY(rf_batch_concat(pend->b, (int)pend->n, p->schema, &all));
    rf_blist_fini(pend);
    RF_TRY(rf__sort_batch(ord, n, all, &sorted));
    rf__cols_release(kk, n);
    if (sorted->nrows > k) { RF_TRY(rf_batch_slice(sorted, 0, k, kept)); }
    else { *kept = sorted; sorted = NULL; }
    rc = rf__sortkey_eval(ord, n, *kept, kk);
done:
    rf_batch_destroy(&all);
    rf_batch_destroy(&sorted);
    return rc;
}

/* Adds b's rows that may be among the k first: once k are kept, only rows before the k-th kept
 * (one comparison each; an equal row came later, so a stable sort puts it after). b is consumed. */
static int topk_add(const rf_plan *p, int64_t k, rf_batch *b, rf_batch **kept, rf_column ***kk, rf_blist *pend)
{
    const rf_expr *const *ord = (const rf_expr *const *)p->exprs;
    int n = p->n_exprs, rc = RF_OK;
    rf_column **bk = NULL;
    int64_t *sel = NULL, m = 0;
    rf_batch *cand = NULL;
    if (*kept && (*kept)->nrows >= k) {
        RF_TRY(rf__sortkey_eval(ord, n, b, &bk));
        RF_CHECK((sel = rf_malloc((size_t)(b->nrows ? b->nrows : 1) * sizeof *sel)) != NULL, RF_ERR_NOMEM, "out of memory");
        for (int64_t i = 0; i < b->nrows; i++)
            if (rf__sortkey_cmp(ord, n, bk, i, *kk, k - 1) < 0) sel[m++] = i;
        if (m == 0) goto done;
        RF_TRY(rf_batch_gather(b, sel, m, &cand));
        RF_TRY(rf_blist_push(pend, cand));
        cand = NULL;
    } else {
        RF_TRY(rf_blist_push(pend, b));
        b = NULL;
    }
    if (pend->rows >= k || !*kept || (*kept)->nrows < k) rc = topk_merge(p, k, kept, kk, pend);
done:
    rf__cols_release(&bk, n);
    rf_free(sel);
    rf_batch_destroy(&cand);
    rf_batch_destroy(&b);
    return rc;
}

static int topk_open(rf_op *op)
{
    topk_st *s = rf_calloc(1, sizeof *s);
    if (!s) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    op->st = s;
    const rf_plan *p = op->plan;
    rf_batch *b = NULL;
    rf_column **kk = NULL;
    rf_blist pend = { 0 };
    rf_dynf *f = rf__dynf_of(op->ctx, p);
    int rc = RF_OK;
    for (;;) {
        RF_TRY(rf__op_next(op->child[0], &b));
        if (!b) break;
        if (b->nrows && p->n > 0) {
            rc = topk_add(p, p->n, b, &s->sorted, &kk, &pend);
            b = NULL;
            if (rc) goto done;
            if (f && s->sorted && s->sorted->nrows >= p->n) dynf_publish(f, kk[0], p->n - 1);
        }
        rf_batch_destroy(&b);
    }
    if (p->n > 0) RF_TRY(topk_merge(p, p->n, &s->sorted, &kk, &pend));
    if (f && kk && s->sorted) dynf_finish(f, kk[0], p->n);
    if (!s->sorted) rc = rf_batch_empty(p->schema, &s->sorted);
done:
    rf_blist_fini(&pend);
    rf__cols_release(&kk, p->n_exprs);
    rf_batch_destroy(&b);
    return rc;
}

const rf_op_vt rf__op_topk_vt = { "TakeOrdered", topk_open, topk_next, topk_close };
