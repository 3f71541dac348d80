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

/* Sets this thread's error for a failed MPI call (MPI's own message included); returns RF_ERR_MPI. */
int rf__mpi_fail(int mpi_rc, const char *call);

/* Checks an MPI call inside a function with `int rc` and a `done:` label. */
#define RF_MPI(call) do { int mpi_rc_ = (call); if (mpi_rc_ != MPI_SUCCESS) { rc = rf__mpi_fail(mpi_rc_, #call); goto done; } } while (0)

#endif
