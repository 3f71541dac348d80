/*
 * error.c — per-thread error slots and internal assertions.
 *
 * The slot is thread-local so that OpenMP tasks can fail independently; the runtime picks the
 * failing task with the lowest id, so the message a user sees does not depend on thread timing.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include "core/core.h"

static _Thread_local rf_error tls_err = { RF_OK, -1, 0, 0, "" };

int rf__err_set(int code, const char *fmt, ...)
{
    char msg[sizeof tls_err.msg];   /* formatted apart: the arguments may point into the slot itself */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    tls_err.code = code;
    tls_err.rank = -1;
    tls_err.line = tls_err.col = 0;
    memcpy(tls_err.msg, msg, sizeof msg);
    return code;
}

rf_error *rf__err_slot(void) { return &tls_err; }

void rf__err_at(int line, int col)
{
    if (line > 0 && tls_err.line == 0) { tls_err.line = line; tls_err.col = col; }
}

void rf__err_clear(void)
{
    tls_err.line = tls_err.col = 0;
    tls_err.code = RF_OK;
    tls_err.rank = -1;
    tls_err.msg[0] = '\0';
}

_Noreturn void rf__assert_fail(const char *what, const char *file, int line)
{
    fprintf(stderr, "riffle: internal error: assertion '%s' failed at %s:%d\n", what, file, line);
    fflush(stderr);
    abort();
}

/* The lowest usable stack address of this thread (pthread_getattr_np knows the main thread's
 * limit too); 0 when unknown, which disables the guard. */
static _Thread_local uintptr_t stack_floor;
static _Thread_local bool stack_known;

int rf__stack_check(const char *what)
{
    char here;
    if (!stack_known) {
        pthread_attr_t a;
        void *lo = NULL;
        size_t size = 0;
        stack_known = true;
        if (pthread_getattr_np(pthread_self(), &a) == 0) {
            if (pthread_attr_getstack(&a, &lo, &size) == 0 && size > 2 * RF_STACK_RESERVE)
                stack_floor = (uintptr_t)lo + RF_STACK_RESERVE;
            pthread_attr_destroy(&a);
        }
    }
    if (stack_floor && (uintptr_t)&here < stack_floor)
        return rf__err_set(RF_ERR_LIMIT, "%s is nested too deeply for the stack", what);
    return RF_OK;
}

/* ---------------------------------------------------------------- stop signals */
static volatile sig_atomic_t stop_sig, wind_sig, wind_ok;

static void on_stop(int sig)
{
    if (sig == SIGUSR1 && wind_ok && !stop_sig) { wind_sig = 1; return; }   /* checkpointing: finish the stage, then stop */
    if (stop_sig == sig) { signal(sig, SIG_DFL); raise(sig); return; }   /* asked twice: die now */
    stop_sig = sig;
}

void rf__stop_wind_down(bool on) { wind_ok = on; }
bool rf__wind_down_requested(void) { return wind_sig != 0; }

void rf__stop_install(void)
{
    static bool done;
    if (done) return;
    done = true;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);   /* Slurm's --signal=USR1@T warning before the wall-time limit */
    /* past a file-size limit (ulimit -f) a write fails with EFBIG and riffle reports it, rather than
     * the process dying mid-collective */
    signal(SIGXFSZ, SIG_IGN);
}

bool rf__stop_requested(void) { return stop_sig != 0; }
void rf__stop_reset(void) { stop_sig = 0; wind_sig = 0; }
int rf__stop_signal(void) { return (int)stop_sig; }

int rf__stop_error(void)
{
    int sig = (int)stop_sig;
    return rf__err_set(RF_ERR_STOPPED, "stopped by %s (nothing is published after the signal)", sig == SIGTERM ? "SIGTERM" : sig == SIGINT ? "SIGINT" : sig == SIGUSR1 ? "SIGUSR1" : "a signal");
}
