/*
 * runtime.h — sessions, configuration, the driver/executor command protocol and job execution.
 *
 * Every rank runs rf__job_run() for every job: rank 0 (the driver) plans the job and broadcasts
 * it; every rank, rank 0 included, executes its stages. Errors are agreed on collectively after
 * every local phase, and the first failing rank's message is sent to rank 0.
 */
#ifndef RF_RUNTIME_H
#define RF_RUNTIME_H

#include <stdarg.h>
#include <mpi.h>
#include <stdio.h>
#include "core/core.h"
#include "core/comm.h"
#include "io/files.h"
#include "io/output.h"
#include "plan/plan.h"
#include "exec/exec.h"
#include "riffle/riffle.h"

/* ---- configuration (conf.c) ---- */
typedef struct rf_conf {
    int    n;
    char **key, **val;
    char **warned;       /* spark.* keys riffle ignores, each warned about once */
    int    n_warned;
    bool   driver;       /* rank 0: prints the warnings */
} rf_conf;
int  rf__conf_set(rf_conf *c, const char *key, const char *val);   /* validates; canonicalizes aliases */
const char *rf__conf_get(const rf_conf *c, const char *key);      /* value or the default */
int64_t rf__conf_size(const rf_conf *c, const char *key);
int  rf__conf_load_file(rf_conf *c, const char *path);
int  rf__conf_copy(rf_conf *dst, const rf_conf *src);   /* dst initialized here */
void rf__conf_fini(rf_conf *c);

/* ---- what a job does with its result ---- */
typedef enum rf_action_kind { RF_ACT_COLLECT = 0, RF_ACT_WRITE_CSV, RF_ACT_WRITE_HDF5, RF_ACT_WRITE_RFB } rf_action_kind;
typedef struct rf_action {
    rf_action_kind kind;
    rf_output out;         /* WRITE: where and how (io/output.h) */
    int64_t max_result;    /* COLLECT: riffle.driver.maxResultSize */
    int64_t batch_rows;
    int64_t round_bytes;
    int64_t job_id;
    bool    progress;      /* print stage progress on rank 0's stderr */
    uint8_t live;          /* live progress inside stages (progress.c): 0 off, 1 on (riffle.progress=true or auto) */
    bool    live_tty;      /* rank 0's stderr is a terminal (or riffle submit's was): redraw one line */
    int32_t live_interval; /* riffle.progress.interval: seconds between lines in a log */
    char   *checkpoint_dir;/* riffle.checkpoint.dir: completed stages' shuffle output kept there ("" off; checkpoint.c) */
    bool    evlog;         /* rank 0 keeps an event log: the stage metrics include per-rank and shuffle detail */
    bool    metrics;       /* gather per-stage metrics to rank 0 (progress or the event log) */
    bool    analyze;       /* EXPLAIN ANALYZE: operator rows and times too; rank 0 keeps the report (rf__job_analysis) */
    int64_t rg_rows;       /* WRITE_HDF5: rows per row group */
    int     deflate;       /* WRITE_HDF5: 0 off, 1-9 deflate level */
    int     collective;    /* WRITE_HDF5: MPI-IO transfers: 1 collective, 0 independent, 2 auto (collective across
                            * nodes; on one node collective from RF_H5_COLLECTIVE_ROWS rows, independent below) */
    bool    h5_mpio;       /* HDF5 scans read through the MPI-IO driver (riffle.hdf5.readDriver) */
    bool    checksum;      /* WRITE_HDF5: Fletcher-32 checksums on the datasets (riffle.hdf5.checksum) */
    int64_t mem_budget;    /* riffle.executor.memory per rank; 0: from the allocation (core/spill.h) */
    char   *local_dir;     /* riffle.local.dir: where ranks spill; "" for $SLURM_TMPDIR, $TMPDIR, /tmp */
    int64_t force_spill;   /* riffle.spill.forceThreshold: an operator spills at this many rows / groups (0: by memory only) */
    int64_t partial_groups;/* riffle.aggregate.partialGroups: a partial aggregation flushes at this many groups */
    int64_t shuffle_partitions; /* riffle.shuffle.partitions: most partitions an adaptive change makes */
    bool    adaptive;      /* riffle.sql.adaptive.enabled: re-plan between stages (runtime/adaptive.c) */
    struct {               /* riffle.sql.adaptive.*: what adaptive execution may do, and its sizes */
        bool    coalesce, parallelism_first, skew;
        int64_t advisory, min_part, skew_factor, skew_threshold;
        int64_t broadcast;   /* a shuffled join's build side at most this big, found at run time, is broadcast (-1: never) */
    } aqe;
    int64_t rows_in, rows_out;  /* set by the job: rows its scans of a streaming batch read and its last stage
                                 * gave, over every rank */
    int64_t *uncached;     /* cache ids every rank forgets before the job (rf_df_unpersist) */
    int64_t n_uncached;
} rf_action;
static inline bool rf__action_writes(const rf_action *a) { return a->kind != RF_ACT_COLLECT; }

/* ---- event log (eventlog.c; rank 0 only) ---- */
int  rf__evlog_open(const char *path, int nranks);   /* no-op when already open on path */
bool rf__evlog_on(void);
void rf__evlog_job_start(const rf_action *act, const rf_plan *phys, const rf_conf *conf);
/* What a stage did, over every rank (rank 0 logs it as StageCompleted). */
typedef struct rf_stage_report {
    int64_t job;
    int     stage, n_stages;
    int64_t tasks, rows, sent;
    double  secs, rank_min, rank_max;
    int64_t spill_bytes, spill_files;
    double  spill_secs;
    const int64_t *spill_by;              /* [RF_SPILL_OWNERS] spill bytes of each kind of operator */
    int     nranks;
    const double *per_rank;               /* [nranks][RF_RANK_STATS] */
    int     groups;                       /* shuffle matrix: ranks in `groups` groups (one rank each up to 64) */
    const int64_t *matrix;                /* [groups][groups] bytes the exchanges read at the stage's start moved, or NULL */
    int64_t parts, part_max, part_median; /* the stage's own shuffle output by partition (parts 0: none) */
} rf_stage_report;
enum { RF_RANK_STATS = 5 };               /* per rank: seconds in the stage, tasks, task seconds, longest task, rows out */
void rf__evlog_stage(const rf_stage_report *r);
void rf__evlog_adaptive(int64_t job, int stage, const char *what, int64_t bytes, int64_t partitions);
void rf__evlog_final_plan(int64_t job, const rf_plan *phys, const rf_stages *st);   /* after an adaptive job ran */
void rf__evlog_stream_progress(const char *fields);   /* a streaming batch's progress object (stream.c) */
void rf__evlog_job_end(int64_t job, int rc, const rf_error *err);
void rf__evlog_resumed(int64_t job, const char *dir, const bool *restored, int n, int64_t bytes, int skipped);   /* checkpoint.c */
void rf__evlog_close(void);
void rf__ckpt_session_end(bool ok);   /* rank 0: removes the session's checkpoints when it ended well (checkpoint.c) */   /* SessionEnd, fsync, rename PATH.inprogress -> PATH */

int  rf__action_encode(const rf_action *a, rf_buf *b);
int  rf__action_decode(rf_rd *r, rf_action *a);
void rf__action_fini(rf_action *a);
/* A write action of `kind` with the session's defaults (HDF5 row groups, collective writes, checksums;
 * CSV with a header and commas). */
void rf__write_action(rf_session *s, rf_action_kind kind, rf_action *act);

/* ---- session (session.c) ---- */
struct rf_session {
    MPI_Comm  comm;
    int       rank, nranks;
    rf_conf   conf;
    int64_t   next_attr;
    int64_t   next_job;
    int64_t   next_cache;
    int64_t  *uncached;   /* cache ids unpersisted: planned as their input, freed on every rank by the next job */
    int64_t   n_uncached, cap_uncached;
    rf_error  err;
    struct rf_df **dfs;
    int64_t   n_dfs, cap_dfs;
    struct rf_sqlview *views;   /* temporary views (rf_df_create_temp_view, rf_sql; sql/statement.c) */
    int       n_views;
    bool      keep_views; /* set by rf_sql while it runs a statement: the views it makes stay */
};
void rf__sql_views_free(rf_session *s);   /* sql/statement.c */

/* Collective: runs a broadcast job on this rank. On rank 0 *result receives the collected batch
 * (COLLECT) — returned-owned. Returns the agreed status (the same on every rank). */
int rf__job_run(MPI_Comm comm, const rf_action *act, rf_plan *plan, rf_batch **result, rf_error *err);
/* Rank 0, after a job run with act->analyze: its analyzed plan and stages as text (borrowed, until the
 * next such job); NULL when none. */
const char *rf__job_analysis(void);
/* The rows the last job's scans of a streaming batch read and its last stage gave, over every rank
 * (after rf__job_run). */
void rf__job_rows(int64_t *in, int64_t *out);

/* Caches filled by earlier jobs (ids and task counts), as the driver plans with them. */
int rf__cache_list(const int64_t **ids, const int64_t **tasks);



/* ---- driver side of the DataFrame API (driver.c) ---- */
struct rf_df {
    rf_session *s;
    rf_plan    *plan;
    int         err;
    char       *msg;
};
/* A file source over paths (files, directories, globs) read as fmt with the reader's options
 * (io/source.c); sample_bytes: how much schema inference reads. */
int rf__source_build(int n_paths, const char *const *paths, rf_format fmt, const char *options, int64_t sample_bytes,
                     rf_source **out);
/* Whether a logical plan reads a stream (stream.c): only rf_df_write_stream runs it. */
bool rf__plan_has_stream(const rf_plan *p);
/* rf_df_write_stream's checks of df and the options, touching nothing (a script's CHECK pass). */
int  rf__stream_check(rf_df *df, const char *path, const char *options);
/* Plans and runs df's plan as `act` (rank 0). */
int rf__driver_run(rf_session *s, const rf_plan *logical, rf_action *act, rf_batch **result);
int rf__driver_explain(rf_session *s, const rf_plan *logical, rf_buf *out);
/* Plans df as an action would (optimizer, physical plan, stages) and runs nothing; the plans go to
 * `plans` when not NULL. A write is checked the same way, with its options. Rank 0 only. */
int rf__df_check(rf_df *df, rf_buf *plans);
int rf__df_write_check(rf_df *df, bool hdf5, const char *dir, const char *options);
/* Frees the DataFrames made since the session had `keep` of them (a script's CHECK pass). */
void rf__df_free_from(rf_session *s, int64_t keep);

struct rf_result {
    rf_schema *schema;
    rf_batch  *batch;
};

/* rf_df_join with USING columns; keep_keys: the other side's key columns stay as hidden columns (SQL's
 * t2.k and t2.*; a DataFrame's result has no hidden columns). */
rf_df *rf__df_join_using(rf_df *left, rf_df *right, const char *using_cols, rf_join_type type, bool keep_keys);

/* dataframe.c, for dataframe_ops.c: a DataFrame of plan p (or of error err), tracked by the session;
 * one of error code; a new node of kind k over in's plan (shared). RF_DF_INPUT returns early for a
 * missing or failed input DataFrame. */
rf_df *rf__df_make(rf_session *s, rf_plan *p, int err);
rf_df *rf__df_fail(rf_session *s, int code);
int    rf__df_unary(rf_nkind k, const rf_df *in, rf_plan **out);
/* The n (count-checked, see dataframe.h) variadic rf_expr arguments of call fn, heap-allocated. */
rf_expr **rf__df_va_args(const char *fn, int n, va_list ap);
#define RF_DF_INPUT(df)                                                                                   \
    do {                                                                                            \
        if (!(df)) return NULL;                                                                     \
        if ((df)->err) { rf__err_set((df)->err, "%s", (df)->msg); return rf__df_fail((df)->s, (df)->err); } \
    } while (0)

#endif
