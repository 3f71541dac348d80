/*
 * comm.c — agreement (rf__agree), checked MPI calls, the MPI lock and cancellation (comm.h).
 */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>
#include "core/comm.h"

int rf__mpi_fail(int mpi_rc, const char *call)
{
    char msg[MPI_MAX_ERROR_STRING + 1] = "";
    int len = 0;
    if (MPI_Error_string(mpi_rc, msg, &len) != MPI_SUCCESS) snprintf(msg, sizeof msg, "error %d", mpi_rc);
    const char *paren = strchr(call, '(');
    return rf__err_set(RF_ERR_MPI, "%.*s failed: %s", paren ? (int)(paren - call) : 64, call, msg);
}

int rf__agree_key(MPI_Comm comm, int rc, int64_t key, rf_error *err)
{
    int rank = 0, nranks = 1, worst = 0;
    if (MPI_Comm_rank(comm, &rank) != MPI_SUCCESS || MPI_Comm_size(comm, &nranks) != MPI_SUCCESS)
        return rf__err_set(RF_ERR_MPI, "MPI_Comm_rank failed");
    /* the worst real status, and whether any rank failed at all (a rank whose work was only
     * cancelled failed, but its status never speaks) */
    int in[2] = { rc == RF_ERR_CANCELLED ? 0 : rc, rc != 0 }, out[2] = { 0, 0 };
    int m = MPI_Allreduce(in, out, 2, MPI_INT, MPI_MAX, comm);
    if (m != MPI_SUCCESS) return rf__mpi_fail(m, "MPI_Allreduce(agreement)");
    if (!out[1]) return RF_OK;
    worst = out[0] ? out[0] : RF_ERR_INTERNAL;
    /* the failing rank with the lowest (key, rank) speaks */
    if (key < 0) key = 0;
    if (key > INT64_MAX / nranks - 2) key = INT64_MAX / nranks - 2;
    if (rc == RF_ERR_CANCELLED) key = INT64_MAX / nranks - 1;
    int64_t me = rc ? key * nranks + rank : INT64_MAX, who = INT64_MAX;
    if ((m = MPI_Allreduce(&me, &who, 1, MPI_INT64_T, MPI_MIN, comm)) != MPI_SUCCESS) return rf__mpi_fail(m, "MPI_Allreduce(agreement)");
    int speaker = (int)(who % nranks);
    char msg[sizeof err->msg];
    snprintf(msg, sizeof msg, "%s", rank == speaker ? rf__err_slot()->msg : "");
    if (speaker != 0) {
        if (rank == speaker) m = MPI_Send(msg, (int)sizeof msg, MPI_CHAR, 0, 77, comm);
        if (rank == 0) m = MPI_Recv(msg, (int)sizeof msg, MPI_CHAR, speaker, 77, comm, MPI_STATUS_IGNORE);
        if (m != MPI_SUCCESS) snprintf(msg, sizeof msg, "(the message was lost: MPI_Send / MPI_Recv failed)");
    }
    if (rank == 0 && err && err->code == RF_OK) {   /* the message names the rank that failed; the first failure agreed on stays */
        err->code = worst;
        err->rank = speaker;
        snprintf(err->msg, sizeof err->msg, "rank %d: %.1500s", speaker, msg);
    }
    return worst;
}

int rf__agree(MPI_Comm comm, int rc, rf_error *err) { return rf__agree_key(comm, rc, 0, err); }

/* ---- the MPI lock */

static pthread_mutex_t mpi_mutex = PTHREAD_MUTEX_INITIALIZER;
void rf__mpi_lock(void) { pthread_mutex_lock(&mpi_mutex); }
void rf__mpi_unlock(void) { pthread_mutex_unlock(&mpi_mutex); }
bool rf__mpi_trylock(void) { return pthread_mutex_trylock(&mpi_mutex) == 0; }

/* ---- cancellation (comm.h) */

enum { CANCEL_TAG = 78, POLL_US = 20000 };

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void lower(_Atomic int64_t *v, int64_t key)
{
    int64_t cur = atomic_load(v);
    while (key < cur && !atomic_compare_exchange_weak(v, &cur, key)) { }
}

static int post(rf_cancel *c)
{
    int m = MPI_Irecv(&c->rbuf, 1, MPI_INT64_T, c->rank == 0 ? MPI_ANY_SOURCE : 0, CANCEL_TAG, c->comm, &c->rreq);
    if (m != MPI_SUCCESS) { c->rreq = MPI_REQUEST_NULL; return rf__mpi_fail(m, "MPI_Irecv(cancel)"); }
    return RF_OK;
}

/* Rank 0 relays key to every other rank; another rank tells rank 0. Once a stage. */
static int announce(rf_cancel *c, int64_t key)
{
    c->sent = true;
    c->sbuf = key;
    int n = c->rank == 0 ? c->nranks - 1 : 1;
    for (int i = 0; i < n; i++) {
        int m = MPI_Isend(&c->sbuf, 1, MPI_INT64_T, c->rank == 0 ? i + 1 : 0, CANCEL_TAG, c->comm, &c->sreq[i]);
        if (m != MPI_SUCCESS) return rf__mpi_fail(m, "MPI_Isend(cancel)");
        c->n_sreq++;
    }
    return RF_OK;
}

/* One message arrived (its request is already complete). */
static int arrived(rf_cancel *c)
{
    c->received++;
    lower(&c->limit, c->rbuf);
    if (c->rank != 0) return RF_OK;   /* only rank 0 receives more than one */
    int rc = c->sent || !c->sreq ? RF_OK : announce(c, c->rbuf);
    return rc ? rc : post(c);
}

int rf__cancel_begin(rf_cancel *c, MPI_Comm comm)
{
    memset(c, 0, sizeof *c);
    c->comm = comm;
    c->rreq = MPI_REQUEST_NULL;
    atomic_init(&c->raised, INT64_MAX);
    atomic_init(&c->limit, INT64_MAX);
    atomic_init(&c->next_poll, 0);
    int m = MPI_Comm_rank(comm, &c->rank);
    if (m == MPI_SUCCESS) m = MPI_Comm_size(comm, &c->nranks);
    if (m != MPI_SUCCESS) { c->nranks = 2; return rf__mpi_fail(m, "MPI_Comm_size"); }   /* rf__cancel_end still takes part */
    if (c->nranks <= 1) return RF_OK;
    /* allocated here so that nothing can fail for want of memory once messages are in flight */
    c->sreq = rf_calloc((size_t)(c->rank == 0 ? c->nranks - 1 : 1), sizeof *c->sreq);
    if (!c->sreq) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    return post(c);
}

void rf__cancel_raise(rf_cancel *c, int64_t key)
{
    lower(&c->raised, key);
    lower(&c->limit, key);
}

bool rf__cancelled(rf_cancel *c, int64_t key)
{
    if (rf__stop_requested()) rf__cancel_raise(c, -1);
    if (c->nranks > 1) {
        int64_t now = mono_us(), due = atomic_load(&c->next_poll);
        if (now >= due && atomic_compare_exchange_strong(&c->next_poll, &due, now + POLL_US) && rf__mpi_trylock()) {
            /* best effort: an MPI failure here shows again in the agreement that follows */
            int64_t r = atomic_load(&c->raised);
            int rc = r != INT64_MAX && !c->sent && c->sreq ? announce(c, r) : RF_OK, done = 0;
            while (!rc && c->rreq != MPI_REQUEST_NULL && MPI_Test(&c->rreq, &done, MPI_STATUS_IGNORE) == MPI_SUCCESS && done)
                rc = arrived(c);
            rf__mpi_unlock();
        }
    }
    return key > atomic_load(&c->limit);
}

int rf__cancel_end(rf_cancel *c)
{
    int rc = RF_OK, m = MPI_SUCCESS;
    if (c->nranks <= 1) return RF_OK;
    int64_t r = atomic_load(&c->raised);
    if (r != INT64_MAX && !c->sent && c->sreq) rc = announce(c, r);
    /* how many ranks told rank 0, and whether rank 0 failed itself: then every other rank gets
     * exactly one relay. Rank 0 keeps relaying while the sum is under way. */
    int64_t in[3] = { c->rank != 0 && c->sent, c->rank == 0 && r != INT64_MAX, c->rank == 0 && !c->sreq }, sum[3] = { 0, 0, 0 };
    MPI_Request ar = MPI_REQUEST_NULL;
    RF_MPI(MPI_Iallreduce(in, sum, 3, MPI_INT64_T, MPI_SUM, c->comm, &ar));
    while (ar != MPI_REQUEST_NULL) {
        MPI_Request rq[2] = { ar, c->rreq };
        int idx = MPI_UNDEFINED;
        RF_MPI(MPI_Waitany(2, rq, &idx, MPI_STATUS_IGNORE));
        ar = rq[0];
        c->rreq = rq[1];
        if (idx == 1 && (rc = arrived(c))) goto done;
        if (idx == MPI_UNDEFINED) break;
    }
    if (c->rank == 0) {
        while (c->received < sum[0]) {
            RF_MPI(MPI_Wait(&c->rreq, MPI_STATUS_IGNORE));
            if ((rc = arrived(c))) goto done;
        }
    } else if ((sum[0] > 0 || sum[1] > 0) && !sum[2] && c->received == 0) {   /* rank 0 relays exactly once */
        RF_MPI(MPI_Wait(&c->rreq, MPI_STATUS_IGNORE));
        if ((rc = arrived(c))) goto done;
    }
done:
    if (c->rreq != MPI_REQUEST_NULL) {   /* nothing more can match it: withdraw it */
        m = MPI_Cancel(&c->rreq);
        if (m == MPI_SUCCESS) m = MPI_Wait(&c->rreq, MPI_STATUS_IGNORE);
        if (m != MPI_SUCCESS && !rc) rc = rf__mpi_fail(m, "MPI_Cancel(cancel)");
    }
    for (int i = 0; i < c->n_sreq; i++) {   /* one by one: MPICH's MPI_Waitall prototype and MPI_STATUSES_IGNORE trip gcc's array bounds check */
        m = MPI_Wait(&c->sreq[i], MPI_STATUS_IGNORE);
        if (m != MPI_SUCCESS && !rc) rc = rf__mpi_fail(m, "MPI_Wait(cancel)");
    }
    rf_free(c->sreq);
    c->sreq = NULL;
    c->n_sreq = 0;
    return rc;
}
