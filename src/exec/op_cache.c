/*
 * op_cache.c — rf_df_cache(): the first job that computes a cached DataFrame keeps each task's
 * batches in this rank's memory (Cache passes them through and keeps a reference); later jobs read
 * them back (InMemoryRelation) instead of recomputing. Task t's rows stay on rank t mod nranks, so
 * nothing moves. Entries a job adds are pending until every rank agrees that every task of the
 * cache ran to the end (rf__cache_commit); a failed or partial fill is dropped.
 *
 * The registry is an array of pointers to entries, guarded by one lock (OpenMP critical rf_cache):
 * tasks of one job may read one cache while others fill another, and growing the array never moves
 * an entry a reader holds. Entries are removed only between jobs (settle, drop).
 */
#include <stdlib.h>
#include "exec/exec.h"
#include "shuffle/shuffle.h"

typedef struct entry { int64_t id, task; rf_spool rows; int level; bool committed; } entry;
static entry **entries;
static int64_t n_entries, cap_entries;

static const entry *find(int64_t id, int64_t task)
{
    const entry *hit = NULL;
    #pragma omp critical(rf_cache)
    for (int64_t i = 0; i < n_entries && !hit; i++)
        if (entries[i]->id == id && entries[i]->task == task && entries[i]->committed) hit = entries[i];
    return hit;
}

typedef struct { rf_spool keep; bool done, failed; int64_t off; const entry *src; rf_buf tmp; } cache_st;

static int fill_open(rf_op *op)
{
    cache_st *s = rf_calloc(1, sizeof *s);
    if (!s) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    op->st = s;
    rf__spool_init(&s->keep);
    s->keep.owner = RF_SPILL_CACHE;
    if (op->plan->mode == RF_STORE_DISK_ONLY) return rf__spool_spill(&s->keep);
    return RF_OK;
}

static int fill_next(rf_op *op, rf_batch **out)
{
    cache_st *s = op->st;
    int rc = rf__op_next(op->child[0], out);
    if (rc) return rc;
    if (!*out) { s->done = true; return RF_OK; }
    if (s->failed || (*out)->nrows == 0) return RF_OK;
    if ((rc = rf__spool_put_batch(&s->keep, *out, NULL, 0, &s->tmp))) return rc;
    if (op->plan->mode == RF_STORE_MEMORY_ONLY && rf__spool_spilled(&s->keep)) {   /* it does not fit: not kept */
        s->failed = true;
        rf__spool_fini(&s->keep);
    }
    return RF_OK;
}

static void fill_close(rf_op *op)
{
    cache_st *s = op->st;
    if (!s) return;
    if (s->done && !s->failed && !rf__spool_seal(&s->keep)) {   /* a complete task: pending until the job commits it (a task that cannot be kept leaves the cache partial: dropped) */
        entry *e = rf_malloc(sizeof *e);
        if (e) {
            *e = (entry){ op->plan->n, op->task, s->keep, op->plan->mode, false };
            bool kept = false;
            #pragma omp critical(rf_cache)
            if (!rf__grow((void **)&entries, &cap_entries, n_entries + 1, sizeof *entries)) { entries[n_entries++] = e; kept = true; }
            if (kept) rf__spool_init(&s->keep);
            else rf_free(e);
        }
    }
    rf__spool_fini(&s->keep);
    rf_buf_fini(&s->tmp);
    RF_FREE(op->st);
}

static int read_open(rf_op *op)
{
    cache_st *s = rf_calloc(1, sizeof *s);
    if (!s) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    op->st = s;
    rf__spool_init(&s->keep);
    s->src = find(op->plan->n, op->task);
    if (!s->src) return rf__err_set(RF_ERR_INTERNAL, "cached data #%lld of task %lld is missing on this rank", (long long)op->plan->n, (long long)op->task);
    return RF_OK;
}

static int read_next(rf_op *op, rf_batch **out)
{
    cache_st *s = op->st;
    return rf__spool_get_batch(&s->src->rows, &s->off, &s->tmp, out);
}

static void read_close(rf_op *op)
{
    cache_st *s = op->st;
    if (s) rf_buf_fini(&s->tmp);
    RF_FREE(op->st);
}

const rf_op_vt rf__op_cache_vt = { "Cache", fill_open, fill_next, fill_close };
const rf_op_vt rf__op_cache_read_vt = { "InMemoryRelation", read_open, read_next, read_close };

int64_t rf__cache_pending_tasks(int64_t id)
{
    int64_t n = 0;
    for (int64_t i = 0; i < n_entries; i++) if (entries[i]->id == id && !entries[i]->committed) n++;
    return n;
}

static void entry_free(entry *e)
{
    rf__spool_fini(&e->rows);
    rf_free(e);
}

void rf__cache_settle(int64_t id, bool commit)
{
    int64_t k = 0;
    for (int64_t i = 0; i < n_entries; i++) {
        if (entries[i]->id == id && !entries[i]->committed) {
            if (commit) entries[i]->committed = true;
            else { entry_free(entries[i]); continue; }
        }
        entries[k++] = entries[i];
    }
    n_entries = k;
}

void rf__cache_drop(int64_t id)
{
    int64_t k = 0;
    for (int64_t i = 0; i < n_entries; i++) {
        if (entries[i]->id == id) { entry_free(entries[i]); continue; }
        entries[k++] = entries[i];
    }
    n_entries = k;
}

int64_t rf__cache_mem_bytes(void)
{
    int64_t b = 0;
    for (int64_t i = 0; i < n_entries; i++)
        if (entries[i]->committed && !rf__spool_spilled(&entries[i]->rows)) b += entries[i]->rows.len;
    return b;
}

bool rf__cache_memory_only(int64_t id)
{
    for (int64_t i = 0; i < n_entries; i++) if (entries[i]->id == id) return entries[i]->level == RF_STORE_MEMORY_ONLY;
    return false;
}

int rf__cache_to_disk(int64_t id)
{
    int rc = RF_OK;
    for (int64_t i = 0; i < n_entries && !rc; i++)
        if (entries[i]->id == id && entries[i]->committed && !rf__spool_spilled(&entries[i]->rows)) {
            rc = rf__spool_spill(&entries[i]->rows);
            if (!rc) rc = rf__spool_seal(&entries[i]->rows);
        }
    return rc;
}
