/*
 * exchange.c — the collective shuffle.
 *
 * 1. Every local map task's partition buffers are framed as records [task, partition, length,
 *    bytes] and appended to one stream per destination rank (partition p lives on rank p mod
 *    nranks; broadcast sends every record to every rank).
 * 2. Ranks agree that the local phase worked (a rank that failed must not leave others waiting),
 *    then exchange stream sizes with MPI_Alltoall.
 * 3. Streams move with MPI_Alltoallv in rounds: no count exceeds INT_MAX and no round sends more
 *    than riffle.shuffle.roundBytes from one rank, so a shuffle larger than MPI's int counts or than
 *    the staging memory still works.
 * 4. Received records are indexed per partition and ordered by map task, so the row order of every
 *    partition is the same at any rank count.
 */
#include <limits.h>
#include <stdlib.h>
#include "shuffle/shuffle.h"
#include "core/comm.h"

void rf__xdata_fini(rf_xdata *x)
{
    for (int64_t p = 0; x->parts && p < x->nparts; p++) rf_free(x->parts[p].c);
    RF_FREE(x->parts);
    for (int i = 0; i < x->n_bufs; i++) rf_free(x->bufs[i]);
    RF_FREE(x->bufs);
    x->n_bufs = 0;
    x->nparts = 0;
}

static int chunk_cmp(const void *a, const void *b)
{
    const rf_chunk *x = a, *y = b;
    if (x->task != y->task) return x->task < y->task ? -1 : 1;
    return x->data < y->data ? -1 : x->data > y->data;
}

static int frame(rf_buf *s, int64_t task, int64_t part, const rf_buf *data)
{
    int rc = rf_buf_reserve(s, 24 + data->len);
    if (rc) return rc;
    rf_buf_put_i64(s, task);
    rf_buf_put_i64(s, part);
    rf_buf_put_i64(s, (int64_t)data->len);
    return rf_buf_put(s, data->data, data->len);
}

int rf__shuffle_exchange(MPI_Comm comm, int rc_in, rf_mapout *maps, int n_maps, int64_t nparts, bool broadcast,
                         int64_t rank_offset, int64_t round_bytes, rf_xdata *x, int64_t *bytes_sent, rf_error *err)
{
    int rank, nranks, rc = rc_in;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &nranks);
    rf_buf *out = NULL;
    int64_t *ssz = NULL, *rsz = NULL;
    int *sc = NULL, *sd = NULL, *rc_ = NULL, *rd = NULL;
    uint8_t *sbuf = NULL, *rbuf = NULL;
    memset(x, 0, sizeof *x);
    if (bytes_sent) *bytes_sent = 0;
    if (!rc) {
        out = rf_calloc((size_t)nranks, sizeof *out);
        ssz = rf_calloc((size_t)nranks, sizeof *ssz);
        rsz = rf_calloc((size_t)nranks, sizeof *rsz);
        sc = rf_calloc((size_t)nranks, sizeof *sc);
        sd = rf_calloc((size_t)nranks, sizeof *sd);
        rc_ = rf_calloc((size_t)nranks, sizeof *rc_);
        rd = rf_calloc((size_t)nranks, sizeof *rd);
        x->nparts = broadcast ? 1 : nparts;
        x->parts = rf_calloc((size_t)(x->nparts ? x->nparts : 1), sizeof *x->parts);
        x->bufs = rf_calloc((size_t)nranks, sizeof *x->bufs);
        if (!out || !ssz || !rsz || !sc || !sd || !rc_ || !rd || !x->parts || !x->bufs)
            rc = rf__err_set(RF_ERR_NOMEM, "out of memory setting up a shuffle");
    }
    for (int m = 0; m < n_maps && !rc; m++)
        for (int64_t p = 0; p < maps[m].nparts && !rc; p++) {
            if (maps[m].part[p].len == 0) continue;
            if (broadcast) for (int d = 0; d < nranks && !rc; d++) rc = frame(&out[d], maps[m].task, 0, &maps[m].part[p]);
            else rc = frame(&out[(p + rank_offset) % nranks], maps[m].task, p, &maps[m].part[p]);
        }
    for (int d = 0; d < nranks && !rc; d++) ssz[d] = (int64_t)out[d].len;
    /* a rank that failed must not leave the others waiting: agree before the first exchange */
    if ((rc = rf__agree(comm, rc, err))) goto done;
    RF_MPI(MPI_Alltoall(ssz, 1, MPI_INT64_T, rsz, 1, MPI_INT64_T, comm));
    /* rounds of at most `chunk` bytes per destination: every count and displacement of one round
     * (at most nranks * chunk) fits an int */
    int64_t chunk = round_bytes / nranks;
    if (chunk < 64) chunk = 64;   /* tiny rounds only in tests (riffle.shuffle.roundBytes) */
    if (chunk > INT_MAX / nranks) chunk = INT_MAX / nranks;
    int64_t rounds = 0, all_rounds = 0;
    for (int d = 0; d < nranks; d++) {
        int64_t r1 = (ssz[d] + chunk - 1) / chunk, r2 = (rsz[d] + chunk - 1) / chunk;
        if (r1 > rounds) rounds = r1;
        if (r2 > rounds) rounds = r2;
    }
    RF_MPI(MPI_Allreduce(&rounds, &all_rounds, 1, MPI_INT64_T, MPI_MAX, comm));
    /* receive buffers (one per source), staging buffers for one round */
    x->n_bufs = nranks;
    for (int s2 = 0; s2 < nranks && !rc; s2++)
        if (!(x->bufs[s2] = rf_malloc((size_t)(rsz[s2] ? rsz[s2] : 1))))
            rc = rf__err_set(RF_ERR_NOMEM, "out of memory receiving %lld shuffle bytes", (long long)rsz[s2]);
    if (!rc && (!(sbuf = rf_malloc((size_t)(chunk * nranks))) || !(rbuf = rf_malloc((size_t)(chunk * nranks)))))
        rc = rf__err_set(RF_ERR_NOMEM, "out of memory for shuffle staging (%lld bytes)", (long long)(chunk * nranks));
    if ((rc = rf__agree(comm, rc, err))) goto done;
    for (int64_t r = 0; r < all_rounds; r++) {
        int64_t so = 0, ro = 0;
        for (int d = 0; d < nranks; d++) {
            int64_t left = ssz[d] - r * chunk;
            int64_t n = left < 0 ? 0 : left < chunk ? left : chunk;
            sc[d] = (int)n;
            sd[d] = (int)so;
            if (n) memcpy(sbuf + so, out[d].data + r * chunk, (size_t)n);
            so += n;
            left = rsz[d] - r * chunk;
            n = left < 0 ? 0 : left < chunk ? left : chunk;
            rc_[d] = (int)n;
            rd[d] = (int)ro;
            ro += n;
        }
        RF_MPI(MPI_Alltoallv(sbuf, sc, sd, MPI_BYTE, rbuf, rc_, rd, MPI_BYTE, comm));
        for (int s2 = 0; s2 < nranks; s2++)
            if (rc_[s2]) memcpy(x->bufs[s2] + r * chunk, rbuf + rd[s2], (size_t)rc_[s2]);
    }
    if (bytes_sent) for (int d = 0; d < nranks; d++) if (d != rank) *bytes_sent += ssz[d];
    /* index the records */
    for (int s2 = 0; s2 < nranks && !rc; s2++) {
        rf_rd rdr = { x->bufs[s2], x->bufs[s2] + rsz[s2] };
        while (rdr.p < rdr.end && !rc) {
            int64_t task, part, len;
            if ((rc = rf_rd_i64(&rdr, &task)) || (rc = rf_rd_i64(&rdr, &part)) || (rc = rf_rd_i64(&rdr, &len))) break;
            if (part < 0 || part >= x->nparts || len < 0 || len > rdr.end - rdr.p) {
                rc = rf__err_set(RF_ERR_INTERNAL, "corrupt shuffle record from rank %d", s2);
                break;
            }
            rf_chunkv *v = &x->parts[part];
            if ((rc = rf__grow((void **)&v->c, &v->cap, v->n + 1, sizeof *v->c))) break;
            v->c[v->n++] = (rf_chunk){ task, len, rdr.p };
            rdr.p += len;
        }
    }
    for (int64_t p = 0; p < x->nparts && !rc; p++)
        if (x->parts[p].n > 1) qsort(x->parts[p].c, (size_t)x->parts[p].n, sizeof(rf_chunk), chunk_cmp);
done:
    for (int d = 0; out && d < nranks; d++) rf_buf_fini(&out[d]);
    rf_free(out);
    rf_free(ssz); rf_free(rsz); rf_free(sc); rf_free(sd); rf_free(rc_); rf_free(rd);
    rf_free(sbuf); rf_free(rbuf);
    rc = rf__agree(comm, rc, err);   /* indexing is local: a corrupt stream on one rank stops every rank */
    if (rc) rf__xdata_fini(x);
    return rc;
}
