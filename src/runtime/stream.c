/*
 * stream.c — Structured Streaming over a landing directory: micro-batches with an offset log, a
 * commit log and an exactly-once file sink (docs/ARCHITECTURE.md, "Streaming"). Rank 0 only: every
 * batch is an ordinary job of all ranks.
 *
 * A streaming DataFrame is a logical plan with a scan whose source carries stream_dir (and the
 * options and limits of the stream). A batch copies the plan and gives that scan a source over the
 * batch's files, then writes the result; a batch action on the streaming plan itself is an error
 * (rf__plan_has_stream, driver.c).
 *
 * A query with an aggregation keeps its state between batches (stream_state.c); its output mode
 * says what each batch writes. The checkpoint directory holds, as Spark's:
 *   metadata      "riffle-stream 1" and the sink's path
 *   offsets/N     written (atomically) before batch N runs: its files, one "size mtime_ns path" line
 *                 each, and "watermark W" (µs) when the query has one
 *   commits/N     written after batch N's output is committed in the sink ("maxEventTime T")
 *   state/N       the aggregation's state after batch N (stream_state.c)
 * In append mode the sink directory holds the batches' part files, named part-<batch>-<task>.csv, and
 *   _riffle_sink/N       the names batch N publishes, written before any of them appears
 *   _riffle_staging/N/   where the batch's job writes (an ordinary atomic overwrite)
 * A batch's files are renamed into the sink only after its _riffle_sink record exists, so every
 * visible part file belongs to a batch the sink committed; a restart finishes the renames of such a
 * batch and replays a batch that has an offset log but no sink record, with the same files and the
 * same batch id (its names are the same: nothing is written twice). In update and complete mode
 * each batch's job replaces the sink directory (the ordinary atomic overwrite) and a replay writes
 * the same content again. Nothing depends on the rank count.
 */
#include <dirent.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "runtime/stream_int.h"
#include "io/files.h"
#include "io/format.h"
#include "riffle/stream.h"
#include "io/output.h"

/* ---------------------------------------------------------------- the query */

/* Whether the query keeps state judged by a watermark. */
static bool watermarked(const rf_stream *q) { return q->st.agg && q->st.ev_key >= 0 && q->st.mode != RF_OUT_COMPLETE; }

static void sfiles_fini(sfiles *v)
{
    for (int64_t i = 0; i < v->n; i++) rf_free(v->f[i].path);
    RF_FREE(v->f);
    RF_FREE(v->slot);
    v->n = v->cap = v->nslots = 0;
}

/* The index of path in v (indexed), or -1. */
static int64_t sfiles_find(const sfiles *v, const char *path)
{
    if (!v->nslots) return -1;
    for (uint64_t i = rf_hash_bytes(path, strlen(path), 0) & (uint64_t)(v->nslots - 1);; i = (i + 1) & (uint64_t)(v->nslots - 1)) {
        int64_t k = v->slot[i];
        if (k < 0 || !strcmp(v->f[k].path, path)) return k;
    }
}

static int sfiles_add(sfiles *v, const char *path, int64_t size, int64_t mtime, bool indexed)
{
    int rc = rf__grow((void **)&v->f, &v->cap, v->n + 1, sizeof *v->f);
    if (rc) return rc;
    if (!(v->f[v->n].path = rf_strdup(path))) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    v->f[v->n].size = size;
    v->f[v->n++].mtime = mtime;
    if (!indexed) return RF_OK;
    if (2 * v->n > v->nslots) {   /* at most half full: rebuilt twice the size */
        int64_t ns = v->nslots ? 2 * v->nslots : 1024, *sl = rf_malloc((size_t)ns * sizeof *sl);
        if (!sl) return rf__err_set(RF_ERR_NOMEM, "out of memory");
        rf_free(v->slot);
        v->slot = sl;
        v->nslots = ns;
        for (int64_t i = 0; i < ns; i++) sl[i] = -1;
        for (int64_t k = 0; k < v->n; k++) {
            uint64_t i = rf_hash_bytes(v->f[k].path, strlen(v->f[k].path), 0) & (uint64_t)(ns - 1);
            while (sl[i] >= 0) i = (i + 1) & (uint64_t)(ns - 1);
            sl[i] = k;
        }
        return RF_OK;
    }
    uint64_t i = rf_hash_bytes(path, strlen(path), 0) & (uint64_t)(v->nslots - 1);
    while (v->slot[i] >= 0) i = (i + 1) & (uint64_t)(v->nslots - 1);
    v->slot[i] = v->n - 1;
    return RF_OK;
}

static int fail(rf_stream *q, int rc)
{
    if (rc && !q->err) {
        q->err = rc;
        snprintf(q->msg, sizeof q->msg, "%.1000s", rf__err_slot()->msg[0] ? rf__err_slot()->msg : "error");
    }
    return rc;
}

static int64_t mtime_ns(const struct stat *st) { return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec; }

/* Seconds of an interval such as "10 seconds", "500ms", "2 minutes", "1.5 s"; < 0 when it is not one. */
static double parse_interval(const char *v)
{
    char *e = NULL;
    double x = strtod(v, &e);
    if (e == v || x < 0) return -1;
    while (*e == ' ') e++;
    if (!*e || !strcasecmp(e, "s") || !strncasecmp(e, "sec", 3)) return x;
    if (!strcasecmp(e, "ms") || !strncasecmp(e, "milli", 5)) return x / 1000;
    if (!strcasecmp(e, "m") || !strncasecmp(e, "min", 3)) return x * 60;
    if (!strcasecmp(e, "h") || !strncasecmp(e, "hour", 4)) return x * 3600;
    return -1;
}

/* Batch ids present in dir (files named by a number), the largest in *last (-1: none). */
static int last_id(const char *dir, int64_t *last)
{
    *last = -1;
    DIR *d = opendir(dir);
    if (!d) return errno == ENOENT ? RF_OK : rf__err_set(RF_ERR_IO, "%s: cannot open: %s", dir, strerror(errno));
    for (struct dirent *e; (e = readdir(d));) {
        char *end = NULL;
        long long v = strtoll(e->d_name, &end, 10);
        if (e->d_name[0] >= '0' && e->d_name[0] <= '9' && !*end && v > *last) *last = v;
    }
    closedir(d);
    return RF_OK;
}

int rf__stream_read_text(const char *path, rf_buf *b)
{
    FILE *f = fopen(path, "r");
    if (!f) return rf__err_set(RF_ERR_IO, "%s: cannot read: %s", path, strerror(errno));
    char chunk[8192];
    size_t n;
    int rc = RF_OK;
    b->len = 0;
    while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0) rc = rf_buf_put(b, chunk, n);
    if (!rc && ferror(f)) rc = rf__err_set(RF_ERR_IO, "%s: read failed", path);
    fclose(f);
    if (!rc) rc = rf_buf_put_u8(b, 0);
    if (!rc) b->len--;
    return rc;
}

/* The files offsets/N names ("v1" then "size mtime path" lines), added to *v; *wm: its
 * "watermark W" line's (RF_NO_WM: none). */
static int read_offsets(rf_stream *q, int64_t id, sfiles *v, int64_t *wm)
{
    if (wm) *wm = RF_NO_WM;
    char path[4400];
    rf_buf b = { 0 };
    snprintf(path, sizeof path, "%s/offsets/%lld", q->ckpt, (long long)id);
    int rc = rf__stream_read_text(path, &b);
    char *save = NULL, *line = rc ? NULL : strtok_r((char *)b.data, "\n", &save);
    if (!rc && (!line || strcmp(line, "v1"))) rc = rf__err_set(RF_ERR_INVALID, "%s: not a riffle offset log (a damaged checkpoint?)", path);
    while (!rc && (line = strtok_r(NULL, "\n", &save))) {
        long long size, mt;
        int used = 0;
        if (!strncmp(line, "watermark ", 10)) { if (wm) *wm = strtoll(line + 10, NULL, 10); continue; }
        long long rs, re, rb;
        if (!strncmp(line, "rate ", 5)) {   /* a rate source's batch: values [rs, re), first start rb */
            if (sscanf(line + 5, "%lld %lld %lld", &rs, &re, &rb) != 3 || rs < 0 || re < rs) rc = rf__err_set(RF_ERR_INVALID, "%s: a damaged line '%.200s'", path, line);
            else { q->rate_s = rs; q->rate_e = re; q->rate_base = rb; }
            continue;
        }
        if (sscanf(line, "%lld %lld %n", &size, &mt, &used) != 2 || !line[used])
            rc = rf__err_set(RF_ERR_INVALID, "%s: a damaged line '%.200s'", path, line);
        else rc = sfiles_add(v, line + used, size, mt, v == &q->seen);
    }
    rf_buf_fini(&b);
    return rc;
}

int rf__stream_write_log(const rf_stream *q, const char *kind, int64_t id, const rf_buf *body)
{
    char dir[4300], path[4400];
    snprintf(dir, sizeof dir, "%s/%s", q->ckpt, kind);
    snprintf(path, sizeof path, "%s/%lld", dir, (long long)id);
    int rc = rf__mkdirs(dir);
    return rc ? rc : rf__write_file_atomic(path, body->data ? body->data : (const uint8_t *)"", body->len);
}

static int cmp_arrival(const void *a, const void *b)
{
    const sfile *x = a, *y = b;
    if (x->mtime != y->mtime) return x->mtime < y->mtime ? -1 : 1;
    return strcmp(x->path, y->path);
}

/* The landing directory's files not read yet, in arrival order, into *fresh; a file read before
 * that is gone or changed is an error naming it. */
static int list_new(rf_stream *q, sfiles *fresh, bool indexed)
{
    const char *dir = q->leaf->src->stream_dir;
    DIR *d = opendir(dir);
    if (!d) return rf__err_set(RF_ERR_IO, "%s: cannot open the landing directory: %s", dir, strerror(errno));
    int rc = RF_OK;
    int64_t present = 0;
    for (struct dirent *e; !rc && (e = readdir(d));) {
        if (e->d_name[0] == '.' || e->d_name[0] == '_') continue;   /* not there yet (renamed in when whole) */
        if (!rf__format_ops(q->leaf->src->format)->member(e->d_name)) continue;   /* an hdf5 stream reads *.h5 */
        char path[4400];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
        if (strchr(path, '\n')) { rc = rf__err_set(RF_ERR_INVALID, "%s: a file name with a line break cannot be logged", path); break; }
        int64_t k = sfiles_find(&q->seen, path);
        if (k >= 0) {
            present++;
            if (q->seen.f[k].size != (int64_t)st.st_size || q->seen.f[k].mtime != mtime_ns(&st))
                rc = rf__err_set(RF_ERR_INVALID, "%s: changed after a batch read it (size %lld, was %lld): landing files must not change",
                                 path, (long long)st.st_size, (long long)q->seen.f[k].size);
            continue;
        }
        rc = sfiles_add(fresh, path, (int64_t)st.st_size, mtime_ns(&st), indexed);
    }
    closedir(d);
    if (!rc && present < q->seen.n)   /* a file read before is gone */
        for (int64_t i = 0; i < q->seen.n; i++) {
            struct stat st;
            if (stat(q->seen.f[i].path, &st) != 0) { rc = rf__err_set(RF_ERR_INVALID, "%s: removed after a batch read it: landing files must stay", q->seen.f[i].path); break; }
        }
    if (!rc && fresh->n > 1 && !indexed) qsort(fresh->f, (size_t)fresh->n, sizeof *fresh->f, cmp_arrival);   /* (an indexed set is only looked up) */
    return rc;
}

/* Batch id's files still as the offset log says, or an error naming the one that is not. */
static int check_files(const sfiles *v)
{
    for (int64_t i = 0; i < v->n; i++) {
        struct stat st;
        if (stat(v->f[i].path, &st) != 0) return rf__err_set(RF_ERR_INVALID, "%s: removed after a batch read it: landing files must stay", v->f[i].path);
        if ((int64_t)st.st_size != v->f[i].size || mtime_ns(&st) != v->f[i].mtime)
            return rf__err_set(RF_ERR_INVALID, "%s: changed after a batch read it: landing files must not change", v->f[i].path);
    }
    return RF_OK;
}

/* ---------------------------------------------------------------- the sink */
static void sink_paths(const rf_stream *q, int64_t id, char *rec, char *stage, size_t cap)
{
    snprintf(rec, cap, "%s/_riffle_sink/%lld", q->out, (long long)id);
    snprintf(stage, cap, "%s/_riffle_staging/%lld", q->out, (long long)id);
}

static int cmp_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Writes batch id's sink record: the final names of the part files its job left in the staging
 * directory (part-<task>....csv -> part-<batch>-<task>....csv). */
static int sink_record(const rf_stream *q, int64_t id)
{
    char rec[4400], stage[4400], dir[4400];
    sink_paths(q, id, rec, stage, sizeof rec);
    DIR *d = opendir(stage);
    if (!d) return rf__err_set(RF_ERR_IO, "%s: cannot open: %s", stage, strerror(errno));
    char **names = NULL;
    int64_t n = 0, cap = 0;
    int rc = RF_OK;
    for (struct dirent *e; !rc && (e = readdir(d));)
        if (!strncmp(e->d_name, "part-", 5) && !(rc = rf__grow((void **)&names, &cap, n + 1, sizeof *names)))
            if (!(names[n++] = rf_strdup(e->d_name))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    closedir(d);
    if (n > 1) qsort(names, (size_t)n, sizeof *names, cmp_name);
    rf_buf b = { 0 };
    if (!rc) rc = rf_buf_printf(&b, "v1\n");
    for (int64_t i = 0; i < n && !rc; i++) rc = rf_buf_printf(&b, "%s part-%08lld-%s\n", names[i], (long long)id, names[i] + 5);
    snprintf(dir, sizeof dir, "%s/_riffle_sink", q->out);
    if (!rc) rc = rf__mkdirs(dir);
    if (!rc) rc = rf__write_file_atomic(rec, b.data, b.len);
    rf_buf_fini(&b);
    for (int64_t i = 0; i < n; i++) rf_free(names[i]);
    rf_free(names);
    return rc;
}

/* Moves batch id's part files into the sink as its record names them (a file already moved by an
 * earlier attempt stays), then removes the staging directory. */
static int sink_publish(const rf_stream *q, int64_t id)
{
    char rec[4400], stage[4400];
    rf_buf b = { 0 };
    sink_paths(q, id, rec, stage, sizeof rec);
    int rc = rf__stream_read_text(rec, &b);
    char *save = NULL, *line = rc ? NULL : strtok_r((char *)b.data, "\n", &save);
    if (!rc && (!line || strcmp(line, "v1"))) rc = rf__err_set(RF_ERR_INVALID, "%s: not a riffle sink record", rec);
    while (!rc && (line = strtok_r(NULL, "\n", &save))) {
        char *sp = strchr(line, ' '), from[4600], to[4600];
        if (!sp) { rc = rf__err_set(RF_ERR_INVALID, "%s: a damaged line", rec); break; }
        *sp = '\0';
        snprintf(from, sizeof from, "%s/%s", stage, line);
        snprintf(to, sizeof to, "%s/%s", q->out, sp + 1);
        struct stat st;
        if (rename(from, to) != 0 && !(errno == ENOENT && stat(to, &st) == 0))
            rc = rf__err_set(RF_ERR_IO, "rename %s -> %s: %s", from, to, strerror(errno));
    }
    rf_buf_fini(&b);
    int dfd = rc ? -1 : open(q->out, O_RDONLY | O_CLOEXEC);
    if (dfd >= 0) { if (fsync(dfd) != 0) rc = rf__err_set(RF_ERR_IO, "%s: fsync failed: %s", q->out, strerror(errno)); close(dfd); }
    if (!rc) rc = rf__rmtree(stage);
    return rc;
}

/* Adds r's rows to the end of m's (the same columns). */
static int append_rows(rf_result *m, const rf_result *r)
{
    int rc = m->batch->ncols == r->batch->ncols ? RF_OK : rf__err_set(RF_ERR_INTERNAL, "memory sink: a batch with other columns");
    for (int c = 0; c < m->batch->ncols && !rc; c++)
        for (int64_t i = 0; i < r->batch->nrows && !rc; i++) rc = rf_column_append_from(m->batch->cols[c], r->batch->cols[c], i);
    if (!rc) m->batch->nrows += r->batch->nrows;
    return rc;
}

/* ---------------------------------------------------------------- a batch */
/* Writes plan's rows to the sink as batch id's output: append adds the batch's files (staged,
 * recorded, renamed in); update and complete replace the directory's content in one exchange. */
static int sink_write(rf_stream *q, int64_t id, const rf_plan *plan, int64_t *rows_in, bool staged_only)
{
    if (q->sink != SINK_DIR) {   /* the batch's rows as a DataFrame: shown, or handed to the callback */
        rf_df *df = rf__df_make(q->s, rf__plan_retain((rf_plan *)plan), RF_OK);
        int rc = df ? RF_OK : rf__err_set(RF_ERR_NOMEM, "out of memory");
        if (!rc && q->sink == SINK_MEMORY) {   /* complete: this batch's rows; else added to the earlier ones */
            rf_result *r = NULL;
            rc = rf_df_collect(df, &r);
            if (!rc && q->mem && q->st.mode != RF_OUT_COMPLETE) rc = append_rows(q->mem, r);
            else if (!rc) { rf_result_destroy(&q->mem); q->mem = r; r = NULL; }
            rf_result_destroy(&r);
        } else if (!rc && q->sink == SINK_CONSOLE) {
            printf("-------------------------------------------\nBatch: %lld\n-------------------------------------------\n", (long long)id);
            rc = rf_df_show(df, 20, stdout);
            fflush(stdout);
        } else if (!rc) {
            rf__err_clear();
            memset(&q->s->err, 0, sizeof q->s->err);   /* what the callback's actions leave is theirs */
            rc = q->fn(df, id, q->fn_ctx);
            if (rc) rc = rf__err_set(RF_ERR_INVALID, "foreachBatch: the callback failed on batch %lld (%d)%s%.600s", (long long)id, rc,
                                     rf_session_error(q->s) && *rf_session_error(q->s) ? ": " : "", rf_session_error(q->s) ? rf_session_error(q->s) : "");
        }
        if (rows_in) *rows_in = -1;   /* not known: the rows went through the user's jobs */
        rf_df_release(&df);
        return rc;
    }
    char rec[4400], stage[4400], parent[4400];
    bool replace = q->st.agg && !q->st.dedup && q->st.mode != RF_OUT_APPEND;   /* dropDuplicates' rows are new rows: added */
    sink_paths(q, id, rec, stage, sizeof rec);
    snprintf(parent, sizeof parent, "%s/_riffle_staging", q->out);
    rf_action act;
    rf__write_action(q->s, q->h5 ? RF_ACT_WRITE_HDF5 : RF_ACT_WRITE_CSV, &act);
    act.out.header = q->header;
    act.out.delim = q->delim;
    act.out.write_mode = 1;
    int rc = replace ? RF_OK : rf__mkdirs(parent);
    if (!rc && !(act.out.path = rf_strdup(replace ? q->out : stage))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    if (!rc) rc = rf__driver_run(q->s, plan, &act, NULL);
    if (!rc && rows_in) *rows_in = act.rows_in;
    rf__action_fini(&act);
    if (!rc && !replace && !staged_only) rc = sink_record(q, id);
    if (!rc && !replace && !staged_only) rc = sink_publish(q, id);
    return rc;
}

/* Runs batch id over files v (none: a batch without data, to close groups the watermark passed):
 * a stateless query's one job writes the sink; a stateful one's first updates the state, then
 * writes what the output mode emits. *max_event: the batch's largest event time (RF_NO_WM: none);
 * *rows: its input rows, *state_rows: the groups in the state after it (-1: stateless). */
static int run_batch(rf_stream *q, int64_t id, const sfiles *v, int64_t w_late, int64_t w_evict, int64_t *max_event, int64_t *rows, int64_t *state_rows)
{
    const rf_source *ls = q->leaf->src;
    rf_plan *plan = NULL, *leaf = NULL, *outp = NULL;
    rf_source *src = NULL;
    const char **paths = rf_calloc((size_t)v->n + 1, sizeof *paths);
    int rc = paths ? RF_OK : rf__err_set(RF_ERR_NOMEM, "out of memory");
    *max_event = RF_NO_WM;
    *rows = 0;
    *state_rows = -1;
    for (int64_t i = 0; paths && i < v->n; i++) paths[i] = v->f[i].path;
    if (!rc && v->n > 0) {
        rc = rf__source_build((int)v->n, paths, ls->format, ls->stream_opts, 0, &src);
        bool same = !rc && src->file_schema->n == ls->file_schema->n;
        for (int c = 0; same && c < ls->file_schema->n; c++) same = src->file_schema->f[c].type == ls->file_schema->f[c].type;
        if (!rc && !same)
            rc = rf__err_set(RF_ERR_INVALID, "%s: its columns are not the stream's (%d columns; the stream's first file has %d, or other types)",
                             paths[0], src->file_schema->n, ls->file_schema->n);
        if (!rc) src->stream_batch = true;   /* its scans count the batch's rows */
        if (!rc) rc = rf__plan_copy(q->plan, &plan);
        if (!rc && rf__stream_leaves(plan, &leaf, 1) != 1) rc = rf__err_set(RF_ERR_INTERNAL, "the streaming scan is gone");
        if (!rc) {
            rf__source_destroy(&leaf->src);
            leaf->src = src;
            src = NULL;
        }
    }
    if (!rc && rf__is_socket(ls) && q->n_lines > 0) {   /* the batch's lines, as rows */
        rc = rf__plan_copy(q->plan, &plan);
        if (!rc && rf__stream_leaves(plan, &leaf, 1) != 1) rc = rf__err_set(RF_ERR_INTERNAL, "the streaming scan is gone");
        if (!rc) rc = rf__socket_rows(q, leaf);
    }
    if (!rc && ls->stream_rate && q->rate_e > q->rate_s) {   /* the values of this batch, as rows */
        rc = rf__plan_copy(q->plan, &plan);
        if (!rc && rf__stream_leaves(plan, &leaf, 1) != 1) rc = rf__err_set(RF_ERR_INTERNAL, "the streaming scan is gone");
        if (!rc) rc = rf__rate_rows(q, leaf);
        if (!rc) *rows = q->rate_e - q->rate_s;
    }
    if (!rc && !q->st.agg) rc = plan ? sink_write(q, id, plan, ls->stream_rate || rf__is_socket(ls) ? NULL : rows, false) : RF_OK;
    else if (!rc && q->st.dedup) {   /* the new rows staged, the keys kept, then the rows published */
        bool dir = q->sink == SINK_DIR;
        if (plan) rc = rf__sstate_dedup_output(q->s, &q->st, q->plan, plan, q->ckpt, id, w_late, &outp);
        if (!rc && plan && !dir) rc = sink_write(q, id, outp, NULL, false);   /* (a callback or the console: not exactly-once) */
        if (!rc && plan && dir) rc = sink_write(q, id, outp, NULL, true);
        int64_t n0;
        if (!rc) rc = rf__sstate_update(q->s, &q->st, q->plan, plan, q->ckpt, id, w_late, w_late, max_event, &n0, state_rows);
        if (!rc) *rows = n0;
        if (!rc && dir && plan) rc = sink_record(q, id);
        if (!rc && dir && plan) rc = sink_publish(q, id);
    } else if (!rc) {
        rc = rf__sstate_update(q->s, &q->st, q->plan, plan, q->ckpt, id, w_late, w_late, max_event, rows, state_rows);
        bool emits = plan || q->st.mode != RF_OUT_UPDATE;   /* a batch without data updates no group */
        if (!rc && emits) rc = rf__sstate_output(q->s, &q->st, q->plan, q->ckpt, id, w_late, w_evict, &outp);
        if (!rc && emits) rc = sink_write(q, id, outp, NULL, false);
    }
    if (!rc && ls->stream_rate) *rows = q->rate_e - q->rate_s;   /* (no scan counted them) */
    if (!rc && rf__is_socket(ls)) *rows = q->n_lines;
    rf__source_destroy(&src);
    rf__plan_destroy(&plan);
    rf__plan_destroy(&outp);
    rf_free(paths);
    return rc;
}

/* The commit log entry of batch id (its largest event time, for the watermark), then the
 * watermark moved on: Spark's max(W, max event time - delay). */
static int commit_batch(rf_stream *q, int64_t id, int64_t w_evict, int64_t max_event)
{
    rf_buf b = { 0 };
    int rc = rf_buf_printf(&b, "v1\n");
    if (!rc && max_event != RF_NO_WM) rc = rf_buf_printf(&b, "maxEventTime %lld\n", (long long)max_event);
    if (!rc) rc = rf__stream_write_log(q, "commits", id, &b);
    rf_buf_fini(&b);
    if (rc) return rc;
    if (q->st.agg) rf__sstate_prune(q->ckpt, id);
    if (!watermarked(q)) return RF_OK;
    q->wm_last = w_evict;
    if (max_event != RF_NO_WM && max_event - q->st.wm->wm_delay > q->wm) q->wm = max_event - q->st.wm->wm_delay;
    q->nodata = q->wm > w_evict;
    return RF_OK;
}

/* commits/id's maxEventTime (RF_NO_WM: none). */
static int64_t read_max_event(const rf_stream *q, int64_t id)
{
    char path[4400];
    rf_buf b = { 0 };
    int64_t v = RF_NO_WM;
    snprintf(path, sizeof path, "%s/commits/%lld", q->ckpt, (long long)id);
    if (rf__stream_read_text(path, &b) == RF_OK) {
        const char *m = strstr((const char *)b.data, "\nmaxEventTime ");
        if (m) v = strtoll(m + 14, NULL, 10);
    }
    rf_buf_fini(&b);
    return v;
}

/* The batch that the offset log names but the commit log does not (after a crash or a stop): its
 * sink record means only the renames and the commit are left, else it runs again as it was (the
 * same files, the same watermarks). Then the watermark as the last committed batch left it. */
static int recover(rf_stream *q)
{
    char dir[4300], rec[4400], stage[4400];
    int64_t off = -1, com = -1, w_off = RF_NO_WM, w_prev = RF_NO_WM;
    snprintf(dir, sizeof dir, "%s/offsets", q->ckpt);
    int rc = last_id(dir, &off);
    snprintf(dir, sizeof dir, "%s/commits", q->ckpt);
    if (!rc) rc = last_id(dir, &com);
    for (int64_t i = 0; !rc && i <= off; i++) {
        char p[4400];
        struct stat st;
        snprintf(p, sizeof p, "%s/offsets/%lld", q->ckpt, (long long)i);
        w_prev = w_off;
        if (stat(p, &st) == 0) rc = read_offsets(q, i, &q->seen, &w_off);
    }
    if (rc) return rc;
    q->next = off + 1;
    q->rate_next = q->rate_e;   /* a rate source goes on after the last batch's values */
    if (watermarked(q) && off >= 0) {   /* the watermark as batch off left it (recomputed below if it was not committed) */
        if (w_off == RF_NO_WM) return rf__err_set(RF_ERR_INVALID, "%s: the checkpoint has no watermark (written by a query without one?): use a new checkpointLocation", q->ckpt);
        q->wm = q->wm_last = w_off;
    }
    if (off > com) {
        if (off != com + 1) return rf__err_set(RF_ERR_INVALID, "%s: offsets up to batch %lld but commits only to %lld: a damaged checkpoint", q->ckpt, (long long)off, (long long)com);
        if (q->sink == SINK_DIR) sink_paths(q, off, rec, stage, sizeof rec);
        struct stat st;
        double t0 = rf_now();
        int64_t mx = RF_NO_WM, w_late = w_prev != RF_NO_WM ? w_prev : w_off;
        if (q->sink == SINK_DIR && stat(rec, &st) == 0) {
            rc = sink_publish(q, off);
            if (!rc && watermarked(q)) mx = rf__sstate_max_event(q->ckpt, off);   /* the state job ran and kept it */
        } else {
            sfiles v = { 0 };
            rc = read_offsets(q, off, &v, NULL);
            if (!rc && rf__is_socket(q->leaf->src)) rc = rf__lines_load(q, off);
            if (!rc) rc = check_files(&v);
            if (!rc && q->sink == SINK_DIR) rc = rf__rmtree(stage);
            int64_t rows, srows;
            if (!rc) rc = run_batch(q, off, &v, w_late, w_off, &mx, &rows, &srows);
            sfiles_fini(&v);
        }
        if (!rc) rc = commit_batch(q, off, w_off, mx);
        if (!rc) fprintf(stderr, "riffle: stream batch %lld (recovered after a stop) committed in %.2f s\n", (long long)off, rf_now() - t0);
        return rc;
    }
    if (watermarked(q) && com >= 0) {
        int64_t mx = read_max_event(q, com);
        if (mx != RF_NO_WM && mx - q->st.wm->wm_delay > q->wm) q->wm = mx - q->st.wm->wm_delay;
        q->nodata = q->wm > q->wm_last;
    }
    return rc;
}

/* ---------------------------------------------------------------- the API */
/* The query's options read and its plan checked; nothing on disk is touched. */
static rf_stream *stream_new(rf_df *df, const char *path, const char *options, rf_foreach_batch_fn fn, void *fn_ctx)
{
    rf_stream *q = rf_calloc(1, sizeof *q);
    if (!q) return NULL;
    q->header = true;
    q->delim = ',';
    int rc = !df ? rf__err_set(RF_ERR_NOMEM, "out of memory") : df->err ? rf__err_set(df->err, "%s", df->msg) : RF_OK;
    if (!rc) q->s = df->s;
    char *copy = rc ? NULL : rf_strdup(options ? options : ""), *save = NULL;
    rf_outmode mode = RF_OUT_APPEND;
    for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t && !rc; t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ') t++;
        char *eq = strchr(t, '=');
        const char *v = eq ? eq + 1 : "";
        if (eq) *eq = '\0';
        if (!strcasecmp(t, "checkpointLocation")) { rf_free(q->ckpt); q->ckpt = rf_strdup(v); }
        else if (!strcasecmp(t, "format")) {
            if (!strcasecmp(v, "hdf5")) q->h5 = true;
            else if (!strcasecmp(v, "console")) q->sink = SINK_CONSOLE;
            else if (!strcasecmp(v, "memory")) q->sink = SINK_MEMORY;
            else if (strcasecmp(v, "csv")) rc = rf__err_set(RF_ERR_INVALID, "stream sink format '%s' is not csv, hdf5, console or memory", v);
        }
        else if (!strcasecmp(t, "outputMode")) {
            if (!strcasecmp(v, "complete")) mode = RF_OUT_COMPLETE;
            else if (!strcasecmp(v, "update")) mode = RF_OUT_UPDATE;
            else if (!strcasecmp(v, "append")) mode = RF_OUT_APPEND;
            else rc = rf__err_set(RF_ERR_INVALID, "outputMode '%s' is not append, update or complete", v);
        } else if (!strcasecmp(t, "trigger")) {
            if (!strcasecmp(v, "default") || !*v) q->trig = TRIG_DEFAULT;
            else if (!strcasecmp(v, "once")) q->trig = TRIG_ONCE;
            else if (!strcasecmp(v, "availableNow")) q->trig = TRIG_AVAILABLE_NOW;
            else if ((q->interval = parse_interval(v)) >= 0) q->trig = TRIG_INTERVAL;
            else rc = rf__err_set(RF_ERR_INVALID, "trigger '%s' is not default, once, availableNow or an interval such as '10 seconds'", v);
        } else if (!strcasecmp(t, "header")) {
            if (strcasecmp(v, "true") && strcasecmp(v, "false")) rc = rf__err_set(RF_ERR_INVALID, "stream option header: '%s' is not true or false", v);
            q->header = !strcasecmp(v, "true");
        } else if (!strcasecmp(t, "delimiter") || !strcasecmp(t, "sep")) q->delim = !strcmp(v, "\\t") ? '\t' : v[0] ? v[0] : ',';
        else rc = rf__err_set(RF_ERR_INVALID, "unknown stream sink option '%s'", t);
    }
    rf_free(copy);
    if (!rc && (!q->ckpt || !*q->ckpt)) rc = rf__err_set(RF_ERR_INVALID, "a streaming query needs checkpointLocation=DIR (where its offset and commit logs live)");
    if (!rc && fn) { q->sink = SINK_FOREACH; q->fn = fn; q->fn_ctx = fn_ctx; }
    if (!rc && q->sink == SINK_DIR && (!path || !*path)) rc = rf__err_set(RF_ERR_INVALID, "no output path given");
    if (!rc && q->sink == SINK_DIR && !(q->out = rf_strdup(path))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    if (!rc) rc = rf__plan_copy(df->plan, &q->plan);
    rf_plan *leaves[2] = { NULL, NULL };
    int nl = rc ? 0 : rf__stream_leaves(q->plan, leaves, 2);
    if (!rc && nl == 0) rc = rf__err_set(RF_ERR_ANALYSIS, "rf_df_write_stream: the DataFrame reads no stream (use rf_df_write_csv)");
    if (!rc && nl > 1) rc = rf__err_set(RF_ERR_ANALYSIS, "a query over two streams is not supported yet");
    if (!rc) { q->leaf = leaves[0]; rc = rf__sstate_plan(q->plan, mode, &q->st); }
    q->wm = q->wm_last = watermarked(q) ? 0 : RF_NO_WM;   /* Spark's first watermark: the epoch */
    q->rate_base = -1;
    q->sock = -1;
    fail(q, rc);
    return q;
}

int rf__stream_check(rf_df *df, const char *path, const char *options)
{
    rf_stream *q = stream_new(df, path, options, NULL, NULL);
    int rc = !q ? rf__err_set(RF_ERR_NOMEM, "out of memory") : q->err ? rf__err_set(q->err, "%s", q->msg) : RF_OK;
    rf_stream_close(&q);
    return rc;
}

/* Makes the checkpoint (or checks that it belongs to this sink) and finishes a stopped batch. */
static rf_stream *start(rf_stream *q)
{
    if (!q || q->err) return q;
    int rc = RF_OK;
    /* the checkpoint: made, or checked to belong to this sink */
    char meta[4400];
    rf_buf b = { 0 }, want = { 0 };
    if (!rc) rc = rf__mkdirs(q->ckpt);
    if (!rc && q->out) rc = rf__mkdirs(q->out);
    if (!rc) rc = rf__abs_path(&q->ckpt);
    if (!rc && q->out) rc = rf__abs_path(&q->out);
    if (!rc) {
        snprintf(meta, sizeof meta, "%s/metadata", q->ckpt);
        rc = rf_buf_printf(&want, "riffle-stream 1\nsink %s\n", q->out ? q->out : q->sink == SINK_CONSOLE ? "console" : q->sink == SINK_MEMORY ? "memory" : "foreachBatch");
    }
    struct stat st;
    if (!rc && stat(meta, &st) == 0) {
        rc = rf__stream_read_text(meta, &b);
        if (!rc && (b.len != want.len || memcmp(b.data, want.data, want.len)))
            rc = rf__err_set(RF_ERR_INVALID, "%s: the checkpoint belongs to another query or sink (%.200s)", q->ckpt, (const char *)b.data);
    } else if (!rc) rc = rf__write_file_atomic(meta, want.data, want.len);
    rf_buf_fini(&b);
    rf_buf_fini(&want);
    if (!rc) rc = recover(q);
    if (!rc && rf__is_socket(q->leaf->src)) { rf__lines_free(q); rc = rf__sock_connect(q); }
    if (!rc && q->leaf->src->stream_rate && q->rate_base < 0) {   /* a rate source's time 0: its first start, kept */
        char path[4400];
        snprintf(path, sizeof path, "%s/rate-start", q->ckpt);
        rf_buf t = { 0 };
        if (rf__stream_read_text(path, &t) == RF_OK) q->rate_base = strtoll((const char *)t.data, NULL, 10);
        else {
            rf__err_clear();
            struct timespec w;
            clock_gettime(CLOCK_REALTIME, &w);
            q->rate_base = (int64_t)w.tv_sec * 1000000 + w.tv_nsec / 1000;
            rc = rf_buf_printf(&t, "%lld\n", (long long)q->rate_base);
            if (!rc) rc = rf__write_file_atomic(path, t.data, t.len);
        }
        rf_buf_fini(&t);
    }
    fail(q, rc);
    return q;
}

rf_stream *rf_df_write_stream(rf_df *df, const char *path, const char *options) { return start(stream_new(df, path, options, NULL, NULL)); }

rf_stream *rf_df_write_stream_foreach(rf_df *df, rf_foreach_batch_fn fn, void *ctx, const char *options)
{
    if (!fn) {
        rf_stream *q = stream_new(df, NULL, "", NULL, NULL);
        if (q && !q->err) fail(q, rf__err_set(RF_ERR_INVALID, "rf_df_write_stream_foreach: no callback"));
        return q;
    }
    return start(stream_new(df, NULL, options, fn, ctx));
}

static void sleep_s(double s)
{
    if (s <= 0) return;
    struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !rf__stop_requested()) { }
}

int rf_stream_await(rf_stream *q)
{
    if (!q) return RF_ERR_NOMEM;
    if (q->err) return q->err;
    sfiles now = { 0 };   /* availableNow: the files there at the start */
    int rc = RF_OK;
    bool rate = q->leaf->src->stream_rate > 0;
    if (q->trig == TRIG_AVAILABLE_NOW && !rate && !rf__is_socket(q->leaf->src)) rc = list_new(q, &now, true);
    while (!rc && !q->stop && !rf__stop_requested()) {
        double t0 = rf_now();
        struct timespec wall;   /* the batch's start, for the progress record */
        clock_gettime(CLOCK_REALTIME, &wall);
        sfiles fresh = { 0 }, batch = { 0 };
        int64_t bytes = 0;
        bool data = false;
        if (rf__is_socket(q->leaf->src)) {   /* the lines received by now */
            rc = rf__sock_take(q);
            data = q->n_lines > 0;
        } else if (rate) {   /* the values due by now */
            int64_t now_us = (int64_t)wall.tv_sec * 1000000 + wall.tv_nsec / 1000;
            if (q->rate_base < 0) q->rate_base = now_us;
            q->rate_s = q->rate_next;
            q->rate_e = (int64_t)((__int128)(now_us - q->rate_base) * q->leaf->src->stream_rate / 1000000);
            data = q->rate_e > q->rate_s;
        } else rc = list_new(q, &fresh, false);
        for (int64_t i = 0; !rc && i < fresh.n; i++) {
            const sfile *f = &fresh.f[i];
            if (q->trig == TRIG_AVAILABLE_NOW && sfiles_find(&now, f->path) < 0) continue;   /* came after the start */
            if (q->trig != TRIG_ONCE && batch.n > 0 &&
                ((q->leaf->src->stream_max_files && batch.n >= q->leaf->src->stream_max_files) ||
                 (q->leaf->src->stream_max_bytes && bytes + f->size > q->leaf->src->stream_max_bytes))) break;
            rc = sfiles_add(&batch, f->path, f->size, f->mtime, false);
            bytes += f->size;
        }
        sfiles_fini(&fresh);
        data |= batch.n > 0;
        bool nodata = !rc && !data && q->nodata && q->trig != TRIG_ONCE;   /* Spark's no-data batch: groups the watermark closed */
        if (!rc && !data && !nodata) {
            sfiles_fini(&batch);
            if (q->trig == TRIG_ONCE || q->trig == TRIG_AVAILABLE_NOW) break;
            sleep_s(q->trig == TRIG_INTERVAL && q->interval > 0.1 ? q->interval : 0.1);   /* polls for files */
            continue;
        }
        rf_buf log = { 0 };
        int64_t id = q->next, w_evict = q->wm, w_late = q->wm_last, mx = RF_NO_WM, rows = 0, srows = -1;
        if (!rc) rc = rf_buf_printf(&log, "v1\n");
        if (!rc && watermarked(q)) rc = rf_buf_printf(&log, "watermark %lld\n", (long long)w_evict);
        if (!rc && rate && !nodata) rc = rf_buf_printf(&log, "rate %lld %lld %lld\n", (long long)q->rate_s, (long long)q->rate_e, (long long)q->rate_base);
        if (rate && nodata) q->rate_e = q->rate_s;
        if (rf__is_socket(q->leaf->src) && nodata) rf__lines_free(q);
        if (rf__is_socket(q->leaf->src) && !rc && !nodata) rc = rf_buf_printf(&log, "socket %lld\n", (long long)q->n_lines);
        if (rf__is_socket(q->leaf->src) && !rc && !nodata) rc = rf__lines_save(q, q->next);   /* before the offsets: a replay has them */
        for (int64_t i = 0; i < batch.n && !rc; i++) rc = rf_buf_printf(&log, "%lld %lld %s\n", (long long)batch.f[i].size, (long long)batch.f[i].mtime, batch.f[i].path);
        if (!rc) rc = rf__stream_write_log(q, "offsets", id, &log);   /* before the batch runs: a restart replays it */
        rf_buf_fini(&log);
        for (int64_t i = 0; i < batch.n && !rc; i++) rc = sfiles_add(&q->seen, batch.f[i].path, batch.f[i].size, batch.f[i].mtime, true);
        if (!rc) rc = run_batch(q, id, &batch, w_late, w_evict, &mx, &rows, &srows);
        if (!rc) rc = commit_batch(q, id, w_evict, mx);
        if (!rc) {
            q->next = id + 1;
            if (rate) q->rate_next = q->rate_e;
            double dt = rf_now() - t0;
            char extra[160] = "", ts[40] = "", state[48] = "";
            if (watermarked(q)) rf_format_timestamp(w_evict, ts, sizeof ts);
            if (srows >= 0) snprintf(state, sizeof state, ", %lld state rows written", (long long)srows);
            snprintf(extra, sizeof extra, "%s%s%s", *ts ? ",\"watermark\":\"" : "", ts, *ts ? "\"" : "");
            if (srows >= 0) snprintf(extra + strlen(extra), sizeof extra - strlen(extra), ",\"numRowsUpdated\":%lld", (long long)srows);
            char rin[96] = "", rtxt[64] = "";
            if (rows >= 0) {
                snprintf(rin, sizeof rin, "\"numInputRows\":%lld,\"processedRowsPerSecond\":%.1f,", (long long)rows, dt > 0 ? (double)rows / dt : 0.0);
                snprintf(rtxt, sizeof rtxt, ", %lld rows", (long long)rows);
            }
            snprintf(q->progress, sizeof q->progress, "{\"batchId\":%lld,\"timestamp\":%.3f,\"numInputFiles\":%lld,\"inputBytes\":%lld,%s\"durationMs\":%lld%s}",
                     (long long)id, (double)wall.tv_sec + wall.tv_nsec * 1e-9, (long long)batch.n, (long long)bytes, rin, (long long)(dt * 1000), extra);
            rf__evlog_stream_progress(q->progress);
            fprintf(stderr, "riffle: stream batch %lld: %lld file(s)%s, %.2f s", (long long)id, (long long)batch.n, rtxt, dt);
            if (rows >= 0) fprintf(stderr, " (%.0f rows/s)", dt > 0 ? (double)rows / dt : 0.0);
            fprintf(stderr, "%s%s%s%s\n", state, *ts ? ", watermark " : "", ts, nodata ? " (no data: closing the groups the watermark passed)" : "");
        }
        sfiles_fini(&batch);
        if (!rc && q->trig == TRIG_ONCE) break;
        if (!rc && q->trig == TRIG_INTERVAL) sleep_s(t0 + q->interval - rf_now());
    }
    sfiles_fini(&now);
    if (rc == RF_ERR_STOPPED) rc = RF_OK;   /* stopped by a signal: the batch is abandoned whole, replayed on restart */
    return fail(q, rc);
}

void rf_stream_stop(rf_stream *q) { if (q) q->stop = 1; }
const char *rf_stream_last_progress(const rf_stream *q) { return q ? q->progress : ""; }
const char *rf_stream_error(const rf_stream *q) { return !q ? "out of memory" : q->err ? q->msg : NULL; }
const rf_result *rf_stream_memory(const rf_stream *q) { return q ? q->mem : NULL; }

void rf_stream_close(rf_stream **pq)
{
    rf_stream *q = *pq;
    *pq = NULL;
    if (!q) return;
    rf__plan_destroy(&q->plan);
    rf_result_destroy(&q->mem);
    if (q->sock >= 0) close(q->sock);
    rf__lines_free(q);
    rf_buf_fini(&q->sockbuf);
    sfiles_fini(&q->seen);
    rf_free(q->out);
    rf_free(q->ckpt);
    rf_free(q);
}
