/*
 * test_exchange.c — the collective shuffle at any rank count (run by tests/run-mpi at 1-4 ranks).
 * Task t (on rank t mod nranks) sends to partition p the rows v = t*10^6 + p*1000 + k, k < 50*((t+p)%4);
 * task 3 sends nothing. Every partition must receive exactly those rows, ordered by task. The same
 * exchange runs with a tiny round size (many Alltoallv rounds), and as a broadcast; each task's
 * output arrives in two pieces; and again with every send and receive spool spilled to disk.
 * Failures are reduced over ranks and reported by rank 0.
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include "shuffle/shuffle.h"
#include "../unit/unit.h"

static int failures;
#define EXPECT(c) do { if (!(c)) { failures++; fprintf(stderr, "rank %d: %s:%d: expected %s\n", rank, __FILE__, __LINE__, #c); } } while (0)

static int run(MPI_Comm comm, int rank, int nranks, int64_t ntasks, int64_t P, int64_t round_bytes, bool broadcast, int64_t off,
               bool spill)
{
    int64_t nlocal = 0;
    for (int64_t t = rank; t < ntasks; t += nranks) nlocal++;
    rf_mapout *maps = calloc((size_t)(nlocal + 1), sizeof *maps);
    int64_t k = 0;
    for (int64_t t = rank; t < ntasks; t += nranks, k++) {
        rf__mapout_init(&maps[k], t, broadcast ? 1 : P);
        for (int64_t p = 0; p < (broadcast ? 1 : P); p++) {
            if (t == 3) continue;
            int64_t n = (t + p) % 4 * 50, vals[200];
            for (int64_t j = 0; j < n; j++) vals[j] = t * 1000000 + p * 1000 + j;
            rf_batch *b = ut_batch_ints(n, vals);
            if (n) rf__pack_batch(b, NULL, n, &maps[k].part[p]);
            rf_batch_destroy(&b);
        }
    }
    rf_xdata x;
    int64_t sent;
    rf_shuffle_out o;
    rf__shuffle_out_init(&o, nranks, broadcast ? 1 : P, broadcast, off);
    for (int64_t i = 0; i < nlocal; i++) {   /* a task's output may arrive in pieces: split each in two */
        rf_mapout half;
        rf__mapout_init(&half, maps[i].task, maps[i].nparts);
        for (int64_t p = 0; p < maps[i].nparts; p++) {
            rf_buf *b = &maps[i].part[p];
            if (b->len && (p & 1)) { rf_buf_put(&half.part[p], b->data, b->len); b->len = 0; }
        }
        rf__shuffle_out_add(&o, &half);
        rf__shuffle_out_add(&o, &maps[i]);
        rf__mapout_fini(&half);
    }
    if (spill) for (int d = 0; d < (broadcast ? 1 : nranks); d++) rf__spool_spill(&o.dest[d]);
    int rc = rf__shuffle_exchange(comm, RF_OK, &o, round_bytes, &x, &sent, NULL);
    rf__shuffle_out_fini(&o);
    if (spill) for (int s2 = 0; s2 < x.n_in; s2++) EXPECT(x.in[s2].len == 0 || rf__spool_spilled(&x.in[s2]));
    rf_buf tmp = { 0 };
    EXPECT(rc == RF_OK);
    for (int64_t p = 0; rc == RF_OK && p < x.nparts; p++) {
        if (!broadcast && (p + off) % nranks != rank) { EXPECT(x.parts[p].n == 0); continue; }
        int64_t expect_t = 0, expect_j = 0, got = 0, want = 0;
        for (int64_t t = 0; t < ntasks; t++) if (t != 3) want += (t + p) % 4 * 50;
        for (int64_t c = 0; c < x.parts[p].n; c++) {
            const uint8_t *data = NULL;
            EXPECT(rf__chunk_bytes(&x, &x.parts[p].c[c], &tmp, &data) == RF_OK);
            rf_rd r = { data, data + x.parts[p].c[c].len };
            while (r.p < r.end) {
                rf_batch *b = NULL;
                EXPECT(rf__unpack_batch(&r, &b) == RF_OK);
                if (!b) break;
                for (int64_t i = 0; i < b->nrows; i++) {
                    int64_t v = rf_col_i64(b->cols[0], i), t = v / 1000000, pp = v / 1000 % 1000, j = v % 1000;
                    while (expect_t < ntasks && (expect_t == 3 || expect_j >= (expect_t + p) % 4 * 50)) { expect_t++; expect_j = 0; }
                    EXPECT(t == expect_t && pp == p && j == expect_j);
                    expect_j++;
                    got++;
                }
                rf_batch_destroy(&b);
            }
        }
        EXPECT(got == want);
    }
    rf_buf_fini(&tmp);
    rf__xdata_fini(&x);
    for (int64_t i = 0; i < nlocal; i++) rf__mapout_fini(&maps[i]);
    free(maps);
    return rc;
}

int main(int argc, char **argv)
{
    int rank, nranks, provided;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &nranks);
    run(MPI_COMM_WORLD, rank, nranks, 7, 5, 256 << 20, false, 0, false);
    run(MPI_COMM_WORLD, rank, nranks, 7, 5, 1, false, 0, false);        /* forces the minimum round size */
    run(MPI_COMM_WORLD, rank, nranks, 2, 9, 256 << 20, false, 0, false); /* fewer tasks than ranks: ranks with no rows */
    run(MPI_COMM_WORLD, rank, nranks, 6, 1, 256 << 20, true, 0, false);  /* broadcast */
    run(MPI_COMM_WORLD, rank, nranks, 0, 4, 256 << 20, false, 0, false); /* nothing at all */
    run(MPI_COMM_WORLD, rank, nranks, 7, 5, 256 << 20, false, 3, false); /* partitions placed with an offset (union branches) */
    /* a budget of one byte: every spool spills, and everything arrives the same */
    rf__mem_budget_init(MPI_COMM_WORLD, 1, "test");
    run(MPI_COMM_WORLD, rank, nranks, 7, 5, 256 << 20, false, 0, true);
    run(MPI_COMM_WORLD, rank, nranks, 7, 5, 1, false, 0, true);
    run(MPI_COMM_WORLD, rank, nranks, 6, 1, 1000, true, 0, true);
    rf__spill_cleanup();
    int total = 0;
    MPI_Reduce(&failures, &total, 1, MPI_INT, MPI_SUM, 0, MPI_COMM_WORLD);
    if (rank == 0) printf("test_exchange at %d rank(s): %s (%d failed checks)\n", nranks, total ? "FAIL" : "ok", total);
    MPI_Finalize();
    return total ? 1 : 0;
}
