/*
 * riffle/session.h — starting and stopping riffle on every rank of an MPI job.
 *
 * Every rank runs the same program. rf_session_open() initializes MPI; on rank 0 (the driver) it
 * returns a session that the program uses to build and run plans. On every other rank it never
 * returns: the rank serves as an executor until the driver closes the session, then exits the
 * process with the driver's exit code. Code after rf_session_open() therefore runs on rank 0 only.
 */
#ifndef RIFFLE_SESSION_H
#define RIFFLE_SESSION_H

#include "riffle/types.h"

typedef struct rf_session rf_session;

/*
 * Collective over MPI_COMM_WORLD. Initializes MPI (with thread support for OpenMP), reads the
 * configuration (riffle.conf file named by $RIFFLE_CONF, then `--conf key=value` arguments, which
 * are removed from argc/argv) and returns the session on rank 0 in *out (returned-owned).
 * On ranks other than 0 this call does not return. Returns RF_OK or an error code (then *out is
 * NULL and the message has been printed on rank 0's stderr).
 */
int rf_session_open(int *argc, char ***argv, rf_session **out);

/*
 * Rank 0 only. Stops the executors (they exit with exit_code), finalizes MPI, frees everything the
 * session owns (every rf_df made from it) and NULLs *ps. Returns exit_code, for `return
 * rf_session_close(&s, rc);` at the end of main.
 */
int rf_session_close(rf_session **ps, int exit_code);

/* Sets a configuration key (riffle.* or a Spark alias). Returns RF_OK or RF_ERR_INVALID. */
int rf_conf_set(rf_session *s, const char *key, const char *value);

/* The value of a key as a string (borrowed; NULL when unset and without default). */
const char *rf_conf_get(rf_session *s, const char *key);

/* The message of the last failed call on this session ("" when none). Borrowed. */
const char *rf_session_error(const rf_session *s);

/* Number of ranks (executors) in the session. */
int rf_session_nranks(const rf_session *s);

#endif
