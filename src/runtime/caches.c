/*
 * caches.c — the registry of caches filled on every rank: commit, unpersist, eviction (see executor.h).
 */
#include <errno.h>
#include <limits.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include "runtime/executor.h"
#include "io/h5.h"
#include "io/partition.h"

/* ---------------------------------------------------------------- caches */
static int64_t *cache_ids, *cache_tasks, n_caches, cap_caches;

int rf__cache_list(const int64_t **ids, const int64_t **tasks)
{
    *ids = cache_ids;
    *tasks = cache_tasks;
    return (int)n_caches;
}

static int find_fills(const rf_plan *p, const rf_plan ***v, int64_t *n, int64_t *cap)
{
    if (p->kind == RF_P_CACHE) {
        int rc = rf__grow((void **)v, cap, *n + 1, sizeof **v);
        if (rc) return rc;
        (*v)[(*n)++] = p;
    }
    for (int i = 0; i < p->n_child; i++) {
        int rc = find_fills(p->child[i], v, n, cap);
        if (rc) return rc;
    }
    return RF_OK;
}

/* Collective: keeps the caches this job filled completely on every rank, drops partial ones (and
 * all of them when anything failed: rc is agreed on first). */
void rf__settle_caches(MPI_Comm comm, const rf_plan *plan, int rc)
{
    const rf_plan **fills = NULL;
    int64_t nf = 0, cap = 0;
    int rank, nranks;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &nranks);
    int lrc = find_fills(plan, &fills, &nf, &cap);
    bool ok_all = rf__agree(comm, rc ? rc : lrc, NULL) == RF_OK;
    for (int64_t i = 0; i < nf; i++) {
        int64_t tasks = rf__plan_tasks(fills[i]);
        if (tasks < 1) tasks = 1;
        int64_t mine = 0;
        for (int64_t t = rank; t < tasks; t += nranks) mine++;
        int ok = ok_all && rf__cache_pending_tasks(fills[i]->n) == mine, all = 0;
        if (ok) {   /* room in the registry first, so that every rank that agrees can register */
            int64_t c1 = cap_caches, c2 = cap_caches;
            ok = !rf__grow((void **)&cache_ids, &c1, n_caches + 1, sizeof *cache_ids) &&
                 !rf__grow((void **)&cache_tasks, &c2, n_caches + 1, sizeof *cache_tasks);
            if (ok) cap_caches = c1 < c2 ? c1 : c2;
        }
        if (MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, comm) != MPI_SUCCESS) all = 0;
        if (all) { cache_ids[n_caches] = fills[i]->n; cache_tasks[n_caches] = tasks; n_caches++; }
        rf__cache_settle(fills[i]->n, all != 0);
    }
    rf_free(fills);
}

/* Drops cache i of the registry and its rows on this rank. */
static void registry_drop(int64_t i)
{
    rf__cache_drop(cache_ids[i]);
    memmove(cache_ids + i, cache_ids + i + 1, (size_t)(n_caches - i - 1) * sizeof *cache_ids);
    memmove(cache_tasks + i, cache_tasks + i + 1, (size_t)(n_caches - i - 1) * sizeof *cache_tasks);
    n_caches--;
}

/* Local, the same on every rank: forgets the caches unpersisted since (rf_df_unpersist). */
void rf__forget_caches(const rf_action *act)
{
    for (int64_t u = 0; u < act->n_uncached; u++) {
        for (int64_t i = 0; i < n_caches; i++)
            if (cache_ids[i] == act->uncached[u]) { registry_drop(i); break; }
        rf__cache_drop(act->uncached[u]);   /* rows of a fill that never committed */
    }
}

/* Collective: while this rank's caches hold more than half the execution pool in memory, moves the
 * oldest to disk (MEMORY_AND_DISK) or drops them on every rank (MEMORY_ONLY: the next job that
 * needs one computes it again; and any cache a rank could not move to disk). */
void rf__evict_caches(MPI_Comm comm, bool progress)
{
    int rank = 0;
    MPI_Comm_rank(comm, &rank);
    int64_t limit = rf__mem_pool() / 2;
    for (int64_t i = 0; i < n_caches; i++) {
        int64_t id = cache_ids[i], held = rf__cache_mem_bytes();
        int over = held > limit, any = 0;
        if (MPI_Allreduce(&over, &any, 1, MPI_INT, MPI_MAX, comm) != MPI_SUCCESS || !any) return;
        int drop = rf__cache_memory_only(id), all = 0;
        if (!drop && over && rf__cache_to_disk(id) != RF_OK) { drop = 1; rf__err_clear(); }
        if (MPI_Allreduce(&drop, &all, 1, MPI_INT, MPI_MAX, comm) != MPI_SUCCESS) return;
        if (all) { registry_drop(i--); continue; }   /* the same decision on every rank */
        if (over && progress && rank == 0)
            fprintf(stderr, "riffle: cache #%lld moved to disk on rank 0 (%.1f MB of cached rows held over half of the %.1f MB execution pool)\n",
                    (long long)id, (double)held / 1e6, (double)rf__mem_pool() / 1e6);
    }
}
