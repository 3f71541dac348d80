/*
 * plan.h — logical and physical plan trees, the optimizer, stage splitting and the binary plan
 * format broadcast from the driver to every executor.
 *
 * One node type (rf_plan) serves both levels; `kind` says which. Field meaning per kind:
 *
 *   kind            child        exprs              exprs2             cond            n / mode
 *   SCAN            -            -                  -                  -               src: files, splits, columns read
 *   FILTER          1            -                  -                  predicate
 *   PROJECT         1            output exprs       -                  -
 *   GENERATE        1            -                  -                  array to explode  (output = child + element)
 *   L_AGG           1            group keys         aggregate calls    -               output = keys ++ aggs; n > 0: partitions
 *                                                                                       of its shuffle (RDD by-key operations)
 *   P_HASH_AGG      1            group keys         aggregate calls    -               mode: PARTIAL/FINAL/COMPLETE
 *   JOIN            2            left keys (P)      right keys (P)     extra condition mode: rf_join_type
 *   SORT / TOPK     1            sort orders        -                  -               n: k for TOPK; L_SORT n > 0: range partitions
 *   LIMIT           1            -                  -                  -               n
 *   UNION           >=2          -                  -                  -
 *   L_REPART        1            hash keys or none  -                  -               n partitions
 *   L_COALESCE      1            -                  -                  -               n partitions
 *   P_EXCHANGE      1 (producer) keys / orders      -                  -               mode: rf_xkind, n partitions
 *   VALUES          -            literals, row-major n rows x schema->n                 n: rows (one task)
 *   L_CACHE         1            -                  -                  -               n: cache id (rf_df_cache)
 *   P_CACHE         1            -                  -                  -               n: cache id; stores what passes
 *   P_CACHE_READ    -            -                  -                  -               n: cache id, mode: its task count
 *   WINDOW          1            window exprs       -                  -               output = child ++ one column per expr;
 *                                                                                       all exprs share one PARTITION BY / ORDER BY
 *   RDD             1            [fn name, arg]     -                  -               mode: rf_rddop (user code over records)
 *
 * Physical plans are immutable once built: executors build their own runtime operators from them.
 */
#ifndef RF_PLAN_H
#define RF_PLAN_H

#include "core/core.h"
#include "expr/expr.h"

typedef enum rf_nkind {
    RF_L_SCAN = 0, RF_L_FILTER, RF_L_PROJECT, RF_L_GENERATE, RF_L_AGG, RF_L_JOIN, RF_L_SORT,
    RF_L_LIMIT, RF_L_UNION, RF_L_REPART, RF_L_COALESCE,
    RF_P_SCAN, RF_P_FILTER, RF_P_PROJECT, RF_P_GENERATE, RF_P_HASH_AGG, RF_P_HASH_JOIN,
    RF_P_NL_JOIN, RF_P_SORT, RF_P_TOPK, RF_P_LIMIT, RF_P_UNION, RF_P_EXCHANGE,
    RF_L_WINDOW, RF_P_WINDOW, RF_L_VALUES, RF_P_VALUES, RF_L_CACHE, RF_P_CACHE, RF_P_CACHE_READ,
    RF_L_RDD, RF_P_RDD,
    RF_NKIND_COUNT_
} rf_nkind;

typedef enum rf_aggmode { RF_AGG_PARTIAL = 0, RF_AGG_FINAL, RF_AGG_COMPLETE, RF_AGG_MERGE } rf_aggmode;
/* L_AGG modes (rf_plan.mode), for streaming state (runtime/stream_state.c); 0 is an ordinary aggregation. */
#define RF_LAGG_STATE_IN  1   /* the input is keys ++ serialized states (by position), not raw rows: exprs
                               * are the key columns, exprs2 the calls (for their types) */
#define RF_LAGG_STATE_OUT 2   /* the output is keys ++ serialized states (rf__agg_state_types), not results */
#define RF_LAGG_DEDUP     4   /* made by dropDuplicates (keys, then first() of the other columns): an ordinary
                               * aggregation, but a stream keeps its keys and writes each row once */

typedef enum rf_xkind {
    RF_X_HASH = 0,     /* by hash of keys into n partitions */
    RF_X_RANGE,        /* by sampled ranges of sort orders into n partitions */
    RF_X_SINGLE,       /* everything into partition 0 (rank 0) */
    RF_X_BROADCAST,    /* everything to every rank */
    RF_X_ROUNDROBIN,   /* rows dealt over n partitions */
    RF_X_COALESCE,     /* whole map tasks merged into n partitions */
    RF_X_DIRECT        /* into the partition its one key (an integer) names, modulo n (RDD partitionBy) */
} rf_xkind;

typedef enum rf_format { RF_FMT_CSV = 0, RF_FMT_TEXT, RF_FMT_HDF5, RF_FMT_RFB } rf_format;
typedef enum rf_csvmode { RF_CSV_PERMISSIVE = 0, RF_CSV_DROPMALFORMED, RF_CSV_FAILFAST } rf_csvmode;

/* The row groups of a source's HDF5 files with their statistics (docs/FORMAT.md). Read on the
 * driver when the source is built, used there to choose splits; shared (refcounted) by copies of
 * the source and never sent to executors. */
typedef struct rf_rowgroups {
    atomic_int refs;
    int64_t    n, cap;
    int        ncols;           /* file columns with statistics (the file schema's) */
    int32_t   *file;            /* the file each row group is in */
    int64_t   *off, *rows;      /* first row in its file, rows */
    rf_value  *min, *max;       /* n x ncols; type RF_TYPE_NULL when unknown; string max may be a bound */
    int64_t   *nulls;           /* n x ncols */
    int64_t   *file_rows;       /* rows per file */
} rf_rowgroups;
void rf__rowgroups_release(rf_rowgroups **pr);

/* A file source: what to read and how; splits are fixed at physical planning: byte ranges of
 * CSV / text files, row ranges of HDF5 files. */
typedef struct rf_source {
    rf_format  format;
    int        n_files;
    char     **files;
    int64_t   *sizes;
    rf_schema *file_schema;   /* every column of the file, in file order */
    int        n_read;
    int       *read;          /* file columns read, in output order (column pruning) */
    bool       header;
    char       delim, quote;
    char      *null_value;    /* field text that means NULL ("" by default) */
    rf_csvmode mode;
    int64_t    n_splits;
    int32_t   *split_file;
    int64_t   *split_off, *split_len;   /* bytes (CSV, text) or rows (HDF5) */
    rf_rowgroups *rg;                   /* HDF5, driver only */
    int        n_part;                  /* the last n_part columns of file_schema come from `col=value` directories */
    char     **part_vals;               /* n_files x n_part values as text; NULL for the NULL partition */
    int        files_read;              /* set by the physical planner: files left after partition pruning */
    int64_t    rg_read;                 /* HDF5, set by the physical planner: row groups kept after statistics */
    char      *stream_dir;              /* a streaming source (driver only, runtime/stream.c): its landing
                                         * directory; each batch replaces the source by its files */
    char      *stream_opts;             /* the reader options each batch's source is built with */
    int64_t    stream_max_files, stream_max_bytes;   /* a batch's limits (0: none) */
    bool       stream_batch;            /* a streaming batch's files: its scans count the batch's input rows */
    int64_t    stream_rate, stream_parts;   /* a rate source (stream_dir "rate:"): rows per second, partitions */
} rf_source;

typedef struct rf_plan {
    int              refs;        /* logical plans share subtrees (a DataFrame's plan is the child of many):
                                   * rf__plan_retain / rf__plan_destroy; rank 0 only, never during execution */
    rf_nkind         kind;
    uint32_t         id;
    rf_schema       *schema;      /* output; field ids are attribute ids */
    struct rf_plan **child;
    int              n_child;
    rf_expr        **exprs;
    int              n_exprs;
    rf_expr        **exprs2;
    int              n_exprs2;
    rf_expr         *cond;
    int64_t          n;           /* P_HASH_JOIN: bit k set when key k is null-safe (<=>) */
    int              mode;
    rf_source       *src;
    double           est_bytes;   /* size estimate for join choice, -1 unknown */
    int64_t          rank_offset; /* P_EXCHANGE: partition p lives on rank (p + rank_offset) mod nranks, so that
                                   * it sits where the consuming task runs (a union numbers its branches'
                                   * tasks one after another: branch tasks start at an offset) */
    int              flags;       /* P_EXCHANGE: RF_XF_* */
    bool             watermark;   /* L_PROJECT made by withWatermark over a stream (runtime/stream.c; driver only):
                                   * passes its input through; wm_attr is the event-time column, wm_delay µs */
    int64_t          wm_attr, wm_delay;
    uint32_t         reuses;      /* P_EXCHANGE: 1 + the id of an earlier exchange (in post-order) whose subtree
                                   * computes the same; this one never runs, its readers read that one's
                                   * output (reuse.c, stages.c). 0: none */
} rf_plan;
/* RDD operations (RF_L_RDD / RF_P_RDD; runtime/rdd.c builds them, exec/op_rdd.c runs them). exprs[0] is
 * the registered function's name (a string literal, NULL literal when none), exprs[1] an argument. The
 * output is (key STRING, value STRING) of encoded values (riffle/udf.h) unless said otherwise. */
typedef enum rf_rddop {
    RF_RDD_MAP = 0,       /* map fn, exactly one record out per record */
    RF_RDD_FLATMAP,       /* map fn */
    RF_RDD_FILTER,        /* filter fn */
    RF_RDD_MAPPART,       /* partition fn */
    RF_RDD_MAPVALUES,     /* value fn on the value, key kept */
    RF_RDD_FLATMAPVALUES, /* map fn on the value alone; each value it emits is paired with the key */
    RF_RDD_KEYBY,         /* value fn: (f(v), v) */
    RF_RDD_VALUES,        /* (k, v) -> v */
    RF_RDD_KEYS,          /* (k, v) -> k */
    RF_RDD_FOREACH,       /* map fn; emits nothing, outputs nothing */
    RF_RDD_FOREACHPART,   /* partition fn; outputs nothing */
    RF_RDD_FROMDF,        /* any columns -> a value per row (one column's value, or a tuple of them) */
    RF_RDD_TODF,          /* records -> the node's schema */
    RF_RDD_TOTEXT,        /* records -> one string column: "key,value" or "value" as text */
    RF_RDD_PARALLEL,      /* range ids in -> record id of exprs[1], a blob of records (length-prefixed key, value) */
    RF_RDD_SAMPLE,        /* exprs[1] fraction (double), n the seed, exprs[0] true: with replacement */
    RF_RDD_ZIPINDEX,      /* exprs[1] a blob of int64 start indexes per task: (record, index) */
    RF_RDD_TASKCOUNT,     /* one record per task: (None, (task, rows)) */
    RF_RDD_PACK,          /* (lk, lv, rk, rv) of a join -> (lk or rk, (lv, rv)), None for a missing side
                           * (n 1: cogroup, [] for a missing side) */
    RF_RDD_PARTID         /* partitioner fn: (key, value, part BIGINT) with n partitions */
} rf_rddop;

/* The id bit of the plan nodes adaptive execution adds while a job runs (the rest: the id of the
 * node it re-planned), so that every node of the final plan has an id of its own on every rank. */
#define RF_ADAPTIVE_ID 0x80000000u

/* Exchange flags: the partition count is the default (riffle.shuffle.partitions), not the user's, so
 * adaptive execution may coalesce the partitions (runtime/adaptive.c). */
#define RF_XF_COALESCE 1

/* Generate (explode) flags in rf_plan.n: OUTER keeps rows whose array is NULL or empty (one row,
 * NULL element); POS adds the element's position (INT, from 0) before the element; SPREAD makes
 * one column per field of the (struct) elements (a map's key and value, inline()). The number of
 * columns the node adds is n >> 8 (0 meaning 1 + POS, as before SPREAD). */
#define RF_GEN_OUTER  1
#define RF_GEN_POS    2
#define RF_GEN_SPREAD 4
static inline int rf__gen_extra(int n) { return (n >> 8) ? (n >> 8) : 1 + !!(n & RF_GEN_POS); }

/* ---- nodes (plan.c) ---- */
int  rf__plan_new(rf_nkind k, int n_child, rf_plan **out);
/* Drops one reference; the last frees the node and releases its children. NULL-safe, NULLs *pp. */
void rf__plan_destroy(rf_plan **pp);
rf_plan *rf__plan_retain(rf_plan *p);   /* another reference to an immutable (shared) subtree */
/* A deep copy whose every node is new (refs 1): what a rule may rewrite in place. A shared
 * subtree is copied once per place it appears; more than RF_MAX_PLAN_NODES nodes in all, or a tree
 * deeper than RF_MAX_PLAN_DEPTH, is an error. */
int  rf__plan_copy(const rf_plan *p, rf_plan **out);
/* Checks a plan against the limits every rank's decoder enforces (RF_MAX_PLAN_DEPTH, RF_MAX_PLAN_NODES,
 * RF_MAX_WIRE_EXPR_DEPTH), so a plan the driver sends is one every executor accepts. */
int  rf__plan_check_limits(const rf_plan *p);
void rf__source_destroy(rf_source **ps);
int  rf__source_copy(const rf_source *s, rf_source **out);
const char *rf__plan_kind_name(rf_nkind k);
/* Gives every attribute of the subtree a fresh id, consistently (self-joins read one plan twice). */
int  rf__plan_reid(rf_plan *p, int64_t *next_attr);
/* Number of tasks (partitions) the subtree produces; -1 for a replicated (broadcast) input. */
int64_t rf__plan_tasks(const rf_plan *p);

/* ---- optimizer (optimizer.c + one file per rule) ---- */
typedef struct rf_optctx {
    int64_t *next_attr;   /* session attribute id counter */
    int      dp_leaves;   /* join graphs of up to this many inputs are ordered by dynamic programming */
} rf_optctx;
int rf__rule_fold(rf_plan **pp, rf_optctx *ctx);
int rf__rule_pushdown(rf_plan **pp, rf_optctx *ctx);
int rf__rule_prune(rf_plan **pp, rf_optctx *ctx);
int rf__rule_joinorder(rf_plan **pp, rf_optctx *ctx);
/* Estimated output bytes of a logical plan (rule_joinorder.c: the join order and the broadcast choice). */
double rf__plan_estimate(const rf_plan *l);
double rf__plan_size(const rf_plan *l);   /* the same without filter selectivity: the broadcast choice */
/* Runs every rule to a fixed point on a copy; *out returned-owned. */
int rf__optimize(const rf_plan *logical, rf_optctx *ctx, rf_plan **out);

/* ---- physical planning (physical.c) ---- */
typedef struct rf_physctx {
    /* caches already filled by an earlier job (read instead of recomputed) */
    const int64_t *cached;
    int            n_cached;
    const int64_t *cached_tasks;
    const int64_t *uncached;   /* cache ids unpersisted: planned as their input */
    int64_t        n_uncached;
    int64_t  shuffle_partitions;
    int64_t  broadcast_threshold;
    int64_t  max_split_bytes;
    int64_t *next_attr;
    int      offset_branch;   /* > 0 while planning a union branch whose tasks do not start at 0 */
    const rf_expr *scan_filter;   /* the filter right above the scan being planned (row-group skipping) */
    bool     reuse_exchanges;     /* riffle.sql.exchange.reuse: mark exchanges that repeat an earlier one */
} rf_physctx;
/* Whether row group g of src may hold a row for which pred is true (pred over the scan's output
 * schema `out`); false only when its statistics prove no row can match (prune.c). */
bool rf__rowgroup_may_match(const rf_expr *pred, const rf_source *src, const rf_schema *out, int64_t g);
/* Whether file fi of src may hold a matching row, judged by its partition values (prune.c). */
bool rf__file_may_match(const rf_expr *pred, const rf_source *src, const rf_schema *out, int fi);
/* Sets the columns of scan batch b (the scan's output, read in src->read order) that are partition
 * columns to file `file`'s values, typed. */
int  rf__partition_values(const rf_source *src, int file, rf_batch *b);
int rf__physical_plan(const rf_plan *optimized, rf_physctx *ctx, rf_plan **out);
/* Adaptive execution (runtime/adaptive.c): turns broadcast hash join `join` into a shuffled one of
 * n partitions. Its broadcast exchange becomes a hash exchange on the build keys, and a new hash
 * exchange on the probe keys (*probe_x, borrowed) goes between the join and its probe side. */
int rf__plan_unbroadcast(rf_plan *join, int64_t n, rf_plan **probe_x);

/* ---- exchange reuse (reuse.c) ---- */
/* Points every exchange whose subtree computes what an earlier one's does at that one (reuses). */
int rf__plan_mark_reuse(rf_plan *p);

/* ---- stages (stages.c) ---- */
/* What one task of a stage re-planned by adaptive execution reads: partitions [p_lo, p_hi) of each
 * exchange it reads, and of the stage's split exchange only the rows of map tasks [m_lo, m_hi). */
typedef struct rf_taskspec { int64_t p_lo, p_hi, m_lo, m_hi; } rf_taskspec;
typedef struct rf_stage {
    int      id;
    rf_plan *root;       /* borrowed: the subtree this stage runs */
    rf_plan *exchange;   /* borrowed: the exchange it feeds, NULL for the result stage */
    int64_t  n_tasks;
    int      n_inputs;
    int     *inputs;     /* stage ids this stage reads (through exchanges) */
    rf_taskspec   *spec; /* [n_tasks] when adaptive execution re-planned the stage (runtime/adaptive.c),
                          * else NULL: task t reads partition t */
    const rf_plan *split_x; /* the exchange whose skewed partitions spec splits by map task, or NULL */
    const rf_plan *local_x, *bcast_x; /* a shuffled join turned into a broadcast join: its probe side read where
                                       * it was made, its build side copied to every rank; else NULL */
    int64_t  planned_tasks; /* n_tasks as planned */
    int     *task_rank;  /* [n_tasks] the rank running each task (adaptive execution balances them by bytes),
                          * or NULL: task t runs on rank t mod nranks */
    int64_t *task_bytes; /* [n_tasks] with task_rank: each task's input bytes (a rank runs its biggest first) */
} rf_stage;
typedef struct rf_stages {
    int       n;
    rf_stage *s;         /* in execution order; the last is the result stage */
    int       n_reused;
    const rf_plan **reused;    /* [n_reused] exchanges that reuse another's output: no stage of their own ... */
    const rf_plan **reused_as; /* ... they read the output of the stage feeding this twin */
} rf_stages;
int  rf__stages_split(rf_plan *physical, rf_stages *out);
/* The id of the stage that feeds exchange x, or -1. The plan does not carry it: the plan is
 * read-only to the tasks, and stage ids are the executor's business. */
int  rf__stage_of(const rf_stages *st, const rf_plan *x);
/* Whether exchange x reuses another's output (stage of its own: none). */
bool rf__stage_reused(const rf_stages *st, const rf_plan *x);
/* How many stages read stage id's output; with `after`, only those after position pos. */
int  rf__stage_readers(const rf_stages *st, int id, int after);
/* Inserts, at position pos of the execution order, the stage that feeds exchange x (which the
 * plan gained at run time); its id is the next free one. The stages after it read their inputs
 * afresh. */
int  rf__stages_insert(rf_stages *st, int pos, rf_plan *x);
void rf__stages_fini(rf_stages *st);

/* ---- serialization (serialize.c) ---- */
#define RF_PLAN_MAGIC   0x52464c50u   /* "RFLP" */
#define RF_PLAN_VERSION 6
int rf__plan_encode(const rf_plan *p, rf_buf *b);
int rf__plan_decode(rf_rd *r, rf_plan **out);
int rf__expr_encode(const rf_expr *e, rf_buf *b);
int rf__expr_decode(rf_rd *r, rf_expr **out);
int rf__schema_encode(const rf_schema *s, rf_buf *b);
int rf__schema_decode(rf_rd *r, rf_schema **out);

/* ---- explain (explain.c) ---- */
int rf__plan_explain(const rf_plan *p, const rf_stages *st, rf_buf *b);   /* st (or NULL): names exchanges' stages */
/* The same, with note(p, b, ctx) appending to each node's line (EXPLAIN ANALYZE); adaptive: under
 * an "AdaptiveSparkPlan isFinalPlan=true" line. */
int rf__plan_explain_noted(const rf_plan *p, const rf_stages *st, bool adaptive, int (*note)(const rf_plan *, rf_buf *, void *),
                           void *ctx, rf_buf *b);
/* The same under Spark's "AdaptiveSparkPlan isFinalPlan=..." line; st's re-planned stages show how
 * their exchanges were read (AQEShuffleRead). */
int rf__plan_explain_adaptive(const rf_plan *p, const rf_stages *st, bool final, rf_buf *b);
bool rf__plan_contains(const rf_plan *p, const rf_plan *x);   /* exchange x is a leaf of stage tree p */
int rf__stages_explain(const rf_stages *st, rf_buf *b);

#endif
