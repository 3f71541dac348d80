/*
 * gather.c — the result gather to rank 0 (see executor.h).
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

/* ---------------------------------------------------------------- result gathering */
/* Collective: concatenates every task's packed result on rank 0, in task order. */
int rf__gather_result(MPI_Comm comm, int rc_in, const rf_action *act, const rf_schema *schema, task_out *outs, int64_t *tasks,
                         int64_t nlocal, rf_batch **result, rf_error *err)
{
    int rank, nranks, rc = rc_in;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &nranks);
    rf_buf mine = { 0 };
    int64_t *sizes = rf_calloc((size_t)nranks, sizeof *sizes);
    int *cnts = rf_calloc((size_t)nranks, sizeof *cnts), *displs = rf_calloc((size_t)nranks, sizeof *displs);
    uint8_t *all = NULL;
    if (!rc && (!sizes || !cnts || !displs)) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int64_t k = 0; k < nlocal && !rc; k++) {
        if (!outs[k].result.len) continue;
        rc = rf_buf_put_i64(&mine, tasks[k]);
        if (!rc) rc = rf_buf_put_i64(&mine, (int64_t)outs[k].result.len);
        if (!rc) rc = rf_buf_put(&mine, outs[k].result.data, outs[k].result.len);
        rf_buf_fini(&outs[k].result);
    }
    if ((rc = rf__agree(comm, rc, err))) goto done;
    int64_t len = (int64_t)mine.len, total = 0;
    RF_MPI(MPI_Gather(&len, 1, MPI_INT64_T, sizes, 1, MPI_INT64_T, 0, comm));
    int verdict = RF_OK;
    if (rank == 0) {
        for (int r = 0; r < nranks; r++) total += sizes[r];
        if (total > act->max_result)
            verdict = rf__err_set(RF_ERR_LIMIT, "the result is %lld bytes, more than riffle.driver.maxResultSize (%lld): write it to files instead, or raise the limit",
                                  (long long)total, (long long)act->max_result);
        else if (total > INT_MAX)
            verdict = rf__err_set(RF_ERR_LIMIT, "the result is %lld bytes, more than one MPI message can carry (2 GiB)", (long long)total);
        else if (!(all = rf_malloc((size_t)total + 1)))
            verdict = rf__err_set(RF_ERR_NOMEM, "out of memory for a %lld-byte result", (long long)total);
        for (int r = 0, off = 0; r < nranks; r++) { cnts[r] = (int)sizes[r]; displs[r] = off; off += (int)sizes[r]; }
    }
    if ((rc = rf__agree(comm, verdict, err))) goto done;
    if (len > INT_MAX) rc = rf__err_set(RF_ERR_LIMIT, "this rank's part of the result is %lld bytes, more than one MPI message carries", (long long)len);
    if ((rc = rf__agree(comm, rc, err))) goto done;
    RF_MPI(MPI_Gatherv(mine.data, (int)len, MPI_BYTE, all, cnts, displs, MPI_BYTE, 0, comm));
    if (rank == 0) {
        rf_chunk *ch = NULL;
        int64_t nch = 0, cch = 0;
        rf_rd r = { all, all + total };
        while (r.p < r.end && !rc) {
            int64_t task, l;
            if ((rc = rf_rd_i64(&r, &task)) || (rc = rf_rd_i64(&r, &l))) break;
            if ((rc = rf__grow((void **)&ch, &cch, nch + 1, sizeof *ch))) break;
            ch[nch++] = (rf_chunk){ task, l, r.p, 0, 0 };
            r.p += l;
        }
        /* insertion sort by task: few chunks */
        for (int64_t i = 1; i < nch; i++) {
            rf_chunk c = ch[i];
            int64_t j = i;
            while (j > 0 && ch[j - 1].task > c.task) { ch[j] = ch[j - 1]; j--; }
            ch[j] = c;
        }
        rf_blist l = { 0 };
        for (int64_t i = 0; i < nch && !rc; i++) {
            rf_rd cr = { ch[i].data, ch[i].data + ch[i].len };
            while (cr.p < cr.end && !rc) {
                rf_batch *b = NULL;
                rc = rf__unpack_batch(&cr, &b);
                if (!rc) rc = rf_blist_push(&l, b);
            }
        }
        if (!rc) rc = rf_batch_concat(l.b, (int)l.n, schema, result);
        rf_blist_fini(&l);
        rf_free(ch);
    }
done:
    rf_buf_fini(&mine);
    rf_free(sizes);
    rf_free(cnts);
    rf_free(displs);
    rf_free(all);
    rc = rf__agree(comm, rc, err);   /* rank 0's decoding may have failed alone */
    if (rc && result) rf_batch_destroy(result);
    return rc;
}
