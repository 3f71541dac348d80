/*
 * comm.h — the one part of core that knows MPI: agreement before collectives and checked MPI calls,
 * shared by every layer that communicates (runtime, shuffle, io).
 *
 * The rule (docs/ARCHITECTURE.md, "Agreement"): a local phase may fail on one rank alone, so every
 * collective helper takes the local status and agrees on it (rf__agree) before it communicates;
 * every rank then takes the same branch. Every MPI call is checked (RF_MPI): the communicators
 * return errors (MPI_ERRORS_RETURN) instead of aborting, and a failed call becomes an error like
 * any other.
 */
#ifndef RF_COMM_H
#define RF_COMM_H

#include <mpi.h>
#include <stdatomic.h>
#include "core/core.h"

/* Collective. Every rank passes its local status rc; returns the worst status (the same on every
 * rank). When some rank failed, the message of the failing rank with the lowest key (then the
 * lowest rank) is copied into *err on rank 0, prefixed with that rank (err may be NULL). The key
 * orders failures deterministically: a failing task passes its task id, so the first bad record
 * in file order is the one reported at every rank count; rf__agree uses key 0. *err keeps the
 * first failure: once it holds one (err->code set), later agreements on the same failure leave it.
 * A failed MPI call inside the agreement itself counts as RF_ERR_MPI. */
int rf__agree_key(MPI_Comm comm, int rc, int64_t key, rf_error *err);
int rf__agree(MPI_Comm comm, int rc, rf_error *err);

/* The process-wide MPI lock. riffle initializes MPI_THREAD_SERIALIZED: any thread may call MPI,
 * one at a time. Outside parallel regions only the main thread calls MPI; inside them every MPI
 * call (HDF5's MPI-IO reads, rf_cancel polls) holds this lock. */
void rf__mpi_lock(void);
void rf__mpi_unlock(void);
bool rf__mpi_trylock(void);

/* Cancellation of a local phase (a stage's tasks): a rank whose task fails, or that is stopped by
 * a signal, tells the others so they stop work that can no longer be used instead of running to
 * the end of the stage before the agreement. Messages go to rank 0, which relays once to every
 * other rank (at most 2(n-1) messages a stage however many ranks fail).
 *
 * Determinism: a failure in task K cancels only tasks with ids above K (a stop cancels all), so
 * the lowest failing task always runs to its failure and speaks for the job as before.
 *
 *   rf__cancel_begin   not collective; before the tasks
 *   rf__cancel_raise   any thread: task `key` failed (key -1: stop everything)
 *   rf__cancelled      any thread: true when task `key` should stop (polls MPI, rate-limited,
 *                      when the MPI lock is free; also notices a stop signal)
 *   rf__cancel_end     collective, main thread, after the tasks: delivers the last messages and
 *                      drains every message of the stage, so none is left for the next one */
typedef struct rf_cancel {
    MPI_Comm     comm;
    int          rank, nranks;
    MPI_Request  rreq;          /* the posted receive (MPI_REQUEST_NULL when none) */
    int64_t      rbuf;
    int64_t      sbuf;
    MPI_Request *sreq;          /* rank 0: nranks - 1 relays; others: one message to rank 0 */
    int          n_sreq;
    int          received;      /* messages received */
    bool         sent;          /* this rank told rank 0 (or, on rank 0, relayed) */
    _Atomic int64_t raised;     /* lowest local failing key; INT64_MAX when none */
    _Atomic int64_t limit;      /* tasks with ids above this stop; INT64_MAX when none */
    _Atomic int64_t next_poll;  /* rf_now() in microseconds of the next MPI poll */
} rf_cancel;

int  rf__cancel_begin(rf_cancel *c, MPI_Comm comm);
void rf__cancel_raise(rf_cancel *c, int64_t key);
bool rf__cancelled(rf_cancel *c, int64_t key);
int  rf__cancel_end(rf_cancel *c);

/* Sets this thread's error for a failed MPI call (MPI's own message included); returns RF_ERR_MPI. */
int rf__mpi_fail(int mpi_rc, const char *call);

/* Checks an MPI call inside a function with `int rc` and a `done:` label. */
#define RF_MPI(call) do { int mpi_rc_ = (call); if (mpi_rc_ != MPI_SUCCESS) { rc = rf__mpi_fail(mpi_rc_, #call); goto done; } } while (0)

#endif
