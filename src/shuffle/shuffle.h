/*
 * shuffle.h — moving batches between ranks: columnar packing of (selected rows of) a batch into a
 * byte buffer, unpacking it back, partitioning rows by hash / range / round robin, and the
 * collective exchange itself (MPI_Alltoall of byte counts, then MPI_Alltoallv in bounded rounds).
 */
#ifndef RF_SHUFFLE_H
#define RF_SHUFFLE_H

#include <mpi.h>
#include "core/core.h"
#include "exec/exec.h"

/* Appends rows sel[0..n) of b (all rows when sel is NULL: n = b->nrows) to buf. Not Collective. */
int rf__pack_batch(const rf_batch *b, const int64_t *sel, int64_t n, rf_buf *buf);
/* Decodes one packed batch from r; *out returned-owned. Bounds-checked. */
int rf__unpack_batch(rf_rd *r, rf_batch **out);
/* Spooled batches (spill files, range exchange): rows sel[0..n) of b (all when sel is NULL) appended
 * to sp as [int64 length][packed batch]; and the next batch from *off (*out NULL at the end). tmp is
 * scratch space the caller reuses. */
int rf__spool_put_batch(rf_spool *sp, const rf_batch *b, const int64_t *sel, int64_t n, rf_buf *tmp);
int rf__spool_get_batch(const rf_spool *sp, int64_t *off, rf_buf *tmp, rf_batch **out);

/* Map output of one task, while it runs: one buffer per destination partition. The task moves it
 * into the rank's rf_shuffle_out whenever it grows past a bound, and at its end. */
typedef struct rf_mapout {
    int64_t task;
    int64_t nparts;
    rf_buf *part;     /* [nparts] */
    int64_t rows, bytes;
} rf_mapout;
int  rf__mapout_init(rf_mapout *m, int64_t task, int64_t nparts);
void rf__mapout_fini(rf_mapout *m);
/* Partitions b into m by the partition id of each row (pid[i] in [0, nparts)). */
int  rf__mapout_add(rf_mapout *m, const rf_batch *b, const int64_t *pid);

/* The map side of one exchange on this rank: framed records [task, partition, length, bytes], one
 * spool per destination rank (partition p lives on rank (p + rank_offset) mod nranks; a broadcast
 * keeps one spool that every rank receives). Spools spill to local disk when the budget refuses
 * them memory, so a stage's map output is bounded by the budget, not held whole. */
typedef struct rf_xrec { int64_t task, part, off, len; int dest; } rf_xrec;   /* one record: header at off, len with it */
typedef struct rf_shuffle_out {
    int       nranks;
    int64_t   nparts;
    bool      broadcast;
    int64_t   rank_offset;
    rf_spool *dest;       /* [nranks], or [1] for a broadcast */
    int64_t  *psize;      /* [nparts] bytes of each partition on this rank, record headers included */
    rf_xrec  *rec;        /* every record, in the order added (adaptive execution re-routes them) */
    int64_t   n_rec, cap_rec;
    void     *mu;         /* pthread mutex: tasks add from many threads */
} rf_shuffle_out;
int  rf__shuffle_out_init(rf_shuffle_out *o, int nranks, int64_t nparts, bool broadcast, int64_t rank_offset);
/* Thread-safe: moves m's bytes into o (framed, in partition order) and empties m. */
int  rf__shuffle_out_add(rf_shuffle_out *o, rf_mapout *m);
void rf__shuffle_out_fini(rf_shuffle_out *o);

/* Where an exchange's records go when adaptive execution re-plans the stage reading it: partition
 * p's records go to the rank of each of its segments seg[first[p] .. first[p+1]) whose map task
 * range [task_lo, task_hi) holds the record's task (a split skewed partition sends each map range
 * to its own task, and the other side of the join whole to each of them). Rank -1: the record stays
 * on the rank that made it (a join turned into a broadcast join at run time reads its probe side
 * where it is). */
typedef struct rf_route_seg { int64_t task_lo, task_hi; int rank; } rf_route_seg;
typedef struct rf_route {
    int64_t       nparts;
    int64_t      *first;   /* [nparts + 1] */
    rf_route_seg *seg;
} rf_route;
void rf__route_fini(rf_route *r);

/*
 * Collective. Sends what o holds to the ranks owning it and fills x with what this rank receives,
 * in map task order. round_bytes bounds what one rank sends per round (and the round is smaller
 * still where the memory budget is small). rc_in is the local status so far: the ranks agree on it
 * before anything moves (o may be NULL when it is an error). Returns an agreed status; the failing
 * rank's message lands in *err on rank 0. Frees nothing of o.
 */
int rf__shuffle_exchange(MPI_Comm comm, int rc_in, rf_shuffle_out *o, int64_t round_bytes, rf_xdata *x, int64_t *bytes_sent,
                         rf_error *err);
/* The same, with the records going where route says (NULL: where they were spooled for). The same
 * route on every rank. */
int rf__shuffle_exchange_routed(MPI_Comm comm, int rc_in, rf_shuffle_out *o, const rf_route *route, int64_t round_bytes,
                                rf_xdata *x, int64_t *bytes_sent, rf_error *err);

/* Bytes this rank's exchanges sent to each rank (itself included) since the last reset, for the
 * event log's shuffle matrix; *n: ranks (0 and NULL when nothing moved). Main thread only. */
void rf__exchange_matrix_reset(void);
const int64_t *rf__exchange_matrix(int *n);

#endif
