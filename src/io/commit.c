/*
 * commit.c — the output commit protocol (driver side).
 *
 * Every rank writes its part files into a staging directory beside the destination
 * (<parent>/.<name>.riffle-staging-<job>); readers skip names starting with '.' or '_'. After every
 * rank has reported success, rank 0 writes _SUCCESS into the staging directory, fsyncs it, and
 * publishes with rename(2):
 *   mode error     — the destination must not exist: rename staging -> destination;
 *   mode overwrite — exchange staging and destination in one renameat2(RENAME_EXCHANGE) where the
 *                    file system has it (else rename the destination aside first), then remove the
 *                    old tree;
 *   mode append    — the new parts get job-unique names, the destination's files are hard-linked
 *                    into the staging directory beside them, and the result is published like an
 *                    overwrite: readers see the table before or after the append, never during.
 *                    Without hard links, the parts are renamed in one by one, then _SUCCESS.
 *   overwrite, partitionOverwriteMode=dynamic, with partitionBy — only the partitions the job wrote
 *                    are replaced: the destination's other partition directories are hard-linked
 *                    into the staging directory, which is then published like an overwrite (one
 *                    exchange). Without hard links, each written partition directory replaces its
 *                    old one by renames, one partition at a time.
 * A failed job removes its staging directory and leaves the destination untouched.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "io/output.h"
#include "io/files.h"

int rf__write_full(int fd, const void *p, size_t n, const char *path)
{
    const uint8_t *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return rf__err_set(RF_ERR_IO, "%s: write failed: %s", path, strerror(errno));
        c += w;
        n -= (size_t)w;
    }
    return RF_OK;
}

int rf__rmtree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) return errno == ENOENT ? RF_OK : rf__err_set(RF_ERR_IO, "%s: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (!d) return rf__err_set(RF_ERR_IO, "%s: cannot open directory: %s", path, strerror(errno));
        struct dirent *e;
        int rc = RF_OK;
        while ((e = readdir(d)) && !rc) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            char sub[4096];
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            rc = rf__rmtree(sub);
        }
        closedir(d);
        if (rc) return rc;
        return rmdir(path) == 0 ? RF_OK : rf__err_set(RF_ERR_IO, "%s: cannot remove: %s", path, strerror(errno));
    }
    return unlink(path) == 0 ? RF_OK : rf__err_set(RF_ERR_IO, "%s: cannot remove: %s", path, strerror(errno));
}

static void sibling(const char *path, const char *tag, int64_t job, char *out, size_t cap)
{
    char a[4096], b[4096];
    snprintf(a, sizeof a, "%s", path);
    snprintf(b, sizeof b, "%s", path);
    size_t n = strlen(a);
    while (n > 1 && a[n - 1] == '/') a[--n] = '\0', b[n] = '\0';
    snprintf(out, cap, "%s/.%s.riffle-%s-%lld", dirname(a), basename(b), tag, (long long)job);
}

int rf__mkdirs(const char *path)
{
    char p[4200];
    snprintf(p, sizeof p, "%s", path);
    for (char *q = p + 1; *q; q++)
        if (*q == '/') { *q = '\0'; mkdir(p, 0755); *q = '/'; }
    if (mkdir(p, 0755) != 0 && errno != EEXIST) return rf__err_set(RF_ERR_IO, "%s: cannot create directory: %s", p, strerror(errno));
    struct stat st;
    if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) return rf__err_set(RF_ERR_IO, "%s: not a directory", p);
    return RF_OK;
}

static int fsync_path(const char *p)
{
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return rf__err_set(RF_ERR_IO, "%s: cannot open for fsync: %s", p, strerror(errno));
    int r = fsync(fd);
    close(fd);
    return r == 0 ? RF_OK : rf__err_set(RF_ERR_IO, "%s: fsync failed: %s", p, strerror(errno));
}

int rf__write_file_atomic(const char *path, const void *data, size_t n)
{
    char tmp[4300], dir[4200];
    const char *slash = strrchr(path, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
    snprintf(tmp, sizeof tmp, "%s/.%s.%d.tmp", dir, slash ? slash + 1 : path, (int)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) return rf__err_set(RF_ERR_IO, "%s: cannot create: %s", tmp, strerror(errno));
    bool ok = fwrite(data, 1, n, f) == n;
    ok &= fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok &= fclose(f) == 0;
    if (!ok || rename(tmp, path) != 0) { int e = errno; unlink(tmp); return rf__err_set(RF_ERR_IO, "%s: cannot write: %s", path, strerror(e)); }
    return fsync_path(dir);
}

/* ---------------------------------------------------------------- staging ownership */
/* Beside the staging directory, rank 0 keeps a hidden owner file (host and pid) locked with flock
 * while its job runs: <parent>/.<name>.riffle-owner-<job>. It exists, locked, before the staging
 * directory is made and is removed only after the staging and set-aside directories are gone, so a
 * job killed at any instant leaves an owner file nobody holds. A later job that can take the lock
 * (or, where the file system has no locks, finds the owner's process gone on this host) knows the
 * job's directories are leftovers and removes them. The file is created under a temporary name,
 * locked, then renamed into place, so a sweeping job never sees it unlocked while its job lives. */
static int owner_fd = -1;
static char owner_path[4200];

static void claim(const rf_output *o, int64_t job)
{
    char tmp[4300], host[256] = "?";
    sibling(o->path, "owner", job, owner_path, sizeof owner_path);
    snprintf(tmp, sizeof tmp, "%s.tmp", owner_path);
    if (owner_fd >= 0) close(owner_fd);
    owner_fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (owner_fd < 0) { owner_path[0] = '\0'; return; }
    gethostname(host, sizeof host - 1);
    char line[400];
    int n = snprintf(line, sizeof line, "%s %d\n", host, (int)getpid());
    if (n > 0 && write(owner_fd, line, (size_t)n) != n) { /* the lock alone still says it */ }
    flock(owner_fd, LOCK_EX | LOCK_NB);
    if (rename(tmp, owner_path) != 0) { unlink(tmp); close(owner_fd); owner_fd = -1; owner_path[0] = '\0'; }
}

static void unclaim(void)
{
    if (owner_fd < 0) return;
    unlink(owner_path);
    close(owner_fd);
    owner_fd = -1;
    owner_path[0] = '\0';
}

/* Whether the owner file at p belongs to a job that is gone. */
static bool owner_gone(const char *p)
{
    char host[256] = "", me[256] = "";
    struct stat st;
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    bool gone = false;
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) gone = true;   /* nobody holds it: the job ended without cleaning up */
    else if (errno != EWOULDBLOCK) {   /* no locks on this file system: the owner's process, when it ran here */
        char line[400] = "";
        ssize_t r = read(fd, line, sizeof line - 1);
        int pid = 0;
        if (r > 0 && sscanf(line, "%255s %d", host, &pid) == 2) {
            gethostname(me, sizeof me - 1);
            gone = !strcmp(host, me) ? (kill(pid, 0) != 0 && errno == ESRCH) : (fstat(fd, &st) == 0 && time(NULL) - st.st_mtime > 86400);
        }
    }
    close(fd);
    return gone;
}

static bool older_than(const char *p, time_t secs)
{
    struct stat st;
    return lstat(p, &st) == 0 && time(NULL) - st.st_mtime > secs;
}

/* Removes what killed riffle jobs left in dir: their staging and set-aside directories (the
 * owner file beside them is free), then the free owner files themselves. A directory without an
 * owner file is left for an hour: riffle never makes one, but an older riffle might have. */
static void sweep_stale(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    for (int pass = 0; pass < 2; pass++) {
        rewinddir(d);
        while ((e = readdir(d))) {
            if (e->d_name[0] != '.') continue;
            char full[8400], own[8400];
            snprintf(full, sizeof full, "%s/%s", dir, e->d_name);
            const char *tag = strstr(e->d_name, ".riffle-staging-");
            if (!tag) tag = strstr(e->d_name, ".riffle-old-");
            if (pass == 0 && tag) {
                snprintf(own, sizeof own, "%s/%.*s.riffle-owner-%s", dir, (int)(tag - e->d_name), e->d_name, strchr(tag + 8, '-') + 1);
                bool gone = access(own, F_OK) == 0 ? owner_gone(own) : older_than(full, 3600);
                if (gone) { rf__rmtree(full); rf__err_clear(); }
            } else if (pass == 1 && (tag = strstr(e->d_name, ".riffle-owner-"))) {
                size_t n = strlen(e->d_name);
                bool tmp = n > 4 && !strcmp(e->d_name + n - 4, ".tmp");
                if (tmp ? older_than(full, 60) : owner_gone(full)) unlink(full);
            }
        }
    }
    closedir(d);
}

int rf__output_prepare(rf_output *o, int64_t job)
{
    struct stat st;
    char staging[4096], parent[4096];
    bool exists = stat(o->path, &st) == 0;
    if (exists && o->write_mode == 0)
        return rf__err_set(RF_ERR_INVALID, "output path %s already exists (mode error); use mode=overwrite or mode=append", o->path);
    if (exists && o->single_file && S_ISDIR(st.st_mode))
        return rf__err_set(RF_ERR_INVALID, "output path %s is a directory; give a file name", o->path);
    if (exists && !o->single_file && !S_ISDIR(st.st_mode))
        return rf__err_set(RF_ERR_INVALID, "output path %s exists and is not a directory", o->path);
    if (exists && o->single_file && o->write_mode == 2)
        return rf__err_set(RF_ERR_INVALID, "output file %s exists: a single file cannot be appended to", o->path);
    snprintf(parent, sizeof parent, "%s", o->path);
    char *par = dirname(parent);
    /* missing parent directories are created, as Spark's writers do */
    for (char *q = par + 1; *q; q++)
        if (*q == '/') { *q = '\0'; mkdir(par, 0755); *q = '/'; }
    mkdir(par, 0755);
    if (stat(par, &st) != 0 || !S_ISDIR(st.st_mode))
        return rf__err_set(RF_ERR_IO, "cannot create the output directory's parent %s: %s", par, strerror(errno));
    /* leftovers of killed jobs in this directory (for any destination) are ignored, and removed
     * here; a running job's staging directory is left alone */
    {
        char a[4096];
        snprintf(a, sizeof a, "%s", o->path);
        sweep_stale(dirname(a));
    }
    sibling(o->path, "staging", job, staging, sizeof staging);
    claim(o, job);   /* before the directory exists: a kill at any later instant leaves a free owner file */
    if (mkdir(staging, 0755) != 0) {
        int e = errno;
        unclaim();
        return rf__err_set(RF_ERR_IO, "%s: cannot create staging directory: %s", staging, strerror(e));
    }
    o->staging = rf_strdup(staging);
    if (!o->staging) { rmdir(staging); unclaim(); return rf__err_set(RF_ERR_NOMEM, "out of memory"); }
    return RF_OK;
}

void rf__output_abort(const rf_output *o)
{
    if (o->staging) rf__rmtree(o->staging);
    unclaim();   /* after the directories it vouches for are gone */
    rf__err_clear();
}

/* Calls fn for every data file under `from` (names starting with '.' or '_' are not data) with
 * the matching directory under `to`, created as needed: partition directories are mirrored. */
typedef int (*file_fn)(const char *path, const char *name, const char *to_dir, int64_t job);
static int each_file(const char *from, const char *to, file_fn fn, int64_t job)
{
    DIR *d = opendir(from);
    if (!d) return rf__err_set(RF_ERR_IO, "%s: %s", from, strerror(errno));
    struct dirent *e;
    int rc = RF_OK;
    char p[4400], q[4400];
    while ((e = readdir(d)) && !rc) {
        if (e->d_name[0] == '.' || e->d_name[0] == '_') continue;
        snprintf(p, sizeof p, "%s/%s", from, e->d_name);
        struct stat st;
        if (stat(p, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            snprintf(q, sizeof q, "%s/%s", to, e->d_name);
            if (!(rc = rf__mkdirs(q))) rc = each_file(p, q, fn, job);
        } else rc = fn(p, e->d_name, to, job);
    }
    closedir(d);
    return rc;
}

/* A part's job-unique name in dir: part-NNNNN.x -> part-j<job>-NNNNN.x (kept when already unique). */
static void unique_name(const char *name, const char *dir, int64_t job, char *out, size_t cap)
{
    if (!strncmp(name, "part-j", 6)) snprintf(out, cap, "%s/%s", dir, name);
    else snprintf(out, cap, "%s/part-j%lld-%s", dir, (long long)job, name + 5);
}

/* Append without hard links: moves a new part into the destination under a unique name. */
static int move_part(const char *path, const char *name, const char *to_dir, int64_t job)
{
    char q[4400];
    if (strncmp(name, "part-", 5)) return RF_OK;
    unique_name(name, to_dir, job, q, sizeof q);
    if (rename(path, q) != 0) return rf__err_set(RF_ERR_IO, "rename %s -> %s: %s", path, q, strerror(errno));
    return fsync_path(to_dir);
}

/* Append: gives a new part in the staging directory its job-unique name (to_dir is its own). */
static int rename_unique(const char *path, const char *name, const char *to_dir, int64_t job)
{
    char q[4400];
    if (strncmp(name, "part-", 5)) return RF_OK;
    unique_name(name, to_dir, job, q, sizeof q);
    if (strcmp(path, q) && rename(path, q) != 0) return rf__err_set(RF_ERR_IO, "rename %s -> %s: %s", path, q, strerror(errno));
    return RF_OK;
}

/* Append: hard-links a file of the destination into the staging directory, so that it becomes the
 * whole new table. EXDEV / EPERM (no hard links here): RF_ERR_LIMIT, without a message. */
static int link_file(const char *path, const char *name, const char *to_dir, int64_t job)
{
    char q[4400];
    (void)job;
    snprintf(q, sizeof q, "%s/%s", to_dir, name);
    if (link(path, q) == 0 || errno == EEXIST) return RF_OK;
    return errno == EXDEV || errno == EPERM ? RF_ERR_LIMIT : rf__err_set(RF_ERR_IO, "link %s -> %s: %s", path, q, strerror(errno));
}

/* Puts the complete staging directory in place of the destination: one atomic exchange
 * (renameat2 RENAME_EXCHANGE) where the file system has it, else rename the old one aside first. */
static int publish(const rf_output *o, int64_t job)
{
    char old[4096], parent[4096];
    int rc = RF_OK;
    snprintf(parent, sizeof parent, "%s", o->path);
    if (access(o->path, F_OK) != 0) {
        if (rename(o->staging, o->path) != 0) return rf__err_set(RF_ERR_IO, "rename %s -> %s: %s", o->staging, o->path, strerror(errno));
    } else if (renameat2(AT_FDCWD, o->staging, AT_FDCWD, o->path, RENAME_EXCHANGE) == 0) {
        rc = rf__rmtree(o->staging);   /* now the previous version */
    } else {
        sibling(o->path, "old", job, old, sizeof old);
        if (rename(o->path, old) != 0) return rf__err_set(RF_ERR_IO, "rename %s -> %s: %s", o->path, old, strerror(errno));
        if (rename(o->staging, o->path) != 0) {
            rc = rf__err_set(RF_ERR_IO, "rename %s -> %s: %s", o->staging, o->path, strerror(errno));
            rename(old, o->path);   /* put the previous output back */
            return rc;
        }
        rc = rf__rmtree(old);
    }
    int r2 = fsync_path(dirname(parent));
    return rc ? rc : r2;
}

/* ---------------------------------------------------------------- dynamic partition overwrite */
/* out = a/b (a alone when b is empty); a path too long for out is an error, never a shorter path. */
static int join(char *out, size_t cap, const char *a, const char *b)
{
    int n = snprintf(out, cap, "%s%s%s", a, *b ? "/" : "", b);
    return n < 0 || (size_t)n >= cap ? rf__err_set(RF_ERR_LIMIT, "path too long: %.200s/%.200s...", a, b) : RF_OK;
}

/* Directories under root (relative, "" for root itself) that hold data files directly. */
typedef struct { char **v; int64_t n, cap; } dirset;

static void dirset_fini(dirset *d)
{
    for (int64_t i = 0; i < d->n; i++) rf_free(d->v[i]);
    rf_free(d->v);
    memset(d, 0, sizeof *d);
}

static bool dirset_has(const dirset *d, const char *rel)
{
    for (int64_t i = 0; i < d->n; i++) if (!strcmp(d->v[i], rel)) return true;
    return false;
}

static int leaf_dirs(const char *root, const char *rel, dirset *out, int depth)
{
    char p[4400], r[4400];
    int rc = join(p, sizeof p, root, rel);
    if (rc) return rc;
    if (depth > RF_MAX_PARTITION_COLUMNS) return rf__err_set(RF_ERR_LIMIT, "%s: partition directories nested too deeply", p);
    DIR *d = opendir(p);
    if (!d) return rf__err_set(RF_ERR_IO, "%s: %s", p, strerror(errno));
    struct dirent *e;
    bool data = false;
    while ((e = readdir(d)) && !rc) {
        if (e->d_name[0] == '.' || e->d_name[0] == '_') continue;
        char q[4400];
        struct stat st;
        if ((rc = join(q, sizeof q, p, e->d_name))) break;
        if (stat(q, &st) != 0) continue;
        if (!S_ISDIR(st.st_mode)) { data = true; continue; }
        if (*rel) rc = join(r, sizeof r, rel, e->d_name);
        else rc = join(r, sizeof r, e->d_name, "");
        if (!rc) rc = leaf_dirs(root, r, out, depth + 1);
    }
    closedir(d);
    if (!rc && data) {
        if ((rc = rf__grow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v))) return rc;
        if (!(out->v[out->n] = rf_strdup(rel))) return rf__err_set(RF_ERR_NOMEM, "out of memory");
        out->n++;
    }
    return rc;
}

/* Hard-links the destination's partitions that the job did not write (not in `fresh`) into the
 * staging directory. RF_ERR_LIMIT (no message) where the file system has no hard links. */
static int link_untouched(const char *dest, const char *staging, const dirset *fresh)
{
    dirset old = { 0 };
    int rc = leaf_dirs(dest, "", &old, 0);
    for (int64_t i = 0; i < old.n && !rc; i++) {
        if (dirset_has(fresh, old.v[i])) continue;   /* replaced by the new rows */
        char from[4400], to[4400];
        if ((rc = join(from, sizeof from, dest, old.v[i])) || (rc = join(to, sizeof to, staging, old.v[i]))) break;
        if ((rc = rf__mkdirs(to))) break;
        DIR *d = opendir(from);
        if (!d) { rc = rf__err_set(RF_ERR_IO, "%s: %s", from, strerror(errno)); break; }
        struct dirent *e;
        while ((e = readdir(d)) && !rc) {
            if (e->d_name[0] == '.' || e->d_name[0] == '_') continue;
            char p[4400];
            struct stat st;
            if ((rc = join(p, sizeof p, from, e->d_name))) break;
            if (stat(p, &st) != 0 || S_ISDIR(st.st_mode)) continue;
            rc = link_file(p, e->d_name, to, 0);
        }
        closedir(d);
    }
    dirset_fini(&old);
    return rc;
}

/* Without hard links: each partition the job wrote replaces its old directory (rename aside,
 * rename in, remove the old one), one partition at a time. */
static int replace_partitions(const rf_output *o, int64_t job, const dirset *fresh)
{
    int rc = RF_OK;
    for (int64_t i = 0; i < fresh->n && !rc; i++) {
        char from[4400], to[4400], aside[4400];
        if ((rc = join(from, sizeof from, o->staging, fresh->v[i])) || (rc = join(to, sizeof to, o->path, fresh->v[i]))) break;
        sibling(to, "old", job, aside, sizeof aside);
        char parent[4400];
        snprintf(parent, sizeof parent, "%s", to);
        if ((rc = rf__mkdirs(dirname(parent)))) break;
        bool had = access(to, F_OK) == 0;
        if (had && rename(to, aside) != 0) { rc = rf__err_set(RF_ERR_IO, "rename %s -> %s: %s", to, aside, strerror(errno)); break; }
        if (rename(from, to) != 0) {
            rc = rf__err_set(RF_ERR_IO, "rename %s -> %s: %s", from, to, strerror(errno));
            if (had) rename(aside, to);
            break;
        }
        if (had) rc = rf__rmtree(aside);
    }
    if (!rc) rc = fsync_path(o->path);
    if (!rc) rc = rf__rmtree(o->staging);
    return rc;
}

static int commit(const rf_output *o, int64_t job)
{
    char p[4096], q[4096];
    int rc = RF_OK;
    if (o->single_file) {   /* the file itself is the output: one rename replaces it */
        snprintf(p, sizeof p, "%s/part-00000.h5", o->staging);
        if (rename(p, o->path) != 0) return rf__err_set(RF_ERR_IO, "rename %s -> %s: %s", p, o->path, strerror(errno));
        snprintf(q, sizeof q, "%s", o->path);
        RF_TRY(fsync_path(dirname(q)));
        return rf__rmtree(o->staging);
    }
    bool exists = access(o->path, F_OK) == 0;
    if (o->write_mode == 1 && o->dynamic && exists && o->partition_by && *o->partition_by) {
        dirset fresh = { 0 };
        rc = leaf_dirs(o->staging, "", &fresh, 0);
        if (!rc) rc = link_untouched(o->path, o->staging, &fresh);
        if (rc == RF_ERR_LIMIT) {   /* no hard links here */
            rf__err_clear();
            rc = replace_partitions(o, job, &fresh);
            dirset_fini(&fresh);
            return rc;
        }
        dirset_fini(&fresh);
        if (rc) return rc;
    }
    bool append = o->write_mode == 2 && exists, linked = false;
    if (append) {   /* the new table = the old files (hard links) + the new parts, published whole */
        RF_TRY(each_file(o->staging, o->staging, rename_unique, job));
        rc = each_file(o->path, o->staging, link_file, job);
        if (rc && rc != RF_ERR_LIMIT) return rc;
        linked = rc == RF_OK;
        rc = RF_OK;
    }
    snprintf(p, sizeof p, "%s/_SUCCESS", o->staging);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return rf__err_set(RF_ERR_IO, "%s: cannot create: %s", p, strerror(errno));
    fsync(fd);
    close(fd);
    RF_TRY(fsync_path(o->staging));
    if (append && !linked) {   /* no hard links on this file system: move the parts in one by one */
        RF_TRY(each_file(o->staging, o->path, move_part, job));
        snprintf(q, sizeof q, "%s/_SUCCESS", o->path);
        if (rename(p, q) != 0) return rf__err_set(RF_ERR_IO, "rename %s -> %s: %s", p, q, strerror(errno));
        RF_TRY(fsync_path(o->path));
        return rf__rmtree(o->staging);
    }
    return publish(o, job);
done:
    return rc;
}

int rf__output_commit(const rf_output *o, int64_t job)
{
    int rc = commit(o, job);
    if (!rc) unclaim();   /* published, and the previous version removed: nothing left to vouch for */
    return rc;
}
