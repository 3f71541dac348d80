/*
 * progress.c — a running stage's progress on rank 0's stderr (riffle.progress).
 *
 * Tasks count what they did in atomics (tasks finished, rows out, bytes for the shuffle); spill
 * comes from the spill statistics. A rank other than 0 sends its counters to rank 0 at most twice
 * an interval (five integers, MPI_Isend), from whichever task thread passes a batch boundary when
 * one is due and the MPI lock is free; rank 0 receives them at the same points and prints: on a
 * terminal one line redrawn a few times a second, in a log a line every riffle.progress.interval
 * seconds. After its tasks every rank sends a last message, and rank 0 waits for each rank's last
 * one (still printing, and relaying cancellations), so no message of a stage is left over for the
 * next. With riffle.progress=false nothing is sent.
 *
 * With riffle.progress=auto off a terminal (a batch job's log) a stage says nothing until it has
 * run an interval: short jobs stay quiet, long ones are heard from.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "runtime/executor.h"
#include "core/comm.h"

enum { PROGRESS_TAG = 79, NSLOT = 6, NSUM = 5 };   /* tasks, rows read, rows out, bytes, spill; last */

static int64_t mono_us(void) { return (int64_t)(rf_now() * 1e6); }

static void mine(rf_progress *p, int64_t *v, bool last)
{
    rf_spill_stats sp;
    rf__spill_stats(&sp);
    v[0] = atomic_load(&p->tasks);
    v[1] = atomic_load(&p->read);
    v[2] = atomic_load(&p->rows);
    v[3] = atomic_load(&p->bytes);
    v[4] = sp.bytes;
    v[5] = last;
}

void rf__progress_begin(rf_progress *p, MPI_Comm comm, const rf_action *act, int si, int n_stages, int64_t n_tasks)
{
    memset(p, 0, sizeof *p);
    p->sreq = p->rreq = MPI_REQUEST_NULL;
    if (!act->live) return;
    MPI_Comm_rank(comm, &p->rank);
    MPI_Comm_size(comm, &p->nranks);
    p->on = true;
    p->comm = comm;
    p->tty = act->live_tty;
    p->interval = act->live_interval > 0 ? act->live_interval : 5;
    p->stage = si;
    p->n_stages = n_stages;
    p->n_tasks = n_tasks;
    p->t0 = rf_now();
    /* a terminal redraws from half a second on; a log's first line comes after an interval */
    p->next_print = p->t0 + (p->tty ? 0.5 : p->interval);
    atomic_init(&p->next_us, mono_us() + (p->tty ? 100000 : (int64_t)(p->interval * 250000)));
    if (p->rank == 0 && p->nranks > 1) {
        p->seen = rf_calloc((size_t)p->nranks, sizeof *p->seen);   /* without it the counts are rank 0's alone */
        if (MPI_Irecv(p->rbuf, NSLOT, MPI_INT64_T, MPI_ANY_SOURCE, PROGRESS_TAG, comm, &p->rreq) != MPI_SUCCESS) p->rreq = MPI_REQUEST_NULL;
    }
}

/* Rank 0: the messages that arrived (the MPI lock held, or the main thread outside the tasks). */
static int drain(rf_progress *p)
{
    int done = 0;
    MPI_Status stt;
    while (p->rreq != MPI_REQUEST_NULL) {
        int m = MPI_Test(&p->rreq, &done, &stt);
        if (m != MPI_SUCCESS) return rf__mpi_fail(m, "MPI_Test(progress)");
        if (!done) break;
        int src = stt.MPI_SOURCE;
        if (src > 0 && src < p->nranks && p->seen) memcpy(p->seen[src], p->rbuf, sizeof p->seen[src]);
        if (p->rbuf[5]) p->finals++;
        if (p->finals < p->nranks - 1 && (m = MPI_Irecv(p->rbuf, NSLOT, MPI_INT64_T, MPI_ANY_SOURCE, PROGRESS_TAG, p->comm, &p->rreq)) != MPI_SUCCESS) {
            p->rreq = MPI_REQUEST_NULL;
            return rf__mpi_fail(m, "MPI_Irecv(progress)");
        }
    }
    return RF_OK;
}

/* "1.23 M" style counts for a terminal line. */
static const char *count(int64_t n, char *buf, size_t cap)
{
    if (n >= 10000000000LL) snprintf(buf, cap, "%.1f G", (double)n / 1e9);
    else if (n >= 10000000) snprintf(buf, cap, "%.1f M", (double)n / 1e6);
    else if (n >= 100000) snprintf(buf, cap, "%.0f k", (double)n / 1e3);
    else snprintf(buf, cap, "%lld", (long long)n);
    return buf;
}

/* Rank 0: the line, over every rank's last counters. */
static void show(rf_progress *p)
{
    int64_t sum[NSLOT];
    mine(p, sum, false);
    for (int r = 1; r < p->nranks && p->seen; r++)
        for (int k = 0; k < NSUM; k++) sum[k] += p->seen[r][k];
    double el = rf_now() - p->t0;
    char left[48] = "", spill[48] = "", in[32], out[32];
    if (sum[0] > 0 && sum[0] < p->n_tasks) snprintf(left, sizeof left, ", about %.0f s left", el * (double)(p->n_tasks - sum[0]) / (double)sum[0]);
    if (sum[4]) snprintf(spill, sizeof spill, ", %.1f MB spilled", (double)sum[4] / 1e6);
    if (p->tty) {
        enum { W = 20 };
        char bar[W + 1];
        int fill = p->n_tasks > 0 ? (int)(W * sum[0] / p->n_tasks) : 0;
        for (int i = 0; i < W; i++) bar[i] = i < fill ? '#' : '.';
        bar[W] = '\0';
        fprintf(stderr, "\r\033[Kriffle: stage %d/%d [%s] %lld/%lld tasks, %s rows in, %s out, %.1f MB to shuffle%s, %.1f s%s", p->stage + 1,
                p->n_stages, bar, (long long)sum[0], (long long)p->n_tasks, count(sum[1], in, sizeof in), count(sum[2], out, sizeof out),
                (double)sum[3] / 1e6, spill, el, left);
    } else {
        fprintf(stderr, "riffle: stage %d/%d running: %lld/%lld tasks done, %lld rows in, %lld rows out, %.1f MB to shuffle%s, %.1f s elapsed%s\n",
                p->stage + 1, p->n_stages, (long long)sum[0], (long long)p->n_tasks, (long long)sum[1], (long long)sum[2], (double)sum[3] / 1e6,
                spill, el, left);
    }
    fflush(stderr);
    p->shown = true;
    p->next_print = rf_now() + (p->tty ? 0.25 : p->interval);
}

/* Any task thread, at a batch boundary: send or receive and print when due (rate-limited). */
static void tick(rf_progress *p)
{
    int64_t now = mono_us(), due = atomic_load(&p->next_us);
    if (now < due || !atomic_compare_exchange_strong(&p->next_us, &due, now + (p->tty ? 100000 : (int64_t)(p->interval * 250000))))
        return;
    if (p->rank != 0) {
        if (!rf__mpi_trylock()) return;
        int done = 1;   /* best effort: a failed send shows in the stage's last message */
        if (p->sreq != MPI_REQUEST_NULL) MPI_Test(&p->sreq, &done, MPI_STATUS_IGNORE);
        if (done && !p->failed) {
            mine(p, p->sbuf, false);
            if (MPI_Isend(p->sbuf, NSLOT, MPI_INT64_T, 0, PROGRESS_TAG, p->comm, &p->sreq) != MPI_SUCCESS) {
                p->sreq = MPI_REQUEST_NULL;
                p->failed = true;
            }
        }
        rf__mpi_unlock();
        return;
    }
    if (p->rreq != MPI_REQUEST_NULL) {
        if (!rf__mpi_trylock()) return;
        drain(p);
        rf__mpi_unlock();
    }
    if (rf_now() >= p->next_print) show(p);
}

void rf__progress_read(rf_progress *p, int64_t rows)
{
    if (!p->on) return;
    atomic_fetch_add(&p->read, rows);
    tick(p);
}

void rf__progress_add(rf_progress *p, int64_t rows, int64_t bytes, int64_t tasks)
{
    if (!p || !p->on) return;
    if (rows) atomic_fetch_add(&p->rows, rows);
    if (bytes) atomic_fetch_add(&p->bytes, bytes);
    if (tasks) atomic_fetch_add(&p->tasks, tasks);
    tick(p);
}

int rf__progress_end(rf_progress *p, rf_cancel *cancel)
{
    int rc = RF_OK, m;
    if (!p->on) return RF_OK;
    if (p->rank != 0) {   /* the last message: after it this rank sends nothing more this stage */
        if (p->sreq != MPI_REQUEST_NULL && (m = MPI_Wait(&p->sreq, MPI_STATUS_IGNORE)) != MPI_SUCCESS) rc = rf__mpi_fail(m, "MPI_Wait(progress)");
        mine(p, p->sbuf, true);
        if ((m = MPI_Send(p->sbuf, NSLOT, MPI_INT64_T, 0, PROGRESS_TAG, p->comm)) != MPI_SUCCESS && !rc) rc = rf__mpi_fail(m, "MPI_Send(progress)");
        return rc;
    }
    while (!rc && p->finals < p->nranks - 1) {
        if ((rc = drain(p)) || p->finals >= p->nranks - 1) break;
        if (p->rreq == MPI_REQUEST_NULL) { rc = rf__err_set(RF_ERR_MPI, "MPI_Irecv(progress) failed"); break; }
        if (rf_now() >= p->next_print) show(p);
        if (cancel) rf__cancelled(cancel, INT64_MAX);   /* rank 0 relays a failure while it waits */
        nanosleep(&(struct timespec){ 0, 2000000 }, NULL);
    }
    if (p->rreq != MPI_REQUEST_NULL) {   /* only when a receive failed: withdraw it */
        if (MPI_Cancel(&p->rreq) == MPI_SUCCESS) MPI_Wait(&p->rreq, MPI_STATUS_IGNORE);
        p->rreq = MPI_REQUEST_NULL;
    }
    if (p->tty && p->shown) fprintf(stderr, "\r\033[K");
    RF_FREE(p->seen);
    return rc;
}
