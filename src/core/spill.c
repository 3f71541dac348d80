/*
 * spill.c — the rank's memory budget and reservations, its spill directory, and spools
 * (core/spill.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "core/spill.h"

/* ---------------------------------------------------------------- budget */
static int64_t budget, pool;
static char budget_why[320];
static atomic_llong reserved, reserved_peak;

/* The share of the budget handed out in reservations (Spark's spark.memory.fraction). */
#define POOL_FRACTION 0.6

/* A size in Slurm's notation: a number of megabytes, or with a K/M/G/T suffix. -1 when not one. */
static int64_t slurm_mb(const char *v)
{
    if (!v || !*v) return -1;
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (errno || end == v || x <= 0) return -1;
    double mult = 1 << 20;
    switch (*end) {
    case 'K': case 'k': mult = 1 << 10; break;
    case 'M': case 'm': case '\0': break;
    case 'G': case 'g': mult = (double)(1 << 30); break;
    case 'T': case 't': mult = (double)(1LL << 40); break;
    default: return -1;
    }
    return (int64_t)(x * mult);
}

/* This process's cgroup memory limit (v2, then v1), or -1 when none. */
static int64_t cgroup_limit(void)
{
    char line[4096], path[4400];
    int64_t lim = -1;
    FILE *f = fopen("/proc/self/cgroup", "r");
    while (f && fgets(line, sizeof line, f)) {
        if (!strncmp(line, "0::", 3)) {   /* cgroup v2 */
            line[strcspn(line, "\n")] = '\0';
            snprintf(path, sizeof path, "/sys/fs/cgroup%s/memory.max", line + 3);
            FILE *g = fopen(path, "r");
            char v[64] = "";
            if (g && fgets(v, sizeof v, g) && strncmp(v, "max", 3)) lim = atoll(v);
            if (g) fclose(g);
        }
    }
    if (f) fclose(f);
    if (lim <= 0) {
        FILE *g = fopen("/sys/fs/cgroup/memory/memory.limit_in_bytes", "r");   /* cgroup v1 */
        char v[64] = "";
        if (g && fgets(v, sizeof v, g)) lim = atoll(v);
        if (g) fclose(g);
    }
    return lim > 0 ? lim : -1;
}

int rf__mem_budget_init(MPI_Comm comm, int64_t bytes, const char *source)
{
    static int local = 0;
    if (!local) {   /* ranks sharing this node's memory */
        MPI_Comm node;
        local = 1;
        if (MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node) == MPI_SUCCESS) {
            MPI_Comm_size(node, &local);
            MPI_Comm_free(&node);
        }
        if (local < 1) local = 1;
    }
    if (bytes > 0) {
        budget = bytes;
        snprintf(budget_why, sizeof budget_why, "%s", source);
    } else {
        int64_t phys = (int64_t)sysconf(_SC_PHYS_PAGES) * (int64_t)sysconf(_SC_PAGESIZE);
        int64_t node = slurm_mb(getenv("SLURM_MEM_PER_NODE")), cpu = slurm_mb(getenv("SLURM_MEM_PER_CPU"));
        int64_t cg = cgroup_limit();
        const char *cpt = getenv("SLURM_CPUS_PER_TASK");
        int64_t ncpu = cpt && atoll(cpt) > 0 ? atoll(cpt) : 1;
        if (node > 0) {
            budget = (int64_t)(0.9 * (double)node / local);
            snprintf(budget_why, sizeof budget_why, "9/10 of SLURM_MEM_PER_NODE=%s over %d rank(s) on the node", getenv("SLURM_MEM_PER_NODE"), local);
        } else if (cpu > 0) {
            budget = (int64_t)(0.9 * (double)cpu * (double)ncpu);
            snprintf(budget_why, sizeof budget_why, "9/10 of SLURM_MEM_PER_CPU=%s x %lld CPU(s) per task", getenv("SLURM_MEM_PER_CPU"), (long long)ncpu);
        } else if (cg > 0 && (phys <= 0 || cg < phys)) {
            budget = (int64_t)(0.9 * (double)cg / local);
            snprintf(budget_why, sizeof budget_why, "9/10 of the cgroup memory limit (%.1f GB) over %d rank(s) on the node", (double)cg / 1e9, local);
        } else {
            budget = (int64_t)(0.75 * (double)(phys > 0 ? phys : (int64_t)4 << 30) / local);
            snprintf(budget_why, sizeof budget_why, "3/4 of physical memory (%.1f GB) over %d rank(s) on the node", (double)phys / 1e9, local);
        }
        if (budget < (16 << 20)) budget = 16 << 20;
    }
    pool = (int64_t)(POOL_FRACTION * (double)budget);
    if (pool < 1) pool = 1;
    return RF_OK;
}

int64_t rf__mem_budget(void) { return budget; }
const char *rf__mem_budget_why(void) { return budget_why; }
int64_t rf__mem_pool(void) { return pool; }

bool rf__mem_reserve(int64_t n)
{
    if (n <= 0) return true;
    long long v = atomic_fetch_add(&reserved, n) + n;
    if (pool > 0 && v > pool) { atomic_fetch_sub(&reserved, n); return false; }
    long long pk = atomic_load(&reserved_peak);
    while (v > pk && !atomic_compare_exchange_weak(&reserved_peak, &pk, v)) {}
    return true;
}

void rf__mem_release(int64_t n) { if (n > 0) atomic_fetch_sub(&reserved, n); }
int64_t rf__mem_reserved(void) { return atomic_load(&reserved); }
int64_t rf__mem_reserved_peak(void) { return atomic_load(&reserved_peak); }
void rf__mem_peak_reset(void) { atomic_store(&reserved_peak, atomic_load(&reserved)); }

/* ---------------------------------------------------------------- spill directory */
static pthread_mutex_t spill_mu = PTHREAD_MUTEX_INITIALIZER;
static char local_dirs[4096];
static char spill_dir[4200];
static int spill_lock = -1;
static int64_t spill_seq;
static atomic_llong st_bytes, st_files, st_usecs;

static void default_dirs(char *out, size_t cap)
{
    const char *v = getenv("SLURM_TMPDIR");
    if (!v || !*v) v = getenv("TMPDIR");
    if (!v || !*v) v = "/tmp";
    snprintf(out, cap, "%s", v);
}

int rf__spill_configure(const char *dirs)
{
    if (dirs && *dirs) snprintf(local_dirs, sizeof local_dirs, "%s", dirs);
    else default_dirs(local_dirs, sizeof local_dirs);
    return RF_OK;
}

const char *rf__spill_dir(void) { return spill_dir; }

static int make_dir(char *where, size_t cap)
{
    if (!local_dirs[0]) default_dirs(local_dirs, sizeof local_dirs);
    int err = ENOENT;
    const char *p = local_dirs;
    while (*p) {
        size_t n = strcspn(p, ",");
        char tmpl[4200];
        snprintf(tmpl, sizeof tmpl, "%.*s/riffle-spill-XXXXXX", (int)(n < 4000 ? n : 4000), p);
        if (mkdtemp(tmpl)) {
            int fd = open(tmpl, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0) {
                snprintf(spill_dir, sizeof spill_dir, "%s", tmpl);
                spill_lock = fd;
                return RF_OK;
            }
            err = errno;
            if (fd >= 0) close(fd);
            rmdir(tmpl);
        } else err = errno;
        p += n;
        if (*p == ',') p++;
    }
    if (where) snprintf(where, cap, "%s", local_dirs);
    return rf__err_set(RF_ERR_IO, "cannot make a spill directory in %s: %s (riffle.local.dir)", local_dirs, strerror(err));
}

int rf__spill_open(int *fd, char *where, size_t cap)
{
    int rc = RF_OK;
    *fd = -1;
    pthread_mutex_lock(&spill_mu);
    if (!spill_dir[0]) rc = make_dir(where, cap);
    if (!rc) {
        char p[4300];
        snprintf(p, sizeof p, "%s/%lld.spill", spill_dir, (long long)spill_seq++);
        *fd = open(p, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (*fd < 0) rc = rf__err_set(RF_ERR_IO, "cannot make a spill file in %s: %s (riffle.local.dir)", spill_dir, strerror(errno));
        else unlink(p);   /* gone with the process, whatever happens to it */
        if (where) snprintf(where, cap, "%s", spill_dir);
    }
    pthread_mutex_unlock(&spill_mu);
    if (!rc) atomic_fetch_add(&st_files, 1);
    return rc;
}

static void rmtree(const char *path, int depth)
{
    DIR *d = depth < 4 ? opendir(path) : NULL;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char sub[4400];
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        if (unlink(sub) != 0) rmtree(sub, depth + 1);
    }
    if (d) closedir(d);
    rmdir(path);
}

void rf__spill_cleanup(void)
{
    pthread_mutex_lock(&spill_mu);
    if (spill_dir[0]) rmtree(spill_dir, 0);
    if (spill_lock >= 0) close(spill_lock);
    spill_lock = -1;
    spill_dir[0] = '\0';
    pthread_mutex_unlock(&spill_mu);
}

void rf__spill_sweep(void)
{
    if (!local_dirs[0]) default_dirs(local_dirs, sizeof local_dirs);
    const char *p = local_dirs;
    while (*p) {
        size_t n = strcspn(p, ",");
        char dir[4200];
        snprintf(dir, sizeof dir, "%.*s", (int)(n < 4000 ? n : 4000), p);
        DIR *d = opendir(dir);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (strncmp(e->d_name, "riffle-spill-", 13) != 0) continue;
            char full[4600];
            struct stat st;
            snprintf(full, sizeof full, "%s/%s", dir, e->d_name);
            if (!strcmp(full, spill_dir)) continue;
            /* a directory made this instant is not locked yet: leave anything younger than 2 s */
            if (lstat(full, &st) != 0 || !S_ISDIR(st.st_mode) || time(NULL) - st.st_ctime < 2) continue;
            int fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (fd < 0) continue;
            if (flock(fd, LOCK_EX | LOCK_NB) == 0) rmtree(full, 0);   /* its rank is gone */
            close(fd);
        }
        if (d) closedir(d);
        p += n;
        if (*p == ',') p++;
    }
}

const char *const rf__spill_owner_name[RF_SPILL_OWNERS] = { "Exchange", "HashAggregate", "HashJoin", "Sort", "Cache", "Write" };
static atomic_llong st_owner[RF_SPILL_OWNERS];

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void rf__mem_trim(void)
{
#ifdef __GLIBC__
    static atomic_int busy;
    static _Atomic double last;
    int64_t budget = rf__mem_budget();
    if (budget <= 0) return;
    double t = now();
    if (t - atomic_load(&last) < 0.5) return;   /* a trim walks the heap: at most twice a second */
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, resident = 0;
    if (!f) return;
    if (fscanf(f, "%ld %ld", &size, &resident) != 2) resident = 0;
    fclose(f);
    if ((int64_t)resident * (int64_t)sysconf(_SC_PAGESIZE) < budget / 2) return;
    int expect = 0;
    if (!atomic_compare_exchange_strong(&busy, &expect, 1)) return;   /* another thread is trimming */
    malloc_trim(0);
    atomic_store(&last, now());
    atomic_store(&busy, 0);
#endif
}

void rf__spill_stats(rf_spill_stats *out)
{
    for (int k = 0; k < RF_SPILL_OWNERS; k++) out->by_owner[k] = atomic_load(&st_owner[k]);
    out->bytes = atomic_load(&st_bytes);
    out->files = atomic_load(&st_files);
    out->secs = (double)atomic_load(&st_usecs) / 1e6;
}

void rf__spill_stats_reset(void)
{
    atomic_store(&st_bytes, 0);
    for (int k = 0; k < RF_SPILL_OWNERS; k++) atomic_store(&st_owner[k], 0);
    atomic_store(&st_files, 0);
    atomic_store(&st_usecs, 0);
}

_Thread_local int64_t *rf__spill_sink;

void rf__spill_account(int owner, int64_t bytes, double secs)
{
    if (bytes && rf__spill_sink) *rf__spill_sink += bytes;
    if (bytes) atomic_fetch_add(&st_bytes, bytes);
    if (bytes && owner >= 0 && owner < RF_SPILL_OWNERS) atomic_fetch_add(&st_owner[owner], bytes);
    if (secs > 0) atomic_fetch_add(&st_usecs, (long long)(secs * 1e6));
}

/* ---------------------------------------------------------------- spools */
#define WBUF (64 << 10)   /* a spilled spool's write buffer */


void rf__spool_init(rf_spool *s)
{
    memset(s, 0, sizeof *s);
    s->fd = -1;
}

static int write_all(rf_spool *s, const uint8_t *p, int64_t n)
{
    double t0 = now();
    int64_t done = 0;
    while (done < n) {
        ssize_t w = pwrite(s->fd, p + done, (size_t)(n - done < (1 << 30) ? n - done : 1 << 30), (off_t)(s->file_len + done));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0)
            return rf__err_set(RF_ERR_IO, "spilling to %s failed: %s (riffle.local.dir)", spill_dir[0] ? spill_dir : local_dirs,
                               w < 0 ? strerror(errno) : "short write");
        done += w;
    }
    s->file_len += n;
    rf__spill_account(s->owner, n, now() - t0);
    return RF_OK;
}

int rf__spill_pwrite(int fd, int owner, const void *p, int64_t n, int64_t off)
{
    double t0 = now();
    for (int64_t done = 0; done < n;) {
        ssize_t w = pwrite(fd, (const uint8_t *)p + done, (size_t)(n - done < (1 << 30) ? n - done : 1 << 30), (off_t)(off + done));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0)
            return rf__err_set(RF_ERR_IO, "spilling to %s failed: %s (riffle.local.dir)", spill_dir[0] ? spill_dir : local_dirs,
                               w < 0 ? strerror(errno) : "short write");
        done += w;
    }
    rf__spill_account(owner, n, now() - t0);
    return RF_OK;
}

int rf__spill_pread(int fd, int owner, void *dst, int64_t n, int64_t off)
{
    double t0 = now();
    for (int64_t done = 0; done < n;) {
        ssize_t r = pread(fd, (uint8_t *)dst + done, (size_t)(n - done < (1 << 30) ? n - done : 1 << 30), (off_t)(off + done));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return rf__err_set(RF_ERR_IO, "reading back spilled data in %s: %s", spill_dir, strerror(errno));
        if (r == 0) { memset((uint8_t *)dst + done, 0, (size_t)(n - done)); break; }   /* past the end: never written */
        done += r;
    }
    rf__spill_account(owner, 0, now() - t0);
    return RF_OK;
}

int rf__spool_spill(rf_spool *s)
{
    if (s->fd >= 0) return RF_OK;
    int rc = rf__spill_open(&s->fd, NULL, 0);
    if (rc) return rc;
    if ((rc = write_all(s, s->mem, s->mem_len))) return rc;
    s->mem_len = 0;
    rf_free(s->mem);   /* down to the write buffer */
    s->mem_cap = 0;
    rf__mem_release(s->reserved);
    s->reserved = 0;
    if (!(s->mem = rf_malloc(WBUF))) return rf__err_set(RF_ERR_NOMEM, "out of memory for a spill buffer");
    s->mem_cap = WBUF;
    return RF_OK;
}

static int flush(rf_spool *s)
{
    if (s->fd < 0 || s->mem_len == 0) return RF_OK;
    int rc = write_all(s, s->mem, s->mem_len);
    if (!rc) s->mem_len = 0;
    return rc;
}

int rf__spool_append(rf_spool *s, const void *p, int64_t n)
{
    int rc;
    if (n <= 0) return RF_OK;
    if (s->fd < 0 && s->mem_len + n > s->mem_cap) {   /* grow in memory, if the budget allows */
        int64_t nc = s->mem_cap ? s->mem_cap * 2 : 64 << 10;
        while (nc < s->mem_len + n) nc *= 2;
        int64_t extra = nc - s->reserved;
        if (s->no_spill || rf__mem_reserve(extra)) {
            uint8_t *q = rf_realloc(s->mem, (size_t)nc);
            if (q) {
                s->mem = q;
                s->mem_cap = nc;
                if (!s->no_spill) s->reserved += extra;
            } else {
                if (!s->no_spill) rf__mem_release(extra);
                if (s->no_spill) return rf__err_set(RF_ERR_NOMEM, "out of memory (%lld bytes)", (long long)nc);
            }
        }
        if (s->mem_len + n > s->mem_cap && (rc = rf__spool_spill(s))) return rc;
    }
    if (s->fd >= 0) {
        if (s->mem_len + n > s->mem_cap && (rc = flush(s))) return rc;
        if (n >= s->mem_cap) {   /* large appends go straight to the file */
            if ((rc = write_all(s, p, n))) return rc;
            s->len += n;
            return RF_OK;
        }
    }
    memcpy(s->mem + s->mem_len, p, (size_t)n);
    s->mem_len += n;
    s->len += n;
    return RF_OK;
}

int rf__spool_seal(rf_spool *s)
{
    if (s->fd < 0) return RF_OK;
    int rc = flush(s);
    RF_FREE(s->mem);
    s->mem_cap = 0;
    return rc;
}

int rf__spool_read(const rf_spool *s, int64_t off, void *dst, int64_t n)
{
    if (n <= 0) return RF_OK;
    if (off < 0 || off + n > s->len) return rf__err_set(RF_ERR_INTERNAL, "spool read out of range");
    if (s->fd < 0) { memcpy(dst, s->mem + off, (size_t)n); return RF_OK; }
    double t0 = now();
    int64_t done = 0;
    while (done < n) {
        int64_t want = n - done;
        if (off + done >= s->file_len) {   /* the unflushed tail (before rf__spool_seal, one thread) */
            memcpy((uint8_t *)dst + done, s->mem + (off + done - s->file_len), (size_t)want);
            break;
        }
        if (off + done + want > s->file_len) want = s->file_len - off - done;
        ssize_t r = pread(s->fd, (uint8_t *)dst + done, (size_t)(want < (1 << 30) ? want : 1 << 30), (off_t)(off + done));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return rf__err_set(RF_ERR_IO, "reading back spilled data in %s: %s", spill_dir, r < 0 ? strerror(errno) : "short read");
        done += r;
    }
    rf__spill_account(s->owner, 0, now() - t0);
    return RF_OK;
}

void rf__spool_fini(rf_spool *s)
{
    if (s->fd >= 0) close(s->fd);
    rf_free(s->mem);
    rf__mem_release(s->reserved);
    rf__spool_init(s);
}
