/*
 * session.c — MPI start-up, the driver/executor command protocol, and shutdown.
 *
 * Protocol: rank 0 broadcasts a header {command, payload length} then the payload. RUN carries an
 * encoded action and plan; every rank decodes it, all agree that decoding worked (a rank built
 * from another riffle version reports the plan version instead of hanging), then run the job.
 * CLOSE carries the exit code the executors exit with. If the driver program exits without
 * closing the session, an atexit handler sends CLOSE(1) so no executor is left waiting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <malloc.h>
#include <signal.h>
#include <unistd.h>
#include "runtime/runtime.h"
#include "expr/udf.h"

enum { CMD_RUN = 1, CMD_CLOSE = 2 };

static rf_session *open_session;

void rf__df_free_all(rf_session *s);

/* MPI_Finalize, except after a stop signal, when the launcher may be tearing the job down (mpirun
 * forwards SIGTERM a second after it gets it, then kills) and finalizing could wait for it: then the
 * process exits with `code` if finalizing takes more than two seconds. */
static volatile sig_atomic_t exit_code_after_stop;
static void finalize_timeout(int sig) { (void)sig; _exit(exit_code_after_stop); }

static void finalize(int code)
{
    if (rf__stop_requested()) {
        exit_code_after_stop = code;
        signal(SIGALRM, finalize_timeout);
        alarm(2);
    }
    MPI_Finalize();
    alarm(0);
}

static void bcast_close(MPI_Comm comm, int code)
{
    int64_t hdr[2] = { CMD_CLOSE, code };
    MPI_Bcast(hdr, 2, MPI_INT64_T, 0, comm);
}

static void at_exit_close(void)
{
    if (!open_session) return;
    rf_session *s = open_session;
    open_session = NULL;
    bcast_close(s->comm, 1);
    finalize(1);
}

static _Noreturn void serve(MPI_Comm comm)
{
    for (;;) {
        int64_t hdr[2];
        if (MPI_Bcast(hdr, 2, MPI_INT64_T, 0, comm) != MPI_SUCCESS) { finalize(1); exit(1); }
        if (hdr[0] == CMD_CLOSE) {
            finalize((int)hdr[1]);
            exit((int)hdr[1]);
        }
        uint8_t *payload = rf_malloc((size_t)hdr[1] + 1);
        int rc = payload ? RF_OK : rf__err_set(RF_ERR_NOMEM, "out of memory receiving a plan");
        MPI_Bcast(payload ? payload : (uint8_t *)hdr, payload ? (int)hdr[1] : 0, MPI_BYTE, 0, comm);
        rf_action act = { 0 };
        rf_plan *plan = NULL;
        if (!rc) {
            rf_rd r = { payload, payload + hdr[1] };
            rc = rf__action_decode(&r, &act);
            if (!rc) rc = rf__plan_decode(&r, &plan);
        }
        if (!rf__agree(comm, rc, NULL)) rf__job_run(comm, &act, plan, NULL, NULL);
        rf__plan_destroy(&plan);
        rf__action_fini(&act);
        rf_free(payload);
        rf__err_clear();
    }
}

int rf__session_send_run(rf_session *s, const rf_buf *payload)
{
    int64_t hdr[2] = { CMD_RUN, (int64_t)payload->len };
    if (payload->len > (size_t)INT32_MAX) return rf__err_set(RF_ERR_LIMIT, "plan message too large");
    MPI_Bcast(hdr, 2, MPI_INT64_T, 0, s->comm);
    MPI_Bcast(payload->data, (int)payload->len, MPI_BYTE, 0, s->comm);
    return RF_OK;
}

int rf_session_open(int *argc, char ***argv, rf_session **out)
{
    int provided, rank, nranks, rc = RF_OK;
    int inited = 0;
    *out = NULL;
    /* Batches allocate and free the same large buffers over and over: keep them in the heap rather
     * than mapping fresh (zeroed, page-faulting) memory every time. */
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
    /* SIGTERM / SIGINT stop the job at its next safe point (docs/ARCHITECTURE.md); installed before
     * MPI_Init, so a signal that reaches one rank while it starts cannot kill it outright and leave
     * the others to be killed in the middle of a commit */
    rf__stop_install();
    rf__udf_builtins();   /* the functions countByKey and kin use, on every rank */
    MPI_Initialized(&inited);
    if (!inited) MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided);   /* HDF5 reads in tasks, one thread at a time */
    /* a test hook: RIFFLE_TEST_ALLOC_FAIL=RANK:N makes the N-th allocation after start-up fail on that
     * rank (tests/integration/failures.sh: one rank failing alone must stop every rank cleanly) */
    const char *inj = getenv("RIFFLE_TEST_ALLOC_FAIL");
    MPI_Comm comm;
    MPI_Comm_dup(MPI_COMM_WORLD, &comm);
    MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN);
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &nranks);
    if (inj && strchr(inj, ':') && atoi(inj) == rank) rf__mem_fail_after(atol(strchr(inj, ':') + 1));
    rf_session *s = rf_calloc(1, sizeof *s);
    if (!s) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    if (s) {
        s->comm = comm;
        s->rank = rank;
        s->nranks = nranks;
        s->next_attr = 1;
        s->next_job = 1;
        s->conf.driver = rank == 0;
        const char *cf = getenv("RIFFLE_CONF");
        if (cf && *cf) rc = rf__conf_load_file(&s->conf, cf);
        /* --conf key=value (or --conf=key=value) arguments are ours: apply and remove them */
        if (!rc && argc && argv && *argv) {
            int w = 1;
            for (int i = 1; i < *argc; i++) {
                const char *a = (*argv)[i], *kv = NULL;
                if (!strcmp(a, "--conf") && i + 1 < *argc) kv = (*argv)[++i];
                else if (!strncmp(a, "--conf=", 7)) kv = a + 7;
                if (!kv) { (*argv)[w++] = (*argv)[i]; continue; }
                const char *eq = strchr(kv, '=');
                if (!eq) { rc = rf__err_set(RF_ERR_INVALID, "--conf %s: expected key=value", kv); break; }
                char *k = rf_strndup(kv, (size_t)(eq - kv));
                rc = k ? rf__conf_set(&s->conf, k, eq + 1) : RF_ERR_NOMEM;
                rf_free(k);
                if (rc) break;
            }
            if (!rc) { *argc = w; (*argv)[w] = NULL; }
        }
    }
    rf_error err = { 0 };
    if (rf__agree(comm, rc, &err)) {
        if (rank == 0) fprintf(stderr, "riffle: error: %s\n", err.msg);
        if (s) rf__conf_fini(&s->conf);
        rf_free(s);
        MPI_Finalize();
        if (rank != 0) exit(2);
        return err.code ? err.code : RF_ERR_INVALID;
    }
    if (rank != 0) serve(comm);
    open_session = s;
    atexit(at_exit_close);
    *out = s;
    return RF_OK;
}

int rf_session_close(rf_session **ps, int exit_code)
{
    rf_session *s = *ps;
    *ps = NULL;
    if (!s) return exit_code;
    open_session = NULL;
    if (s->rank == 0) rf__evlog_close();
    if (s->rank == 0) rf__ckpt_session_end(exit_code == 0);   /* a session that ended well needs no checkpoint */
    bcast_close(s->comm, exit_code);
    rf__sql_views_free(s);
    rf__df_free_all(s);
    rf_free(s->uncached);
    rf__conf_fini(&s->conf);
    MPI_Comm_free(&s->comm);
    rf_free(s);
    finalize(exit_code);
    return exit_code;
}

int rf_conf_set(rf_session *s, const char *key, const char *value)
{
    int rc = rf__conf_set(&s->conf, key, value);
    if (rc) s->err = *rf__err_slot();
    return rc;
}

const char *rf_conf_get(rf_session *s, const char *key) { return rf__conf_get(&s->conf, key); }
const char *rf_session_error(const rf_session *s) { return s->err.msg; }
int rf_session_nranks(const rf_session *s) { return s->nranks; }
