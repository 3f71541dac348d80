/*
 * executor.h — the executor's parts (internal to src/runtime): what a task leaves for its stage's
 * collective phase, and the phases themselves, one file each:
 *   prepass.c   the CSV pre-pass (quote state and line numbers at every split, one collective);
 *   executor.c  the job and stage loop, task runs, map-side partitioning;
 *   h5out.c     HDF5 output (task rows spooled or sorted by partition key, the collective write);
 *   range.c     range partitioning (sampled bounds, then the task rows into the exchange);
 *   gather.c    the result gather to rank 0;
 *   metrics.c   stage metrics to rank 0 (progress lines, event log) and the EXPLAIN ANALYZE report;
 *   progress.c  live progress inside a stage;
 *   checkpoint.c stage checkpoints (riffle.checkpoint.dir);
 *   adaptive.c  re-planning between stages (a broadcast too big becomes a shuffle);
 *   caches.c    the registry of filled caches (commit, unpersist, eviction between jobs).
 */
#ifndef RF_EXECUTOR_H
#define RF_EXECUTOR_H

#include "runtime/runtime.h"
#include "shuffle/shuffle.h"
#include "core/comm.h"

typedef struct {
    rf_spool   ranged;    /* range exchange: the task's rows, framed packed batches, until the bounds are known;
                           * HDF5 write: the task's rows until the collective phase */
    int64_t   *sbytes;    /* HDF5 write: bytes of each string column */
    uint8_t   *anynull;   /* HDF5 write: the column has a NULL */
    int64_t    off;       /* HDF5 write: read position in ranged */
    rf_batch  *cur;       /* HDF5 write: the batch being read, and the next row in it */
    int64_t    cur_pos;
    struct pkey *pk;      /* partitioned HDF5 write: the task's partition keys in sorted order, with their rows */
    int64_t    n_pk, cap_pk, pk_at;
    rf_buf     result;    /* collect: packed batches */
    int64_t    nrows;
    double     secs;      /* the task's run time */
    rf_error   err;
    int        rc;
} task_out;

typedef struct pkey { char *key; int64_t rows; int64_t *sbytes; uint8_t *anynull; } pkey;
typedef struct {
    int       *pcols, np, nc, *dcols, nd;
    rf_schema *ks;        /* the row schema plus the key column */
    rf_expr   *order;
    rf_sorter *sorter;
    rf_buf     key, tmp;
} pw_state;

/* Partition ids (*pid, returned-owned) of b's rows for exchange x, a map task's `seen` rows in. */
int rf__partition_ids(const rf_plan *x, int64_t task, int64_t ntasks, const rf_batch *b, int64_t *seen, int64_t **pid);

/* adaptive.c. Collective, after the map side of stage si ran: a broadcast over `limit` bytes in
 * all becomes a shuffled join (the plan, st, xo and *xd change alike on every rank). */
int rf__adapt_broadcast(MPI_Comm comm, const rf_action *act, rf_stages *st, int si, rf_shuffle_out *xo, rf_xdata **xd,
                        int64_t limit, int rc_in, rf_error *err);

/* adaptive.c. Collective, before stage si runs: exchanges the map output its inputs left in xos
 * (pending[id]), routed by a new plan for its tasks where adaptive execution changes it (small
 * partitions coalesced, skewed join partitions split: rf_stage.spec). *sent: bytes this rank sent. */
int rf__adapt_stage(MPI_Comm comm, const rf_action *act, rf_stages *st, int si, rf_shuffle_out *xos, bool *pending,
                    rf_xdata *xd, int64_t op_mem, int64_t *sent, rf_error *err);

/* What a running task may hold of its map output before moving it into the rank's spools. */
int64_t rf__map_flush_bytes(void);

/* prepass.c. Collective: the stage's CSV scans' split states; rc: the local status (agreed first). */
int  rf__csv_prepass(MPI_Comm comm, const rf_stage *st, int rc, rf_scanprep **out, int *n_out, rf_error *err);
void rf__csv_prep_free(rf_scanprep *p, int n);

/* h5out.c */
int  rf__h5out_note(task_out *o, const rf_batch *b, int nc);   /* a task's rows, before they are spooled */
int  rf__pw_init(pw_state *w, const rf_schema *s, const char *spec, const rf_task_ctx *ctx);
int  rf__pw_add(pw_state *w, const rf_schema *s, rf_batch *b);  /* consumes b */
int  rf__pw_finish(pw_state *w, task_out *o, rf_buf *tmp);
void rf__pw_fini(pw_state *w);
/* Collective: the stage's task rows into the staging directory. Returns an agreed status. */
int  rf__write_hdf5(MPI_Comm comm, int rc_in, const rf_action *act, const rf_stage *st, task_out *outs, const int64_t *tasks,
                    int64_t nlocal, rf_error *err);

/* range.c. Collective: samples bounds, then partitions the tasks' spooled rows into xo. */
int  rf__range_partition(MPI_Comm comm, const rf_stage *st, task_out *outs, int64_t *tasks, int64_t nlocal, rf_shuffle_out *xo,
                         int rc_in, rf_error *err);

/* gather.c. Collective: the result to rank 0 (*result there). */
int  rf__gather_result(MPI_Comm comm, int rc_in, const rf_action *act, const rf_schema *schema, task_out *outs, int64_t *tasks,
                       int64_t nlocal, rf_batch **result, rf_error *err);

/* progress.c: a stage's live progress on rank 0's stderr. begin and add are not collective; end is
 * called by every rank after its tasks (the other ranks' last messages to rank 0). */
typedef struct rf_progress {
    bool     on, tty, shown, failed;
    double   interval, t0, next_print;
    MPI_Comm comm;
    int      rank, nranks, stage, n_stages, finals;
    int64_t  n_tasks;
    _Atomic int64_t tasks, read, rows, bytes;   /* this rank's so far: tasks done, rows in and out, bytes for the shuffle */
    _Atomic int64_t next_us;              /* the next tick (monotonic microseconds) */
    int64_t  sbuf[6], rbuf[6];
    MPI_Request sreq, rreq;
    int64_t (*seen)[6];                   /* rank 0: each rank's last counters */
} rf_progress;
void rf__progress_begin(rf_progress *p, MPI_Comm comm, const rf_action *act, int si, int n_stages, int64_t n_tasks);
void rf__progress_add(rf_progress *p, int64_t rows, int64_t bytes, int64_t tasks);   /* any task thread */

int  rf__progress_end(rf_progress *p, rf_cancel *cancel);

/* metrics.c. Per rank of a stage: the seconds it took, its tasks, their seconds and the longest, rows out. */
typedef struct rank_stat { double secs, tasks, busy, longest, rows; } rank_stat;
/* Collective: every rank's stage metrics to rank 0 (the stage line when `say`, the event log with
 * the shuffle matrix and the skew of `own`, the stage's shuffle output; EXPLAIN ANALYZE's stages). */
int  rf__stage_metrics(MPI_Comm comm, const rf_action *act, const rf_stages *st, int si, rank_stat me, int64_t sent, double t0,
                       bool say, const rf_shuffle_out *own);
/* Collective: the operators' statistics to rank 0, which writes the EXPLAIN ANALYZE report. */
int  rf__analysis_report(MPI_Comm comm, const rf_action *act, const rf_plan *plan, const rf_stages *st, const rf_opstats *s, double secs);
void rf__analysis_reset(void);                       /* before an analyzed job */
int  rf__plan_max_id(const rf_plan *p, int64_t m);   /* the largest planned node id in p, at least m */

/* checkpoint.c: stage checkpoints (riffle.checkpoint.dir). */
typedef struct rf_ckpt {
    bool     on;        /* this job checkpoints (the same on every rank) */
    char    *dir;       /* DIR/KEY */
    uint64_t key[2];    /* the plan with its program; its input files */
    int      n;         /* planned stages */
    bool    *can;       /* [n] by stage id: its output may be checkpointed (a shuffle, not a broadcast) */
    bool    *done;      /* [n] by stage id: its output is in the checkpoint */
} rf_ckpt;
/* Collective, before the stages run: the job's checkpoint; the stages done and needed are read
 * back into xos (pending set) and skip[id] says which stages (by id) need not run. */
int  rf__ckpt_begin(MPI_Comm comm, const rf_action *act, const rf_plan *plan, const rf_stages *st, rf_shuffle_out *xos, bool *pending,
                    bool *skip, int n_ids, rf_ckpt *c, rf_error *err);
/* Collective, after stage s's map output is complete in xo: every rank writes its part, a vote,
 * rank 0 marks the stage done. A failed write only leaves the stage out of the checkpoint; the
 * status (an MPI failure only) is local: the caller agrees on it. */
int  rf__ckpt_stage(MPI_Comm comm, rf_ckpt *c, const rf_action *act, const rf_stage *s, rf_shuffle_out *xo);
void rf__ckpt_fini(rf_ckpt *c);

/* caches.c */
void rf__settle_caches(MPI_Comm comm, const rf_plan *plan, int rc);   /* collective */
void rf__forget_caches(const rf_action *act);                         /* local, the same on every rank */
void rf__evict_caches(MPI_Comm comm, bool progress);                  /* collective */

#endif
