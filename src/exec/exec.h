/*
 * exec.h — runtime operators: each rank builds, per task, a tree of operators from the (read-only)
 * physical plan and pulls batches through it with open/next/close.
 *
 * An operator is a function table plus state. next() returns a batch the caller owns, or NULL in
 * *out at the end. After an error only close() may be called. Pipeline breakers (aggregate, join
 * build, sort) consume their input in open() or on the first next().
 */
#ifndef RF_EXEC_H
#define RF_EXEC_H

#include <pthread.h>
#include "core/core.h"
#include "core/spill.h"
#include "expr/expr.h"
#include "plan/plan.h"

/* Exchanged data as one rank holds it: for each partition it owns, the chunks it received, in map
 * task order (so the row order does not depend on the number of ranks). The bytes stay in one spool
 * per source rank (core/spill.h): in memory while the budget allows, else in a spill file; a chunk
 * points into memory (data) or names its spool and offset (data NULL). */
typedef struct rf_chunk { int64_t task; int64_t len; const uint8_t *data; int src; int64_t off; } rf_chunk;
typedef struct rf_chunkv { rf_chunk *c; int64_t n, cap; } rf_chunkv;
typedef struct rf_xdata {
    int64_t     nparts;
    rf_chunkv  *parts;      /* [nparts]; only partitions this rank owns are filled (all for broadcast) */
    rf_spool   *in;         /* [n_in] what each source rank sent */
    int         n_in;
} rf_xdata;
/* The bytes of chunk c: c->data, or read into *buf. */
int  rf__chunk_bytes(const rf_xdata *x, const rf_chunk *c, rf_buf *buf, const uint8_t **out);
void rf__xdata_fini(rf_xdata *x);

/* The CSV parser's state between two bytes, as far as splitting a file needs it: outside a quoted
 * field, inside one, or inside one right after a quote (which closes the field unless another quote
 * follows). Every other distinction follows from the byte before (docs/ARCHITECTURE.md, CSV). */
enum { RF_CSV_OUT = 0, RF_CSV_QUOTED = 1, RF_CSV_QUOTE_SEEN = 2 };
/* Advances state st over bytes buf[0..n); prev is the byte before buf[0] (-1 at the start of the
 * file). Only quote bytes and the bytes around them are looked at (memchr between them). */
int rf__csv_advance(int st, const char *buf, size_t n, int prev, char quote, char delim);

/* Per-split fact a CSV scan needs that only a pass over the whole file gives (see executor.c); line
 * numbers for error messages are counted on demand (op_scan.c). */
typedef struct rf_scanprep {
    uint32_t node_id;
    int64_t  n;
    uint8_t *start;     /* the parser state (RF_CSV_*) at each split's first byte */
} rf_scanprep;

/* A top-n's dynamic filter (DuckDB's for top-n): a TakeOrdered whose first sort key is an integer
 * column of an HDF5 scan below it (through projections and filters only) publishes a bound on that
 * key: the key of its own k-th kept row while it runs, and when a task ends, the k-th best of the
 * first keys all finished tasks of the stage on this rank kept (distinct rows). The scans of the
 * stage's tasks read the key column first and the other columns only for batches where a row may
 * come before the bound, and pass on only those rows (op_sort.c finds the pairs per stage and
 * publishes, op_h5scan.c applies). A row after the k-th of any k rows cannot be among the first k
 * of all, so the answer is the same; equal keys pass (the later keys decide). */
typedef struct rf_dynf {
    const rf_plan *topk, *scan;
    int            col;          /* the scan output column holding the first sort key */
    bool           desc, nulls_first;
    atomic_bool    set;          /* a bound was published */
    _Atomic int64_t bound;       /* the tightest bound known (written under mu) */
    pthread_mutex_t mu;
    int64_t       *keys, nkeys;  /* the best first keys of the rows the finished tasks kept, best first (at most k) */
} rf_dynf;
/* The dynamic filters of stage tree `root` (its TakeOrdered nodes whose first key qualifies); freed
 * with rf__dynf_free. */
int  rf__dynf_find(const rf_plan *root, rf_dynf **out, int *n);
void rf__dynf_free(rf_dynf **f, int n);
/* The bound now, in *bound; false while none was published (set after the bound: acquire). */
static inline bool rf__dynf_bound(const rf_dynf *f, int64_t *bound)
{
    if (!atomic_load_explicit(&f->set, memory_order_acquire)) return false;
    *bound = atomic_load_explicit(&f->bound, memory_order_relaxed);
    return true;
}

/* EXPLAIN ANALYZE's operator statistics of a job on this rank: output rows and inclusive nanoseconds
 * per physical plan node, summed over the tasks (rf__op_destroy adds each operator's). Indexed by
 * rf__opstat_slot(id): the planned nodes' ids, then the ids adaptive execution gives the nodes it adds
 * (RF_ADAPTIVE_ID bit set). */
typedef struct rf_opstats {
    int64_t          n_ids;        /* planned ids are < n_ids */
    _Atomic int64_t *rows, *nanos; /* [2 * n_ids] */
    _Atomic int64_t *mem, *spill;  /* [2 * n_ids] the most one task's operator held reserved; bytes it spilled */
} rf_opstats;
static inline int64_t rf__opstat_slot(const rf_opstats *s, uint32_t id)
{
    int64_t k = (int64_t)(id & ~RF_ADAPTIVE_ID);
    if (k >= s->n_ids) return -1;
    return (id & RF_ADAPTIVE_ID) ? s->n_ids + k : k;
}

typedef struct rf_task_ctx {
    rf_xdata    *xdata;      /* indexed by stage id */
    const rf_stages *stages; /* the job's stages: which stage feeds an exchange (rf__stage_of) */
    const struct rf_stage *stage; /* the stage running: what a task reads when adaptive execution re-planned it */
    rf_scanprep *prep;
    int          n_prep;
    int64_t      batch_rows;
    bool         h5_mpio;    /* HDF5 scans open files with the MPI-IO driver (on MPI_COMM_SELF) */
    struct rf_cancel *cancel;   /* the stage's cancellation (core/comm.h); NULL outside a stage */
    int64_t      partial_groups; /* a partial aggregation flushes at this many groups (0: no limit) */
    int64_t      force_spill; /* spill at this many rows / groups whatever the memory (tests; 0: off) */
    int64_t      op_mem;     /* what one pipeline breaker may hold before it spills (0: no limit) */
    rf_dynf     *dynf;       /* the stage's top-n dynamic filters, shared by its tasks on this rank */
    int          n_dynf;
    rf_opstats  *stats;      /* EXPLAIN ANALYZE: where the operators' rows and times go; NULL otherwise */
    struct rf_progress *progress; /* the stage's live progress (runtime/progress.c), or NULL */
} rf_task_ctx;
/* Rows a stage's leaf operator (scan, exchange read) gave: its live progress (runtime/progress.c). */
void rf__progress_read(struct rf_progress *p, int64_t rows);
/* The dynamic filter that TakeOrdered or scan node p takes part in, or NULL. */
rf_dynf *rf__dynf_of(const rf_task_ctx *ctx, const rf_plan *p);

typedef struct rf_op rf_op;
typedef struct rf_op_vt {
    const char *name;
    int  (*open)(rf_op *op);
    int  (*next)(rf_op *op, rf_batch **out);
    void (*close)(rf_op *op);
} rf_op_vt;
struct rf_op {
    const rf_op_vt *vt;
    const rf_plan  *plan;     /* borrowed, read-only */
    rf_task_ctx    *ctx;
    int64_t         task;     /* task (partition / split) this operator instance serves */
    rf_op         **child;
    int             n_child;
    void           *st;       /* operator state */
    int64_t         rows_out;
    int64_t         nanos;    /* inclusive time in next() (measured only under EXPLAIN ANALYZE) */
    int64_t         mem_peak, spilled; /* its largest reservation and the bytes it spilled (EXPLAIN ANALYZE) */
};

/* Builds the operator tree of `p` for task `task`. Not Collective. */
int  rf__op_build(const rf_plan *p, int64_t task, rf_task_ctx *ctx, rf_op **out);
void rf__op_destroy(rf_op **pop);   /* closes and frees the tree */
int  rf__op_next(rf_op *op, rf_batch **out);
/* Rows this rank's scans of a streaming batch's files (rf_source.stream_batch) have produced since
 * the last reset (reset: and start again from 0). */
int64_t rf__scanned_rows(bool reset);

/* operator tables (one file each) */
extern const rf_op_vt rf__op_h5scan_vt, rf__op_rfbscan_vt;

extern const rf_op_vt rf__op_scan_vt, rf__op_filter_vt, rf__op_project_vt, rf__op_generate_vt,
    rf__op_hashagg_vt, rf__op_hashjoin_vt, rf__op_nljoin_vt, rf__op_sort_vt, rf__op_topk_vt,
    rf__op_limit_vt, rf__op_union_vt, rf__op_xread_vt, rf__op_window_vt, rf__op_values_vt,
    rf__op_cache_vt, rf__op_cache_read_vt, rf__op_rdd_vt;

/* ---- rank-local cached DataFrames (op_cache.c); not thread-safe outside a job's task loop ---- */
int64_t rf__cache_pending_tasks(int64_t id);     /* complete tasks this job stored for cache id */
void    rf__cache_settle(int64_t id, bool commit);   /* keep (commit) or drop a job's pending entries */
void    rf__cache_drop(int64_t id);              /* forget a cache (rf_df_unpersist) */
/* storage levels (plan mode of a Cache node; the values of rf_storage_level) */
enum { RF_STORE_MEMORY_AND_DISK = 0, RF_STORE_MEMORY_ONLY = 1, RF_STORE_DISK_ONLY = 2 };
int64_t rf__cache_mem_bytes(void);              /* bytes of committed caches held in memory on this rank */
bool    rf__cache_memory_only(int64_t id);
int     rf__cache_to_disk(int64_t id);          /* moves this rank's part of cache id to spill files */

/* ---- hash table of group / join keys (hashtab.c) ---- */
typedef struct rf_hashtab {
    int         nkeys;
    rf_column **keys;       /* one builder per key: the distinct key values, by group id */
    uint64_t   *hash;       /* per group */
    int64_t     n, cap;     /* groups */
    int64_t    *slot;       /* open addressing: a 16-bit hash salt over a 48-bit group id, or -1 (empty) */
    int64_t     nslots;
} rf_hashtab;
int  rf__ht_init(rf_hashtab *h, int nkeys, rf_column *const *like);
void rf__ht_fini(rf_hashtab *h);
/* Finds the group of row i (keys cols[k][i], hash hv) or inserts it; *gid, *inserted. */
int  rf__ht_upsert(rf_hashtab *h, rf_column *const *cols, int64_t i, uint64_t hv, int64_t *gid, bool *inserted);
/* Hashes rows [0,n) of the key columns (rf_hash_column over each). h returned-owned. */
int  rf__hash_rows(rf_column *const *cols, int nkeys, int64_t n, uint64_t **h);

/* ---- sort orders (sortkey.c) ---- */
/* Compares row i of key columns a with row j of key columns b under the SORT exprs' directions. */
int  rf__sortkey_cmp(const rf_expr *const *orders, int n, rf_column *const *a, int64_t i, rf_column *const *b, int64_t j);
/* Evaluates the sort keys of b; cols returned-owned (n columns). */
int  rf__sortkey_eval(const rf_expr *const *orders, int n, const rf_batch *b, rf_column ***cols);
void rf__cols_release(rf_column ***cols, int n);
/* Sorts b (whole) by orders; *out returned-owned. */
int  rf__sort_batch(const rf_expr *const *orders, int n, const rf_batch *b, rf_batch **out);
/* ---- bounded memory in pipeline breakers (operator.c; docs/ARCHITECTURE.md "Memory") ---- */
#define RF_SPILL_FANOUT 16   /* partitions one split of a spilling aggregation or join makes */
#define RF_SPILL_DEPTH  4    /* splits at most: a partition still too big after that stays in memory */
/* Which of the RF_SPILL_FANOUT partitions of split level `depth` key hash h goes to (each level reads
 * other bits of the hash). */
static inline int rf__spill_part(uint64_t h, int depth)
{
    return (int)(((h * 0x9E3779B97F4A7C15ULL) >> (64 - 4 * (depth + 1))) & (RF_SPILL_FANOUT - 1));
}
/* Whether a breaker holding `rows` rows (or groups) that need `need` bytes must spill now: forced
 * (ctx->force_spill), past its share (ctx->op_mem), or refused more by the pool. *reserved is what it
 * holds from the pool and grows by what it is granted (with headroom, so it asks seldom). */
bool rf__op_must_spill(const rf_task_ctx *ctx, int64_t rows, int64_t need, int64_t *reserved);

/* A stable sort in bounded memory (op_sort.c): batches go in (add consumes them), then come out in
 * order. Within ctx->op_mem it sorts in memory; beyond, it writes sorted runs to spill files and
 * merges them. orders and schema are borrowed for the sorter's life. */
typedef struct rf_sorter rf_sorter;
int  rf__sorter_new(const rf_expr *const *orders, int n, const rf_schema *schema, const rf_task_ctx *ctx, rf_sorter **out);
int  rf__sorter_add(rf_sorter *s, rf_batch *b);
int  rf__sorter_finish(rf_sorter *s);
int  rf__sorter_next(rf_sorter *s, int64_t rows, rf_batch **out);   /* *out NULL at the end */
int64_t rf__sorter_runs(const rf_sorter *s);
void rf__sorter_free(rf_sorter **s);

/* ---- batch list helpers ---- */
/* Hands out a materialized result batch by batch (riffle.batch.rows): the next slice of *all from
 * *pos, or *all itself (then NULLed) when it fits whole. *out NULL at the end. */
int  rf__emit_slice(rf_batch **all, int64_t *pos, int64_t rows, rf_batch **out);
/* Drains op into one concatenated batch (empty batch with the plan's schema when no rows). */
int  rf__op_drain(rf_op *op, const rf_schema *s, rf_batch **out);

#endif
