/*
 * range.c — range partitioning: sampled bounds, then the tasks' spooled rows into the exchange (see executor.h).
 */
#include <errno.h>
#include <limits.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include "runtime/executor.h"
#include "io/h5.h"
#include "io/partition.h"

/* ---------------------------------------------------------------- range partitioning */
typedef struct { const rf_expr *const *o; int n; rf_column **c; } bound_ctx;
static int bound_cmp(void *p, int64_t a, int64_t b)
{
    bound_ctx *c = p;
    return rf__sortkey_cmp(c->o, c->n, c->c, a, c->c, b);
}

/* Collective: samples every task's rows, agrees on P-1 bounds, partitions the kept rows. rc_in:
 * the local status so far (agreed first). Returns an agreed status. */
int rf__range_partition(MPI_Comm comm, const rf_stage *st, task_out *outs, int64_t *tasks, int64_t nlocal, rf_shuffle_out *xo,
                           int rc_in, rf_error *err)
{
    rf_buf tmpb = { 0 };
    const rf_plan *x = st->exchange;
    const rf_expr *const *ord = (const rf_expr *const *)x->exprs;
    int no = x->n_exprs, nranks, rc = rc_in;
    int64_t P = x->n;
    MPI_Comm_size(comm, &nranks);
    rf_buf mine = { 0 };
    uint8_t *all = NULL;
    int *cnts = rf_calloc((size_t)nranks, sizeof *cnts), *displs = rf_calloc((size_t)nranks, sizeof *displs);
    rf_blist samples = { 0 };
    rf_batch *sb = NULL;
    rf_column **bc = NULL;
    int64_t *idx = NULL;
    if (!rc && (!cnts || !displs)) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    if ((rc = rf__agree(comm, rc, err))) goto done;
    int64_t per_task = 4 * P > 64 ? 4 * P : 64;
    /* m evenly spaced rows of each task (rows i * n / m), read back batch by batch from its spool */
    for (int64_t k = 0; k < nlocal && !rc; k++) {
        int64_t n = outs[k].nrows, m = n < per_task ? n : per_task, next = 0, base = 0, off = 0;
        if (!n) continue;
        rf_blist keys = { 0 };
        rf_batch *b = NULL, *cat = NULL;
        rc = rf__spool_seal(&outs[k].ranged);
        while (!rc && next < m) {
            if ((rc = rf__spool_get_batch(&outs[k].ranged, &off, &tmpb, &b)) || !b) break;
            int64_t cnt = 0, *sel = rf_malloc((size_t)(m - next) * sizeof *sel);
            if (!sel) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); rf_batch_destroy(&b); break; }
            while (next < m && next * n / m < base + b->nrows) sel[cnt++] = next++ * n / m - base;
            rf_column **kc = NULL;
            rf_batch keyb = { 0 }, *g = NULL;
            if (cnt) {
                rc = rf__sortkey_eval(ord, no, b, &kc);
                if (!rc) { keyb.nrows = b->nrows; keyb.ncols = no; keyb.cols = kc; rc = rf_batch_gather(&keyb, sel, cnt, &g); }
                if (!rc) { rc = rf_blist_push(&keys, g); g = NULL; }
                rf__cols_release(&kc, no);
            }
            base += b->nrows;
            rf_free(sel);
            rf_batch_destroy(&b);
        }
        if (!rc && keys.n) rc = rf_batch_concat(keys.b, (int)keys.n, NULL, &cat);
        if (!rc && cat) rc = rf_buf_put_i64(&mine, tasks[k]);
        if (!rc && cat) rc = rf__pack_batch(cat, NULL, cat->nrows, &mine);
        rf_batch_destroy(&cat);
        rf_blist_fini(&keys);
    }
    if (!rc && mine.len > INT_MAX / 2) rc = rf__err_set(RF_ERR_LIMIT, "range partitioning: %zu bytes of sort-key samples on one rank", mine.len);
    if ((rc = rf__agree(comm, rc, err))) goto done;
    int len = (int)mine.len, total = 0;
    int64_t total64 = 0;
    RF_MPI(MPI_Allgather(&len, 1, MPI_INT, cnts, 1, MPI_INT, comm));
    for (int r = 0; r < nranks; r++) total64 += cnts[r];
    if (total64 > INT_MAX) rc = rf__err_set(RF_ERR_LIMIT, "range partitioning: %lld bytes of sort-key samples in all", (long long)total64);
    for (int r = 0; r < nranks && !rc; r++) { displs[r] = total; total += cnts[r]; }
    if (!rc && !(all = rf_malloc((size_t)total + 1))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    if ((rc = rf__agree(comm, rc, err))) goto done;
    RF_MPI(MPI_Allgatherv(mine.data, len, MPI_BYTE, all, cnts, displs, MPI_BYTE, comm));
    {
        /* decode samples; order by task so every rank sees the same sample list */
        rf_rd r = { all, all + total };
        int64_t *tk = NULL, ntk = 0, ctk = 0;
        rf_batch **bs = NULL;
        int64_t cbs = 0;
        while (r.p < r.end && !rc) {
            int64_t task;
            rf_batch *b = NULL;
            if ((rc = rf_rd_i64(&r, &task)) || (rc = rf__unpack_batch(&r, &b))) break;
            if ((rc = rf__grow((void **)&tk, &ctk, ntk + 1, sizeof *tk)) || (rc = rf__grow((void **)&bs, &cbs, ntk + 1, sizeof *bs))) { rf_batch_destroy(&b); break; }
            int64_t pos = ntk;
            while (pos > 0 && tk[pos - 1] > task) { tk[pos] = tk[pos - 1]; bs[pos] = bs[pos - 1]; pos--; }
            tk[pos] = task;
            bs[pos] = b;
            ntk++;
        }
        if (!rc) {
            rf_schema *ks = NULL;
            rc = rf_schema_create(no, &ks);
            for (int i = 0; !rc && i < no; i++) { ks->f[i].type = ord[i]->type; ks->f[i].name = rf_strdup("k"); }
            if (!rc) rc = rf_batch_concat(bs, (int)ntk, ks, &sb);
            rf_schema_destroy(&ks);
        }
        for (int64_t i = 0; i < ntk; i++) rf_batch_destroy(&bs[i]);
        rf_free(bs);
        rf_free(tk);
        if (rc) goto done;
    }
    /* sort the samples; bounds at the quantiles */
    int64_t ns = sb->nrows, nb = ns ? (P - 1 < ns ? P - 1 : ns) : 0;
    RF_CHECK((idx = rf_malloc((size_t)(ns ? ns : 1) * sizeof *idx)) != NULL, RF_ERR_NOMEM, "out of memory");
    for (int64_t i = 0; i < ns; i++) idx[i] = i;
    {
        bound_ctx bctx = { ord, no, sb->cols };
        RF_TRY(rf_sort_idx(idx, ns, bound_cmp, &bctx));
    }
    int64_t *bidx = rf_malloc((size_t)(nb ? nb : 1) * sizeof *bidx);
    RF_CHECK(bidx != NULL, RF_ERR_NOMEM, "out of memory");
    for (int64_t i = 0; i < nb; i++) bidx[i] = idx[(i + 1) * ns / (nb + 1)];
    rf_batch *bounds = NULL;
    rc = rf_batch_gather(sb, bidx, nb, &bounds);
    rf_free(bidx);
    if (rc) goto done;
    /* partition each task's rows: partition = number of bounds <= row (upper bound), scaled to P */
    int64_t flush_at = rf__map_flush_bytes();
    for (int64_t k = 0; k < nlocal && !rc; k++) {
        rf_mapout map;
        int64_t off = 0;
        rc = rf__mapout_init(&map, tasks[k], P);
        for (;;) {
            rf_batch *b = NULL;
            if (rc || (rc = rf__spool_get_batch(&outs[k].ranged, &off, &tmpb, &b)) || !b) break;
            rf_column **kc = NULL;
            int64_t *pid = rf_malloc((size_t)(b->nrows ? b->nrows : 1) * sizeof *pid);
            if (!pid) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); rf_batch_destroy(&b); break; }
            rc = rf__sortkey_eval(ord, no, b, &kc);
            for (int64_t i = 0; !rc && i < b->nrows; i++) {
                int64_t lo = 0, hi = nb;
                while (lo < hi) {
                    int64_t mid = (lo + hi) / 2;
                    if (rf__sortkey_cmp(ord, no, bounds->cols, mid, kc, i) <= 0) lo = mid + 1; else hi = mid;
                }
                pid[i] = nb + 1 < P ? lo * P / (nb + 1) : lo;
            }
            if (!rc) rc = rf__mapout_add(&map, b, pid);
            if (!rc && map.bytes > flush_at) rc = rf__shuffle_out_add(xo, &map);
            rf__cols_release(&kc, no);
            rf_free(pid);
            rf_batch_destroy(&b);
        }
        if (!rc) rc = rf__shuffle_out_add(xo, &map);
        rf__mapout_fini(&map);
        rf__spool_fini(&outs[k].ranged);   /* its memory goes back to the pool as the next task is partitioned */
    }
    rf_batch_destroy(&bounds);
done:
    rf_free(idx);
    rf_batch_destroy(&sb);
    rf__cols_release(&bc, 0);
    rf_buf_fini(&mine);
    rf_free(all);
    rf_free(cnts);
    rf_free(displs);
    rf_blist_fini(&samples);
    rf_buf_fini(&tmpb);
    return rf__agree(comm, rc, err);   /* the local partitioning after the last collective may have failed on one rank */
}
