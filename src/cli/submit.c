/*
 * submit.c — `riffle submit`, the spark-submit of riffle: starts a job on RANKS MPI ranks of THREADS
 * OpenMP threads with the launcher that fits where it runs, then becomes that launcher (exec).
 *
 *   inside a Slurm allocation (SLURM_JOB_ID): srun -n RANKS -c THREADS --kill-on-bad-exit=1 --quiet
 *   outside, Open MPI:  mpirun -np RANKS --bind-to none [--oversubscribe] -x OMP_NUM_THREADS --quiet
 *   outside, MPICH and other Hydra-based MPIs:  mpiexec -n RANKS -bind-to none -genv OMP_NUM_THREADS T
 *
 * A JOB ending in .sql runs as `riffle run JOB`; any other JOB is a program (a C job linked with
 * riffle). --conf settings go after the job's arguments, where rf_session_open reads them. The
 * launcher's own banner after a failed rank is left out (--quiet), so a failure prints riffle's one
 * error line; the exit status is the job's.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/submit.h"

static const char *usage =
    "usage: riffle submit [-n RANKS] [-c THREADS] [--launcher srun|mpirun|mpiexec] [--dry-run]\n"
    "                     [--conf key=value]... JOB.sql|PROGRAM [ARGS]...\n\n"
    "Starts a riffle job, as spark-submit does: inside a Slurm allocation with srun, else with\n"
    "mpirun (Open MPI) or mpiexec (MPICH), each rank with THREADS OpenMP threads and the binding\n"
    "that lets them use their cores. JOB.sql runs as `riffle run JOB.sql [ARGS]`.\n\n"
    "  -n RANKS      MPI ranks (default: Slurm's task count in an allocation, else 1)\n"
    "  -c THREADS    threads per rank (default: Slurm's CPUs per task, else the cores over the ranks)\n"
    "  --launcher L  force srun, mpirun or mpiexec\n"
    "  --dry-run     print the command instead of running it\n"
    "  --conf k=v    a riffle setting, passed to the job\n";

const char *rf__submit_usage(void) { return usage; }

static bool on_path(const char *prog)
{
    const char *path = getenv("PATH");
    char buf[PATH_MAX];
    if (!path || strchr(prog, '/')) return access(prog, X_OK) == 0;
    for (const char *p = path; *p;) {
        size_t n = strcspn(p, ":");
        if (n && n + strlen(prog) + 2 < sizeof buf) {
            snprintf(buf, sizeof buf, "%.*s/%s", (int)n, p, prog);
            if (access(buf, X_OK) == 0) return true;
        }
        p += n + (p[n] == ':');
    }
    return false;
}

/* Whether `launcher --version` says Open MPI. */
static bool is_open_mpi(const char *launcher)
{
    char cmd[PATH_MAX + 32], line[256];
    snprintf(cmd, sizeof cmd, "%s --version 2>&1", launcher);
    FILE *f = popen(cmd, "r");
    bool ompi = false;
    if (!f) return false;
    while (fgets(line, sizeof line, f)) if (strstr(line, "Open MPI") || strstr(line, "OpenRTE")) ompi = true;
    pclose(f);
    return ompi;
}

static long env_long(const char *name)
{
    const char *v = getenv(name);
    char *end;
    long x = v && *v ? strtol(v, &end, 10) : 0;
    return v && *v && !*end && x > 0 ? x : 0;
}

static bool positive(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < 1 || v > 10000000) return false;
    *out = v;
    return true;
}

int rf__cli_submit(int argc, char **argv, const char *self)
{
    long ranks = 0, threads = 0;
    const char *launcher = NULL;
    bool dry = false;
    char **confs = calloc((size_t)argc + 1, sizeof *confs);
    int n_confs = 0, i = 0;
    if (!confs) { fprintf(stderr, "riffle: error: out of memory\n"); return 1; }
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { fputs(usage, stdout); free(confs); return 0; }
        else if (!strcmp(a, "--dry-run")) dry = true;
        else if ((!strcmp(a, "-n") || !strcmp(a, "--ranks")) && v) { if (!positive(v, &ranks)) goto bad_num; i++; }
        else if ((!strcmp(a, "-c") || !strcmp(a, "--threads")) && v) { if (!positive(v, &threads)) goto bad_num; i++; }
        else if (!strcmp(a, "--launcher") && v) {
            if (strcmp(v, "srun") && strcmp(v, "mpirun") && strcmp(v, "mpiexec")) {
                fprintf(stderr, "riffle: error: submit: --launcher %s: use srun, mpirun or mpiexec\n", v);
                free(confs);
                return 2;
            }
            launcher = v;
            i++;
        } else if (!strcmp(a, "--conf") && v) { confs[n_confs++] = argv[i + 1]; i++; }
        else if (!strncmp(a, "--conf=", 7)) confs[n_confs++] = (char *)a + 7;
        else { fprintf(stderr, "riffle: error: submit: unknown option '%s'\n%s", a, usage); free(confs); return 2; }
        continue;
bad_num:
        fprintf(stderr, "riffle: error: submit: %s %s: expected a positive number\n", a, v);
        free(confs);
        return 2;
    }
    if (i >= argc) { fprintf(stderr, "riffle: error: submit: no job given\n%s", usage); free(confs); return 2; }
    const char *job = argv[i++];
    size_t jl = strlen(job);
    bool sql = jl > 4 && !strcmp(job + jl - 4, ".sql");
    if (access(job, R_OK) != 0) { fprintf(stderr, "riffle: error: submit: %s: %s\n", job, strerror(errno)); free(confs); return 2; }
    if (!sql && access(job, X_OK) != 0) { fprintf(stderr, "riffle: error: submit: %s is not a program (nor a .sql script)\n", job); free(confs); return 2; }

    bool slurm = getenv("SLURM_JOB_ID") != NULL;
    if (!launcher) launcher = slurm && on_path("srun") ? "srun" : on_path("mpirun") ? "mpirun" : "mpiexec";
    if (!ranks) ranks = slurm ? env_long("SLURM_NTASKS") : 1;   /* in an allocation: its tasks, whatever launches them */
    if (!ranks && strcmp(launcher, "srun")) ranks = 1;
    if (!threads) {
        threads = slurm ? env_long("SLURM_CPUS_PER_TASK") : 0;
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        if (!threads) threads = slurm ? 1 : (cores > ranks && ranks > 0 ? cores / ranks : 1);
    }
    char tbuf[32], nbuf[32], self_path[PATH_MAX], job_path[PATH_MAX];
    /* rank 0's stderr will be the launcher's pipe: it learns from here whether a terminal is behind it
     * (riffle.progress=auto redraws a line there) */
    const char *tty = isatty(2) ? "1" : "0";
    snprintf(tbuf, sizeof tbuf, "%ld", threads);
    snprintf(nbuf, sizeof nbuf, "%ld", ranks);
    ssize_t sl = readlink("/proc/self/exe", self_path, sizeof self_path - 1);
    if (sl > 0) self_path[sl] = '\0';
    else snprintf(self_path, sizeof self_path, "%s", self);
    /* a program in the current directory named without a slash is meant, not one on PATH */
    if (!sql && !strchr(job, '/')) snprintf(job_path, sizeof job_path, "./%s", job);
    else snprintf(job_path, sizeof job_path, "%s", job);

    const char **cmd = calloc((size_t)argc + (size_t)n_confs * 2 + 32, sizeof *cmd);
    int k = 0;
    if (!cmd) { fprintf(stderr, "riffle: error: out of memory\n"); free(confs); return 1; }
    cmd[k++] = launcher;
    if (!strcmp(launcher, "srun")) {
        if (ranks) { cmd[k++] = "-n"; cmd[k++] = nbuf; }
        cmd[k++] = "-c"; cmd[k++] = tbuf;
        cmd[k++] = "--kill-on-bad-exit=1";
        cmd[k++] = "--quiet";
    } else if (is_open_mpi(launcher)) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        cmd[k++] = "-np"; cmd[k++] = nbuf;
        cmd[k++] = "--bind-to"; cmd[k++] = "none";
        if (cores > 0 && ranks > cores) cmd[k++] = "--oversubscribe";
        cmd[k++] = "-x"; cmd[k++] = "OMP_NUM_THREADS";
        cmd[k++] = "-x"; cmd[k++] = "RIFFLE_PROGRESS_TTY";
        cmd[k++] = "--quiet";
        if (geteuid() == 0) {   /* Open MPI refuses root unless told; riffle submit is told by whoever runs it */
            setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 0);
            setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 0);
        }
    } else {   /* MPICH's Hydra (and its derivatives) */
        cmd[k++] = "-n"; cmd[k++] = nbuf;
        cmd[k++] = "-bind-to"; cmd[k++] = "none";
        cmd[k++] = "-genv"; cmd[k++] = "OMP_NUM_THREADS"; cmd[k++] = tbuf;
        cmd[k++] = "-genv"; cmd[k++] = "RIFFLE_PROGRESS_TTY"; cmd[k++] = tty;
    }
    if (sql) { cmd[k++] = self_path; cmd[k++] = "run"; }
    cmd[k++] = sql ? job : job_path;
    for (; i < argc; i++) cmd[k++] = argv[i];
    for (int c = 0; c < n_confs; c++) { cmd[k++] = "--conf"; cmd[k++] = confs[c]; }
    cmd[k] = NULL;
    setenv("OMP_NUM_THREADS", tbuf, 1);
    setenv("RIFFLE_PROGRESS_TTY", tty, 1);
    if (dry) {
        printf("OMP_NUM_THREADS=%s", tbuf);
        for (int c = 0; c < k; c++) printf(" %s", cmd[c]);
        printf("\n");
        free(cmd);
        free(confs);
        return 0;
    }
    fflush(NULL);
    execvp(launcher, (char *const *)cmd);
    fprintf(stderr, "riffle: error: submit: cannot start %s: %s\n", launcher, strerror(errno));
    free(cmd);
    free(confs);
    return 127;
}
