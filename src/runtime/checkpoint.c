/*
 * checkpoint.c — stage checkpoints across a wall-time limit (riffle.checkpoint.dir).
 *
 * With riffle.checkpoint.dir set, every completed stage that feeds a shuffle leaves its map output
 * there: each rank writes its part (the spooled records as the exchange would send them, with a
 * header and a CRC-32C) to a file of its own and renames it into place; only when every rank's
 * write succeeded (an Allreduce, the vote) does rank 0 mark the stage done. The checkpoint of a job
 * lives in DIR/KEY, where KEY hashes the physical plan with the program that runs it (size and
 * modification time of the executable) and, apart, the plan's input files (path, size,
 * modification time), and names the rank count. DIR/job-N-CMD.key remembers the key the N-th job
 * of the command CMD (a hash of its command line without its options) last used, so a checkpoint
 * made from another plan or other inputs is reported and dropped rather than silently passed over.
 *
 * At a job's start the ranks learn which stages are done (rank 0 looks, then a broadcast), then
 * read back only those a stage that must still run reads, each rank its own file, validated by
 * another vote; a stage whose files fail the check runs again (and the stages it needs with it).
 * The stages whose output is no longer needed are skipped.
 *
 * Broadcast exchanges are not checkpointed (adaptive execution may turn them into shuffles at run
 * time; they are small). Jobs over caches or a streaming batch do not checkpoint (streaming has its
 * own checkpointLocation). The files are kept until the session ends well; a job stopped by
 * SIGUSR1 (Slurm's warning before the limit: runtime/executor.c finishes the running stage, then
 * stops with RF_ERR_PREEMPTED, exit status 75) keeps them for the next attempt.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "runtime/executor.h"
#include "io/files.h"
#include "io/output.h"

#define CK_MAGIC   0x4b434652u   /* "RFCK" */
#define CK_VERSION 1u
#define KEY_SEED   0x6b70636b656c6666ULL   /* the keys' hashes (rf_hash_bytes, chained through its seed) start here */

static int job_seq;          /* jobs this session ran: the N of job-N.key (the same on every rank) */
static char **used;          /* rank 0: checkpoint directories and job-N.key files this session made, */
static int n_used;           /* removed when it ends well */

static void note_used(const char *path)
{
    for (int i = 0; i < n_used; i++)
        if (!strcmp(used[i], path)) return;
    char **u = rf_realloc(used, (size_t)(n_used + 1) * sizeof *u);
    if (!u) return;   /* then it stays behind: harmless */
    used = u;
    if ((used[n_used] = rf_strdup(path))) n_used++;
}

static uint64_t stat_hash(uint64_t h, const char *path)
{
    struct stat sb;
    int64_t v[3] = { -1, -1, -1 };
    if (!stat(path, &sb)) { v[0] = (int64_t)sb.st_size; v[1] = (int64_t)sb.st_mtim.tv_sec; v[2] = (int64_t)sb.st_mtim.tv_nsec; }
    h = rf_hash_bytes(path, strlen(path) + 1, h);
    return rf_hash_bytes(v, sizeof v, h);
}

/* Whether plan p can be checkpointed (no cache, no streaming batch), and its input files hashed into *ih. */
static bool inputs_of(const rf_plan *p, uint64_t *ih)
{
    if (p->kind == RF_P_CACHE || p->kind == RF_P_CACHE_READ || p->kind == RF_L_CACHE) return false;
    if (p->src) {
        if (p->src->stream_batch) return false;   /* (encoded: the same answer on every rank) */
        for (int i = 0; i < p->src->n_files; i++) *ih = stat_hash(*ih, p->src->files[i]);
    }
    for (int i = 0; i < p->n_child; i++)
        if (!inputs_of(p->child[i], ih)) return false;
    return true;
}

/* The command that runs the session without its options (`riffle run job.sql`, or a program and its
 * inputs; not --conf k=v, --var x=y, --event-log PATH, which a requeue script may vary: an option
 * and, when it has no '=', the word after it are left out): with the job's number, what names "the
 * same job" across attempts, so that programs sharing a directory keep apart. */
static uint64_t command_hash(void)
{
    uint64_t h = KEY_SEED;
    FILE *f = fopen("/proc/self/cmdline", "rb");
    char arg[4096];
    size_t n = 0;
    bool skip_next = false;
    int c;
    while (f && (c = fgetc(f)) != EOF) {
        if (c) { if (n < sizeof arg - 1) arg[n++] = (char)c; continue; }
        arg[n] = '\0';
        if (n > 1 && arg[0] == '-') skip_next = !strchr(arg, '=');
        else if (skip_next) skip_next = false;
        else { h = rf_hash_bytes(arg, n + 1, h); }
        n = 0;
    }
    if (f) fclose(f);
    return h;
}

/* riffle.checkpoint.dir or a directory in it, made (mkdir -p); the error names the setting. */
static int make_dir(const char *dir)
{
    if (rf__mkdirs(dir) == RF_OK) return RF_OK;
    char why[sizeof rf__err_slot()->msg];
    snprintf(why, sizeof why, "%s", rf__err_slot()->msg);
    return rf__err_set(RF_ERR_IO, "riffle.checkpoint.dir %s: cannot create (%.600s)", dir, why);
}

/* ---------------------------------------------------------------- one rank's file of one stage */
typedef struct { int fd; uint32_t crc; const char *path; } wr;

/* Writes n bytes and runs them through the file's CRC. */
static int put(wr *w, const void *p, int64_t n)
{
    w->crc = rf_crc32c(w->crc, p, (size_t)n);
    return rf__write_full(w->fd, p, (size_t)n, w->path);
}

static void file_of(const rf_ckpt *c, int id, int rank, char *buf, size_t cap)
{
    if (rank < 0) snprintf(buf, cap, "%s/stage-%d.done", c->dir, id);
    else snprintf(buf, cap, "%s/stage-%d.rank-%d", c->dir, id, rank);
}

static int write_part(const rf_ckpt *c, int id, int rank, rf_shuffle_out *o)
{
    char path[4200], tmp[4300];
    file_of(c, id, rank, path, sizeof path);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    wr w = { open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0666), 0, tmp };
    if (w.fd < 0 && errno == ENOENT && rf__mkdirs(c->dir) == RF_OK)   /* a network file system may not show rank 0's new directory yet */
        w.fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (w.fd < 0) return rf__err_set(RF_ERR_IO, "checkpoint %s: cannot create: %s", tmp, strerror(errno));
    int nd = o->broadcast ? 1 : o->nranks;
    int64_t head[10] = { CK_MAGIC, CK_VERSION, (int64_t)c->key[0], (int64_t)c->key[1], id, rank, o->nranks, o->broadcast, o->nparts, o->rank_offset };
    int rc = put(&w, head, sizeof head);
    if (!rc) rc = put(&w, &o->n_rec, sizeof o->n_rec);
    for (int d = 0; d < nd && !rc; d++) rc = put(&w, &o->dest[d].len, sizeof o->dest[d].len);
    for (int64_t i = 0; i < o->n_rec && !rc; i++) {
        int64_t r[5] = { o->rec[i].task, o->rec[i].part, o->rec[i].off, o->rec[i].len, o->rec[i].dest };
        rc = put(&w, r, sizeof r);
    }
    if (!rc) rc = put(&w, o->psize, o->nparts * (int64_t)sizeof *o->psize);
    uint8_t *buf = rc ? NULL : rf_malloc(1 << 20);
    if (!rc && !buf) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int d = 0; d < nd && !rc; d++) {   /* the spooled records, as the exchange would send them */
        rf_spool *sp = &o->dest[d];
        rc = rf__spool_seal(sp);
        for (int64_t off = 0; off < sp->len && !rc; off += 1 << 20) {
            int64_t n = sp->len - off < (1 << 20) ? sp->len - off : (1 << 20);
            if (!(rc = rf__spool_read(sp, off, buf, n))) rc = put(&w, buf, n);
        }
    }
    rf_free(buf);
    uint32_t crc = w.crc;
    if (!rc) rc = put(&w, &crc, sizeof crc);
    if (!rc && fsync(w.fd)) rc = rf__err_set(RF_ERR_IO, "checkpoint %s: fsync failed: %s", tmp, strerror(errno));
    if (close(w.fd) && !rc) rc = rf__err_set(RF_ERR_IO, "checkpoint %s: close failed: %s", tmp, strerror(errno));
    if (!rc && rename(tmp, path)) rc = rf__err_set(RF_ERR_IO, "checkpoint %s: cannot rename into place: %s", path, strerror(errno));
    if (rc) unlink(tmp);
    return rc;
}

typedef struct { int fd; uint32_t crc; } rd;

static int get(rd *r, void *p, int64_t n)
{
    uint8_t *b = p;
    int64_t left = n;
    while (left > 0) {
        ssize_t k = read(r->fd, b, (size_t)left);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        b += k;
        left -= k;
    }
    r->crc = rf_crc32c(r->crc, p, (size_t)n);
    return 0;
}

/* Reads this rank's file of stage id back into o (a fresh shuffle output); any mismatch fails. */
static int read_part(const rf_ckpt *c, int id, int rank, int nranks, rf_shuffle_out *o)
{
    char path[4200];
    file_of(c, id, rank, path, sizeof path);
    rd r = { open(path, O_RDONLY), 0 };
    if (r.fd < 0) return rf__err_set(RF_ERR_IO, "checkpoint %s: cannot open: %s", path, strerror(errno));
    int64_t head[10], nrec = 0, *lens = NULL;
    uint8_t *buf = NULL;
    int rc = RF_OK;
    memset(o, 0, sizeof *o);
#define BAD(why) do { rc = rf__err_set(RF_ERR_IO, "checkpoint %s: %s", path, why); goto out; } while (0)
    if (get(&r, head, sizeof head) || get(&r, &nrec, sizeof nrec)) BAD("cut short");
    if (head[0] != CK_MAGIC || head[1] != CK_VERSION) BAD("not a riffle checkpoint of this version");
    if (head[2] != (int64_t)c->key[0] || head[3] != (int64_t)c->key[1] || head[4] != id || head[5] != rank || head[6] != nranks)
        BAD("made for another job, stage or rank");
    if (head[8] < 1 || head[8] > 100000000 || nrec < 0 || nrec > (int64_t)1 << 40) BAD("a corrupt header");
    if ((rc = rf__shuffle_out_init(o, nranks, head[8], head[7] != 0, head[9]))) goto out;
    int nd = o->broadcast ? 1 : nranks;
    if (!(lens = rf_malloc((size_t)nd * sizeof *lens)) || !(buf = rf_malloc(1 << 20))) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); goto out; }
    if (get(&r, lens, (int64_t)nd * (int64_t)sizeof *lens)) BAD("cut short");
    if ((rc = rf__grow((void **)&o->rec, &o->cap_rec, nrec > 0 ? nrec : 1, sizeof *o->rec))) goto out;
    for (int64_t i = 0; i < nrec; i++) {
        int64_t v[5];
        if (get(&r, v, sizeof v)) BAD("cut short");
        if (v[4] < 0 || v[4] >= nd || v[1] < 0 || v[1] >= o->nparts || v[2] < 0 || v[3] < 0 || v[2] + v[3] > lens[v[4]]) BAD("a corrupt record");
        o->rec[i] = (rf_xrec){ v[0], v[1], v[2], v[3], (int)v[4] };
    }
    o->n_rec = nrec;
    if (get(&r, o->psize, o->nparts * (int64_t)sizeof *o->psize)) BAD("cut short");
    for (int d = 0; d < nd && !rc; d++)
        for (int64_t left = lens[d]; left > 0 && !rc;) {
            int64_t n = left < (1 << 20) ? left : (1 << 20);
            if (get(&r, buf, n)) BAD("cut short");
            rc = rf__spool_append(&o->dest[d], buf, n);
            left -= n;
        }
    if (rc) goto out;
    uint32_t want = r.crc, got = 0;
    if (get(&r, &got, sizeof got) || got != want) BAD("checksum mismatch");
    if (read(r.fd, buf, 1) != 0) BAD("bytes after the end");
#undef BAD
out:
    close(r.fd);
    rf_free(lens);
    rf_free(buf);
    if (rc && o->dest) rf__shuffle_out_fini(o);
    return rc;
}

/* ---------------------------------------------------------------- the job */
/* Which stages must run, from which are done: the result stage, and every stage a running stage
 * reads whose output is not in the checkpoint. need[id]: a running stage reads id's output. */
static void plan_runs(const rf_stages *st, const bool *done, bool *run, bool *need, int n_ids)
{
    memset(run, 0, (size_t)n_ids * sizeof *run);
    memset(need, 0, (size_t)n_ids * sizeof *need);
    if (st->n) need[st->s[st->n - 1].id] = true;
    for (int pos = st->n - 1; pos >= 0; pos--) {
        const rf_stage *s = &st->s[pos];
        run[s->id] = need[s->id] && !done[s->id];
        for (int k = 0; run[s->id] && k < s->n_inputs; k++)
            if (s->inputs[k] >= 0 && s->inputs[k] < n_ids) need[s->inputs[k]] = true;
    }
}

static void hex_key(const uint64_t key[2], int nranks, char *buf, size_t cap)
{
    snprintf(buf, cap, "%016llx-%016llx-%dr", (unsigned long long)key[0], (unsigned long long)key[1], nranks);
}

/* Rank 0: the key, the job's record of it, the directory and the stages marked done. Returns a
 * local status; on success done[] filled. */
static int look(const rf_action *act, const rf_plan *plan, rf_ckpt *c, int nranks, uint8_t *done, int n)
{
    rf_buf enc = { 0 };
    int rc = rf__plan_encode(plan, &enc);
    if (rc) return rc;
    c->key[0] = rf_hash_bytes(enc.data, enc.len, KEY_SEED);
    rf_buf_fini(&enc);
    char exe[4096];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (k > 0) { exe[k] = '\0'; c->key[0] = stat_hash(c->key[0], exe); }   /* the program: callbacks, UDFs */
    c->key[1] = KEY_SEED;
    inputs_of(plan, &c->key[1]);
    char name[80], rec[4200], line[256] = "", want[256];
    hex_key(c->key, nranks, name, sizeof name);
    if ((rc = make_dir(act->checkpoint_dir))) return rc;
    snprintf(rec, sizeof rec, "%s/job-%d-%016llx.key", act->checkpoint_dir, job_seq, (unsigned long long)command_hash());
    snprintf(want, sizeof want, "%s\n", name);
    FILE *f = fopen(rec, "r");
    if (f) {
        if (!fgets(line, sizeof line, f)) line[0] = '\0';
        fclose(f);
    }
    if (*line && strcmp(line, want)) {   /* another plan or other inputs: say which, drop it */
        unsigned long long p0 = 0, i0 = 0;
        int r0 = 0;
        const char *why = "it is damaged";
        if (sscanf(line, "%16llx-%16llx-%dr", &p0, &i0, &r0) == 3)
            why = p0 != c->key[0] ? "it was made by a different plan (the query, its configuration or the program changed)"
                  : i0 != c->key[1] ? "its input files changed since (size or modification time)"
                  : "it was made with a different number of ranks";
        fprintf(stderr, "riffle: checkpoint: job %d: the checkpoint in %s is ignored: %s; running from the start\n", job_seq,
                act->checkpoint_dir, why);
        char old[4200];
        line[strcspn(line, "\n")] = '\0';
        if (strspn(line, "0123456789abcdefr-") == strlen(line)) {
            snprintf(old, sizeof old, "%s/%s", act->checkpoint_dir, line);
            if (rf__rmtree(old)) rf__err_clear();   /* best effort: a new key's directory does not need it gone */
        }
    }
    size_t dl = strlen(act->checkpoint_dir) + strlen(name) + 2;
    if (!(c->dir = rf_malloc(dl))) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    snprintf(c->dir, dl, "%s/%s", act->checkpoint_dir, name);
    if ((rc = make_dir(c->dir))) return rc;
    if (strcmp(line, want) && (rc = rf__write_file_atomic(rec, want, strlen(want)))) return rc;
    for (int id = 0; id < n; id++) {
        char p[4200];
        file_of(c, id, -1, p, sizeof p);
        done[id] = c->can[id] && access(p, F_OK) == 0;
    }
    note_used(rec);
    note_used(c->dir);
    return RF_OK;
}

int rf__ckpt_begin(MPI_Comm comm, const rf_action *act, const rf_plan *plan, const rf_stages *st, rf_shuffle_out *xos, bool *pending,
                   bool *skip, int n_ids, rf_ckpt *c, rf_error *err)
{
    int rank = 0, nranks = 1, rc = RF_OK, lrc = RF_OK;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &nranks);
    memset(c, 0, sizeof *c);
    job_seq++;
    rf__stop_wind_down(false);   /* SIGUSR1 stops at once unless this job can be checkpointed */
    uint64_t ih = 0;
    if (!act->checkpoint_dir || !*act->checkpoint_dir || !inputs_of(plan, &ih)) return RF_OK;   /* the same on every rank */
    int n = st->n;
    c->n = n;
    c->can = rf_calloc((size_t)n + 1, sizeof *c->can);
    c->done = rf_calloc((size_t)n + 1, sizeof *c->done);
    uint8_t *flag = rf_calloc((size_t)n + 1, 1);
    bool *run = rf_calloc((size_t)n_ids, sizeof *run), *need = rf_calloc((size_t)n_ids, sizeof *need), *dn = rf_calloc((size_t)n_ids, sizeof *dn);
    int *ok = rf_calloc((size_t)n + 1, sizeof *ok);
    if (!c->can || !c->done || !flag || !run || !need || !dn || !ok) lrc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int i = 0; !lrc && i < n; i++) {
        const rf_plan *x = st->s[i].exchange;
        c->can[st->s[i].id] = x && x->mode != RF_X_BROADCAST && st->s[i].id < n;
    }
    if (rank == 0 && !lrc) lrc = look(act, plan, c, nranks, flag, n);
    if ((rc = rf__agree(comm, lrc, err))) goto done;
    uint64_t key[2] = { c->key[0], c->key[1] };
    RF_MPI(MPI_Bcast(key, 2, MPI_UINT64_T, 0, comm));
    RF_MPI(MPI_Bcast(flag, n, MPI_UINT8_T, 0, comm));
    c->key[0] = key[0];
    c->key[1] = key[1];
    if (rank != 0) {
        char name[80];
        hex_key(c->key, nranks, name, sizeof name);
        size_t dl = strlen(act->checkpoint_dir) + strlen(name) + 2;
        if (!(c->dir = rf_malloc(dl))) lrc = rf__err_set(RF_ERR_NOMEM, "out of memory");
        else snprintf(c->dir, dl, "%s/%s", act->checkpoint_dir, name);
    }
    if ((rc = rf__agree(comm, lrc, err))) goto done;
    c->on = true;
    rf__stop_wind_down(true);
    for (int id = 0; id < n; id++) dn[id] = flag[id];
    /* read back what the stages that run need; a stage whose files fail the check runs again */
    int64_t bytes = 0;
    for (;;) {
        plan_runs(st, dn, run, need, n_ids);
        bool any = false;
        for (int id = 0; id < n; id++) {
            ok[id] = 1;
            if (!(dn[id] && need[id] && !pending[id])) continue;
            any = true;
            if (read_part(c, id, rank, nranks, &xos[id])) {
                ok[id] = 0;
                rf__err_clear();
            } else pending[id] = true;
        }
        if (!any) break;
        RF_MPI(MPI_Allreduce(MPI_IN_PLACE, ok, n, MPI_INT, MPI_MIN, comm));
        for (int id = 0; id < n; id++) {
            if (!(dn[id] && need[id])) continue;
            if (!ok[id]) {
                if (rank == 0) fprintf(stderr, "riffle: checkpoint: stage %d's files in %s fail their check on a rank; the stage runs again\n", id + 1, c->dir);
                dn[id] = false;
                if (pending[id]) { rf__shuffle_out_fini(&xos[id]); pending[id] = false; }
            }
        }
    }
    for (int id = 0; id < n; id++) {
        c->done[id] = dn[id];
        for (int d = 0; pending[id] && d < (xos[id].broadcast ? 1 : nranks); d++) bytes += xos[id].dest[d].len;
    }
    int64_t all = 0;
    RF_MPI(MPI_Reduce(&bytes, &all, 1, MPI_INT64_T, MPI_SUM, 0, comm));
    int nrun = 0;
    for (int pos = 0; pos < st->n; pos++) {
        skip[st->s[pos].id] = !run[st->s[pos].id];
        nrun += run[st->s[pos].id];
    }
    if (rank == 0 && nrun < st->n) {
        char list[512] = "";
        for (int id = 0, k = 0; id < n && k < (int)sizeof list - 16; id++)
            if (pending[id]) k += snprintf(list + k, sizeof list - (size_t)k, "%s%d", *list ? ", " : "", id + 1);
        fprintf(stderr, "riffle: checkpoint: job %d: resuming from %s: stage(s) %s read back (%.1f MB); %d of %d stage(s) to run\n", job_seq,
                c->dir, *list ? list : "none", (double)all / 1e6, nrun, st->n);
        rf__evlog_resumed(act->job_id, c->dir, pending, n, all, st->n - nrun);
    }
done:
    rf_free(flag);
    rf_free(run);
    rf_free(need);
    rf_free(dn);
    rf_free(ok);
    if (rc) rf__ckpt_fini(c);
    return rc;
}

int rf__ckpt_stage(MPI_Comm comm, rf_ckpt *c, const rf_action *act, const rf_stage *s, rf_shuffle_out *xo)
{
    int rank = 0, nranks = 1, rc = RF_OK;
    if (!c->on || s->id >= c->n || !c->can[s->id] || c->done[s->id]) return RF_OK;   /* the same on every rank */
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &nranks);
    double t0 = rf_now();
    int mine = write_part(c, s->id, rank, xo), first = 0;
    char msg[sizeof rf__err_slot()->msg];
    snprintf(msg, sizeof msg, "%s", mine ? rf__err_slot()->msg : "");
    if (mine) rf__err_clear();
    int64_t b = 0, tb = 0;
    for (int d = 0; d < (xo->broadcast ? 1 : xo->nranks); d++) b += xo->dest[d].len;
    /* the vote: the lowest rank whose part is not written, or nranks when every part is */
    int me = mine ? rank : nranks;
    RF_MPI(MPI_Allreduce(&me, &first, 1, MPI_INT, MPI_MIN, comm));
    RF_MPI(MPI_Reduce(&b, &tb, 1, MPI_INT64_T, MPI_SUM, 0, comm));
    if (first < nranks) {   /* the job goes on without this checkpoint; rank 0 says why, once */
        if (first != 0 && rank == first) RF_MPI(MPI_Send(msg, (int)sizeof msg, MPI_CHAR, 0, 80, comm));
        if (first != 0 && rank == 0) RF_MPI(MPI_Recv(msg, (int)sizeof msg, MPI_CHAR, first, 80, comm, MPI_STATUS_IGNORE));
        if (rank == 0) fprintf(stderr, "riffle: warning: rank %d: %s; stage %d is not checkpointed\n", first, msg, s->id);
        return RF_OK;
    }
    c->done[s->id] = true;
    if (rank == 0) {
        char p[4200];
        file_of(c, s->id, -1, p, sizeof p);
        if (rf__write_file_atomic(p, "done\n", 5)) {   /* the stage is then simply not in the checkpoint */
            fprintf(stderr, "riffle: warning: checkpoint: %s\n", rf__err_slot()->msg);
            rf__err_clear();
        }
        if (act->progress)
            fprintf(stderr, "riffle: checkpoint: stage %d saved (%.1f MB in %.2f s)\n", s->id + 1, (double)tb / 1e6, rf_now() - t0);
    }
done:
    return rc;
}

void rf__ckpt_fini(rf_ckpt *c)
{
    RF_FREE(c->dir);
    RF_FREE(c->can);
    RF_FREE(c->done);
    c->on = false;
}

/* Removes the job-*.key records in dir's parent that name dir (earlier attempts' records). */
static void forget_records(const char *dir)
{
    char parent[4096], p[4200], line[256], want[256];
    snprintf(parent, sizeof parent, "%s", dir);
    char *slash = strrchr(parent, '/');
    if (!slash) return;
    *slash = '\0';
    snprintf(want, sizeof want, "%s\n", slash + 1);
    DIR *d = opendir(parent);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (strncmp(e->d_name, "job-", 4) || l < 8 || strcmp(e->d_name + l - 4, ".key")) continue;
        snprintf(p, sizeof p, "%s/%s", parent, e->d_name);
        FILE *f = fopen(p, "r");
        bool match = f && fgets(line, sizeof line, f) && !strcmp(line, want);
        if (f) fclose(f);
        if (match) unlink(p);
    }
    if (d) closedir(d);
}

void rf__ckpt_session_end(bool ok)
{
    for (int i = 0; i < n_used; i++) {
        struct stat sb;
        if (ok && !stat(used[i], &sb)) {
            if (S_ISDIR(sb.st_mode)) { if (rf__rmtree(used[i])) rf__err_clear(); forget_records(used[i]); }
            else unlink(used[i]);
        }
        rf_free(used[i]);
    }
    RF_FREE(used);
    n_used = 0;
    job_seq = 0;
}
