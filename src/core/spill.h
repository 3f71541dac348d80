/*
 * spill.h — the rank's memory budget, its reservations, and spilling to node-local disk.
 *
 * Budget (riffle.executor.memory, docs/ARCHITECTURE.md "Memory"): each rank takes a budget in bytes,
 * from the configuration or from its allocation. Of it, a share (the execution pool) is handed out
 * in reservations to the structures that grow with the data: shuffle buffers, spools, aggregation
 * states. A structure asks before it grows (rf__mem_reserve: one atomic add, no lock) and, when
 * refused, spills or flushes instead. The rest of the budget covers what is not reserved: the
 * batches in flight (riffle.batch.rows per thread), MPI's and HDF5's own buffers.
 *
 * Spill (riffle.local.dir): each rank spills into a private directory (mkdtemp, mode 0700) made on
 * first use in the first local directory that works, kept locked with flock while the rank lives,
 * and removed when the job ends, whatever its outcome. Spill files are unlinked as soon as they are
 * open, so a killed rank leaves at most an empty directory, which the next run on the node removes
 * (its lock is free).
 *
 * A spool (rf_spool) is an append-only byte stream that stays in memory while its reservations are
 * granted and moves to a spill file when one is refused; reads by offset work either way. The
 * shuffle, the range exchange and the writers keep their rows in spools, in the shuffle's pack
 * format: one format for bytes on the wire and on disk.
 */
#ifndef RF_SPILL_H
#define RF_SPILL_H

#include <mpi.h>
#include "core/core.h"

/* ---------------------------------------------------------------- budget */
/* Collective (the first call in a process; later calls are local). Sets this rank's budget: `bytes`
 * when > 0 (configured), else from the allocation: SLURM_MEM_PER_NODE shared among the ranks on the
 * node, SLURM_MEM_PER_CPU times the CPUs per task, the cgroup memory limit shared among the ranks on
 * the node, else 3/4 of physical memory over the ranks on the node (counted with
 * MPI_Comm_split_type SHARED). `source` names the configuration key when bytes > 0. */
int         rf__mem_budget_init(MPI_Comm comm, int64_t bytes, const char *source);
int64_t     rf__mem_budget(void);        /* bytes; 0 before the first init */
const char *rf__mem_budget_why(void);    /* "riffle.executor.memory", "SLURM_MEM_PER_NODE=... over 2 ranks", ... */
int64_t     rf__mem_pool(void);          /* the execution pool: the part handed out in reservations */
/* Thread-safe, lock-free. Grants n bytes when the pool has them. */
bool        rf__mem_reserve(int64_t n);
void        rf__mem_release(int64_t n);
int64_t     rf__mem_reserved(void);      /* bytes held now */
int64_t     rf__mem_reserved_peak(void); /* the most held at once since the last reset */
/* Thread-safe. When the process's resident memory is past half the budget, hands the allocator's free
 * pages back to the system, at most twice a second (glibc keeps freed memory inside its heap, which a
 * long shuffle fragments: measured 150-270 MB over a 512 MB budget without this). Called between tasks. */
void        rf__mem_trim(void);
void        rf__mem_peak_reset(void);

/* ---------------------------------------------------------------- spill directory */
/* Sets the local directories (riffle.local.dir: comma-separated) for the next spills; NULL or "" for
 * $SLURM_TMPDIR, else $TMPDIR, else /tmp. Not thread-safe: call between jobs. */
int  rf__spill_configure(const char *dirs);
/* Thread-safe. A new spill file, already unlinked: *fd is open read-write; `where` (may be NULL)
 * receives the directory for error messages. */
int  rf__spill_open(int *fd, char *where, size_t cap);
/* Thread-safe. Writes / reads n bytes at offset off of spill file fd (from rf__spill_open), counted
 * under owner. A read past the end of the file gives zeros (a file grown by writes at offsets). */
int  rf__spill_pwrite(int fd, int owner, const void *p, int64_t n, int64_t off);
int  rf__spill_pread(int fd, int owner, void *dst, int64_t n, int64_t off);
/* Removes this rank's spill directory (at the end of a job, success or failure). */
void rf__spill_cleanup(void);
/* Removes spill directories in the configured local directories whose owner died (their lock is
 * free). Not collective; safe to run from several ranks of a node at once. */
void rf__spill_sweep(void);
const char *rf__spill_dir(void);        /* this rank's spill directory, "" before the first spill */

/* Spill counters of this rank, since the last reset: bytes written, files opened, seconds spent
 * writing and reading back. Thread-safe. */
/* Who spilled: what the spool belongs to (rf_spool.owner), for per-operator spill metrics. */
enum { RF_SPILL_EXCHANGE = 0, RF_SPILL_AGGREGATE, RF_SPILL_JOIN, RF_SPILL_SORT, RF_SPILL_CACHE, RF_SPILL_WRITE, RF_SPILL_OWNERS };
extern const char *const rf__spill_owner_name[RF_SPILL_OWNERS];   /* "Exchange", "HashAggregate", ... */
typedef struct rf_spill_stats { int64_t bytes, files; double secs; int64_t by_owner[RF_SPILL_OWNERS]; } rf_spill_stats;
void rf__spill_stats(rf_spill_stats *out);
void rf__spill_stats_reset(void);
void rf__spill_account(int owner, int64_t bytes, double secs);
/* When set, this thread's spill bytes are also added here (EXPLAIN ANALYZE: the operator running). */
extern _Thread_local int64_t *rf__spill_sink;

/* ---------------------------------------------------------------- spools */
typedef struct rf_spool {
    uint8_t *mem;          /* all bytes while in memory; the write buffer once spilled */
    int64_t  mem_len, mem_cap;
    int64_t  reserved;     /* granted by rf__mem_reserve and not yet released */
    int64_t  len;          /* bytes appended in all */
    int      fd;           /* spill file, -1 while in memory */
    int64_t  file_len;     /* bytes in the file */
    bool     no_spill;     /* never spill (tests of the in-memory path) */
    uint8_t  owner;        /* RF_SPILL_*: whose bytes these are (set after rf__spool_init) */
} rf_spool;
void rf__spool_init(rf_spool *s);
/* Appends n bytes. Not thread-safe (one writer). */
int  rf__spool_append(rf_spool *s, const void *p, int64_t n);
/* Moves the bytes to a spill file now and releases the reservation. */
int  rf__spool_spill(rf_spool *s);
/* Ends writing: flushes the write buffer. After it, reads may run from many threads at once. */
int  rf__spool_seal(rf_spool *s);
/* Copies n bytes at offset off into dst. After rf__spool_seal, thread-safe. */
int  rf__spool_read(const rf_spool *s, int64_t off, void *dst, int64_t n);
/* The bytes at off when the spool is in memory, else NULL. */
static inline const uint8_t *rf__spool_ptr(const rf_spool *s, int64_t off) { return s->fd < 0 ? s->mem + off : NULL; }
static inline bool rf__spool_spilled(const rf_spool *s) { return s->fd >= 0; }
void rf__spool_fini(rf_spool *s);

#endif
