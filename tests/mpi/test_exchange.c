/*
 * test_exchange.c — the collective shuffle at any rank count (run by tests/run-mpi at 1-4 ranks).
 * Task t (on rank t mod nranks) sends to partition p the rows v = t*10^6 + p*1000 + k, k < 50*((t+p)%4);
 * task 3 sends nothing. Every partition must receive exactly those rows, ordered by task. The same
 * exchange runs with a tiny round size (many Alltoallv rounds), and as a broadcast.
 * Failures are reduced over ranks and reported by rank 0.
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include "shuffle/shuffle.h"
#include "../unit/unit.h"

static int failures;
#define EXPECT(c) do { if (!(c)) { failures++; fprintf(stderr, "rank %d: %s:%d: expected %s\n", rank, __FILE__, __LINE__, #c); } } while (0)

static int run(MPI_Comm comm, int rank, int nranks, int64_t ntasks, int64_t P, int64_t round_bytes, bool broadcast, int64_t off)
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
    int rc = rf__shuffle_exchange(comm, RF_OK, maps, (int)nlocal, P, broadcast, off, round_bytes, &x, &sent, NULL);
    EXPECT(rc == RF_OK);
    for (int64_t p = 0; rc == RF_OK && p < x.nparts; p++) {
        if (!broadcast && (p + off) % nranks != rank) { EXPECT(x.parts[p].n == 0); continue; }
        int64_t expect_t = 0, expect_j = 0, got = 0, want = 0;
        for (int64_t t = 0; t < ntasks; t++) if (t != 3) want += (t + p) % 4 * 50;
        for (int64_t c = 0; c < x.parts[p].n; c++) {
            rf_rd r = { x.parts[p].c[c].data, x.parts[p].c[c].data + x.parts[p].c[c].len };
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
    run(MPI_COMM_WORLD, rank, nranks, 7, 5, 256 << 20, false, 0);
    run(MPI_COMM_WORLD, rank, nranks, 7, 5, 1, false, 0);        /* forces the minimum round size */
    run(MPI_COMM_WORLD, rank, nranks, 2, 9, 256 << 20, false, 0); /* fewer tasks than ranks: ranks with no rows */
    run(MPI_COMM_WORLD, rank, nranks, 6, 1, 256 << 20, true, 0);  /* broadcast */
    run(MPI_COMM_WORLD, rank, nranks, 0, 4, 256 << 20, false, 0); /* nothing at all */
    run(MPI_COMM_WORLD, rank, nranks, 7, 5, 256 << 20, false, 3); /* partitions placed with an offset (union branches) */
    int total = 0;
    MPI_Reduce(&failures, &total, 1, MPI_INT, MPI_SUM, 0, MPI_COMM_WORLD);
    if (rank == 0) printf("test_exchange at %d rank(s): %s (%d failed checks)\n", nranks, total ? "FAIL" : "ok", total);
    MPI_Finalize();
    return total ? 1 : 0;
}
