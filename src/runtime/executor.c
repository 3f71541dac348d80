/*
 * executor.c — runs a staged physical plan on this rank (every rank runs this for every job).
 *
 * For each stage, in order:
 *   1. pre-pass (collective) for CSV scans: per split, quote parity and line number at its start;
 *   2. local phase: the rank's tasks (task t runs on rank t mod nranks) run in an OpenMP loop, each
 *      with its own operator tree and its own output buffers (no locks in the hot path);
 *   3. agreement: an Allreduce of the status, so a failure anywhere stops every rank together;
 *   4. exchange (collective), or for the result stage: gather to rank 0 / write part files.
 * Exchanged data of a stage is freed once the stage reading it has run.
 */
#include <errno.h>
#include <limits.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <unistd.h>
#include "runtime/runtime.h"
#include "shuffle/shuffle.h"
#include "io/h5.h"
#include "io/partition.h"

/* ---------------------------------------------------------------- CSV pre-pass */
static int find_scans(const rf_plan *p, const rf_plan ***v, int64_t *n, int64_t *cap)
{
    if (p->kind == RF_P_EXCHANGE) return RF_OK;
    if (p->kind == RF_P_SCAN && p->src->format == RF_FMT_CSV && p->src->quote) {
        int rc = rf__grow((void **)v, cap, *n + 1, sizeof **v);
        if (rc) return rc;
        (*v)[(*n)++] = p;
    }
    for (int i = 0; i < p->n_child; i++) {
        int rc = find_scans(p->child[i], v, n, cap);
        if (rc) return rc;
    }
    return RF_OK;
}

/* The split's transfer function: for each state the split could start in (RF_CSV_*), the state it
 * ends in. Reads the byte before the split too (a quote opens a field only after a delimiter or a
 * line end). Stops early once the three starting states have met. */
static int split_transfer(const rf_source *s, int64_t t, uint8_t out[3])
{
    const char *fname = s->files[s->split_file[t]];
    int fd = open(fname, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return rf__err_set(RF_ERR_IO, "%s: cannot open: %s", fname, strerror(errno));
    char *buf = rf_malloc(1 << 20);
    int rc = RF_OK, st[3] = { RF_CSV_OUT, RF_CSV_QUOTED, RF_CSV_QUOTE_SEEN }, prev = -1;
    if (!buf) { close(fd); return rf__err_set(RF_ERR_NOMEM, "out of memory"); }
    int64_t off = s->split_off[t], left = s->split_len[t];
    if (off > 0) {
        char c;
        ssize_t r = pread(fd, &c, 1, off - 1);
        if (r != 1) rc = rf__err_set(RF_ERR_IO, "%s: read failed: %s", fname, r < 0 ? strerror(errno) : "the file shrank");
        prev = (unsigned char)c;
    }
    while (!rc && left > 0 && !(st[0] == st[1] && st[1] == st[2])) {
        ssize_t r = pread(fd, buf, (size_t)(left < (1 << 20) ? left : (1 << 20)), off);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) { rc = rf__err_set(RF_ERR_IO, "%s: read failed: %s", fname, r < 0 ? strerror(errno) : "the file shrank while it was read"); break; }
        for (int k = 0; k < 3; k++) st[k] = rf__csv_advance(st[k], buf, (size_t)r, prev, s->quote, s->delim);
        prev = (unsigned char)buf[r - 1];
        off += r;
        left -= r;
    }
    rf_free(buf);
    close(fd);
    for (int k = 0; k < 3; k++) out[k] = (uint8_t)st[k];
    return rc;
}

/* Two CSV scans split the same bytes the same way (the same files, splits, quote and delimiter):
 * their split starts are the same, computed once (a view read many times, a self-join). */
static bool same_layout(const rf_source *a, const rf_source *b)
{
    if (a->n_splits != b->n_splits || a->quote != b->quote || a->delim != b->delim) return false;
    for (int64_t t = 0; t < a->n_splits; t++)
        if (a->split_off[t] != b->split_off[t] || a->split_len[t] != b->split_len[t]
            || strcmp(a->files[a->split_file[t]], b->files[b->split_file[t]]) != 0) return false;
    return true;
}

/* Collective. The CSV parser's state at every split start of the stage's CSV scans: each rank
 * computes the transfer functions of its share of all the splits, the ranks combine them (one
 * Allreduce), and every rank composes them in file order, so each split knows whether it starts
 * inside a quoted field, and quoted fields may hold line ends (RFC 4180) even across a split
 * boundary. Line numbers are counted only when an error needs one (op_scan.c). `rc` is the local
 * status so far: the ranks agree on it first. A failure or a stop cancels the rest (rf_cancel). */
static int prepass(MPI_Comm comm, const rf_stage *st, int rc, rf_scanprep **out, int *n_out, rf_error *err)
{
    const rf_plan **scans = NULL;
    int64_t ns = 0, cap = 0, total = 0;
    int rank = 0, nranks = 1;
    uint8_t *tr = NULL;
    int64_t *base = NULL, *same = NULL, *item_scan = NULL;
    rf_scanprep *prep = NULL;
    *out = NULL;
    *n_out = 0;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &nranks);
    if (!rc) rc = find_scans(st->root, &scans, &ns, &cap);
    if (!rc && ns && !(prep = rf_calloc((size_t)ns, sizeof *prep))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    if (prep) { *out = prep; *n_out = (int)ns; }
    if (!rc && ns) {
        base = rf_calloc((size_t)ns, sizeof *base);
        same = rf_calloc((size_t)ns, sizeof *same);
        if (!base || !same) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    }
    for (int64_t k = 0; k < ns && !rc; k++) {   /* numbers the splits of the distinct layouts */
        const rf_source *s = scans[k]->src;
        prep[k].node_id = scans[k]->id;
        prep[k].n = s->n_splits;
        if (!(prep[k].start = rf_calloc((size_t)s->n_splits + 1, 1))) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); break; }
        same[k] = k;
        for (int64_t j = 0; j < k; j++) if (same[j] == j && same_layout(scans[j]->src, s)) { same[k] = j; break; }
        if (same[k] != k) continue;
        base[k] = total;
        total += s->n_splits;
    }
    if (!rc && total && (!(tr = rf_calloc((size_t)total * 3, 1)) || !(item_scan = rf_calloc((size_t)total, sizeof *item_scan))))
        rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int64_t k = 0; k < ns && !rc; k++)
        if (same[k] == k) for (int64_t t = 0; t < scans[k]->src->n_splits; t++) item_scan[base[k] + t] = k;
    if ((rc = rf__agree(comm, rc, err))) goto done;   /* every rank sees the same scans (the plan is the same) */
    if (total > 0) {   /* the same on every rank */
        rf_cancel cancel;
        int64_t mine = 0, bad = INT64_MAX;
        int lrc = rf__cancel_begin(&cancel, comm);
        rf_error first = { 0 };
        for (int64_t i = rank; i < total; i += nranks) mine++;
        if (!lrc) {
            #pragma omp parallel for schedule(dynamic, 1)
            for (int64_t m = 0; m < mine; m++) {
                int64_t i = rank + m * nranks, k = item_scan[i];
                int r2;
                rf__err_clear();
                if (rf__stop_requested()) r2 = rf__stop_error();
                else if (rf__cancelled(&cancel, i)) continue;
                else r2 = split_transfer(scans[k]->src, i - base[k], &tr[i * 3]);
                if (r2) {
                    rf__cancel_raise(&cancel, r2 == RF_ERR_STOPPED ? -1 : i);
                    #pragma omp critical(rf_prepass_err)
                    if (i < bad) { lrc = r2; bad = i; first = *rf__err_slot(); }
                }
            }
        }
        if (lrc && bad != INT64_MAX) *rf__err_slot() = first;
        int erc = rf__cancel_end(&cancel);
        if (!lrc) lrc = erc;
        /* the first bad split in plan and file order speaks, at any rank count */
        if ((rc = rf__agree_key(comm, lrc, bad == INT64_MAX ? 0 : bad, err))) goto done;
    }
    for (int64_t at = 0; at < total; at += 1 << 30) {   /* each entry set by one rank, 0 elsewhere */
        int64_t n = total - at < (1 << 30) ? total - at : (1 << 30);
        RF_MPI(MPI_Allreduce(MPI_IN_PLACE, tr + at * 3, (int)(n * 3), MPI_UINT8_T, MPI_MAX, comm));
    }
    for (int64_t k = 0; k < ns; k++) {
        const rf_source *s = scans[k]->src;
        if (same[k] != k) { memcpy(prep[k].start, prep[same[k]].start, (size_t)s->n_splits); continue; }
        int state = RF_CSV_OUT;
        for (int64_t t = 0; t < s->n_splits; t++) {
            if (t == 0 || s->split_file[t] != s->split_file[t - 1] || s->split_off[t] == 0) state = RF_CSV_OUT;
            prep[k].start[t] = (uint8_t)state;
            state = tr[(base[k] + t) * 3 + state];
        }
    }
done:
    rf_free(tr);
    rf_free(base);
    rf_free(same);
    rf_free(item_scan);
    rf_free(scans);
    return rf__agree(comm, rc, err);
}

static void prep_free(rf_scanprep *p, int n)
{
    for (int i = 0; i < n; i++) rf_free(p[i].start);
    rf_free(p);
}

/* ---------------------------------------------------------------- map side */
static uint64_t part_hash(uint64_t h) { return rf_hash_u64(h ^ 0x2545f4914f6cdd1dULL); }

/* Partition ids of b's rows for exchange x (HASH / SINGLE / ROUNDROBIN / COALESCE / BROADCAST). */
static int partition_ids(const rf_plan *x, int64_t task, int64_t ntasks, const rf_batch *b, int64_t *seen, int64_t **pid)
{
    int64_t n = b->nrows, P = x->n;
    int rc = RF_OK;
    *pid = rf_malloc((size_t)(n ? n : 1) * sizeof **pid);
    if (!*pid) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    switch (x->mode) {
    case RF_X_HASH: {
        int nk = x->n_exprs;
        rf_column **k = rf_calloc((size_t)nk + 1, sizeof *k);
        uint64_t *h = NULL;
        if (!k) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
        for (int i = 0; i < nk && !rc; i++) rc = rf__expr_eval(x->exprs[i], b, &k[i]);
        if (!rc) rc = rf__hash_rows(k, nk, n, &h);
        for (int64_t i = 0; !rc && i < n; i++) (*pid)[i] = (int64_t)(part_hash(h[i]) % (uint64_t)P);
        rf_free(h);
        for (int i = 0; k && i < nk; i++) rf_column_release(&k[i]);
        rf_free(k);
        break;
    }
    case RF_X_ROUNDROBIN:
        for (int64_t i = 0; i < n; i++) (*pid)[i] = (int64_t)(((uint64_t)task * 2654435761u + (uint64_t)(*seen + i)) % (uint64_t)P);
        break;
    case RF_X_COALESCE:
        for (int64_t i = 0; i < n; i++) (*pid)[i] = ntasks > 0 ? task * P / ntasks : 0;
        break;
    default:
        memset(*pid, 0, (size_t)n * sizeof **pid);
        break;
    }
    *seen += n;
    if (rc) RF_FREE(*pid);
    return rc;
}

typedef struct {
    rf_spool   ranged;    /* range exchange: the task's rows, framed packed batches, until the bounds are known;
                           * HDF5 write: the task's rows until the collective phase */
    int64_t   *sbytes;    /* HDF5 write: bytes of each string column */
    uint8_t   *anynull;   /* HDF5 write: the column has a NULL */
    int64_t    off;       /* HDF5 write: read position in ranged */
    rf_batch  *cur;       /* HDF5 write: the batch being read, and the next row in it */
    int64_t    cur_pos;
    struct pkey *pk;      /* partitioned HDF5 write: the task's partition keys in sorted order, with their rows */
    int64_t    n_pk, cap_pk, pk_at;
    rf_buf     result;    /* collect: packed batches */
    int64_t    nrows;
    rf_error   err;
    int        rc;
} task_out;

/* What a running task may hold of its map output before moving it into the rank's spools: a share
 * of the execution pool, within [1 MB, 32 MB]. */
static int64_t map_flush_bytes(void)
{
    int64_t b = rf__mem_pool() / (4 * (int64_t)omp_get_max_threads());
    return b < (1 << 20) ? 1 << 20 : b > (32 << 20) ? 32 << 20 : b;
}

/* What one pipeline breaker of a task (aggregation, join build, sort, window) may hold before it
 * spills: half the execution pool over the threads, at least 256 KB. */
static int64_t op_mem_bytes(void)
{
    int64_t b = rf__mem_pool() / (2 * (int64_t)omp_get_max_threads());
    return b < (256 << 10) ? 256 << 10 : b;
}

/* HDF5 write: what the writer must know before it reads the rows back. */
static int h5_note(task_out *o, const rf_batch *b, int nc)
{
    if (!o->sbytes && !(o->sbytes = rf_calloc((size_t)nc + 1, sizeof *o->sbytes))) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    if (!o->anynull && !(o->anynull = rf_calloc((size_t)nc + 1, 1))) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int c = 0; c < nc && c < b->ncols; c++) {
        const rf_column *col = b->cols[c];
        for (int64_t i = 0; i < b->nrows && !o->anynull[c]; i++) o->anynull[c] = !rf_column_valid(col, i);
        if (col->type != RF_TYPE_STRING) continue;
        int64_t len;
        for (int64_t i = 0; i < b->nrows; i++) { rf_col_str(col, i, &len); o->sbytes[c] += len; }
    }
    return RF_OK;
}

/* Partitioned HDF5 write: a task's rows go through an rf_sorter by their partition key ("c=v/..."),
 * then into the task's spool without the partition columns, key after key; each key keeps its rows,
 * string bytes and NULLs for the writer. */
typedef struct pkey { char *key; int64_t rows; int64_t *sbytes; uint8_t *anynull; } pkey;
typedef struct {
    int       *pcols, np, nc, *dcols, nd;
    rf_schema *ks;        /* the row schema plus the key column */
    rf_expr   *order;
    rf_sorter *sorter;
    rf_buf     key, tmp;
} pw_state;

static void pw_fini(pw_state *w)
{
    rf__sorter_free(&w->sorter);
    rf_expr_destroy(&w->order);
    rf_schema_destroy(&w->ks);
    rf_free(w->pcols); rf_free(w->dcols);
    rf_buf_fini(&w->key); rf_buf_fini(&w->tmp);
    memset(w, 0, sizeof *w);
}

static int pw_init(pw_state *w, const rf_schema *s, const char *spec, const rf_task_ctx *ctx)
{
    int rc = rf__part_columns(s, spec, &w->pcols, &w->np);
    if (rc || !w->np) return rc;
    w->nc = s->n;
    if (!(w->dcols = rf_calloc((size_t)s->n + 1, sizeof *w->dcols))) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int c = 0; c < s->n; c++) {
        bool p = false;
        for (int k = 0; k < w->np; k++) p |= w->pcols[k] == c;
        if (!p) w->dcols[w->nd++] = c;
    }
    RF_TRY(rf_schema_create(s->n + 1, &w->ks));
    for (int c = 0; c < s->n; c++) {
        w->ks->f[c] = (rf_field){ .name = rf_strdup(s->f[c].name), .type = s->f[c].type, .nullable = true };
        if (!w->ks->f[c].name) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    }
    w->ks->f[s->n] = (rf_field){ .name = rf_strdup("__partition_key"), .type = RF_TYPE_STRING, .nullable = false };
    w->order = rf_asc(rf__expr_col_attr(0, "__partition_key", RF_TYPE_STRING, false, s->n));
    if (!w->ks->f[s->n].name || !w->order) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    rc = rf__sorter_new((const rf_expr *const *)&w->order, 1, w->ks, ctx, &w->sorter);
done:
    return rc;
}

/* Adds batch b (consumed) with its key column to the sorter. */
static int pw_add(pw_state *w, const rf_schema *s, rf_batch *b)
{
    rf_batch *kb = NULL;
    rf_column *kc = NULL;
    int rc = rf_batch_create(w->nc + 1, b->nrows, &kb);
    if (!rc) rc = rf_column_create(RF_TYPE_STRING, b->nrows, &kc);
    for (int64_t i = 0; i < b->nrows && !rc; i++) {
        if (!(rc = rf__part_key(b, i, w->pcols, w->np, s, &w->key, &w->tmp))) rc = rf_column_append_str(kc, (const char *)w->key.data, (int64_t)w->key.len);
    }
    if (!rc) {
        for (int c = 0; c < w->nc; c++) kb->cols[c] = rf_column_retain(b->cols[c]);
        kb->cols[w->nc] = kc;
        kc = NULL;
        rc = rf__sorter_add(w->sorter, kb);
        kb = NULL;
    }
    rf_column_release(&kc);
    rf_batch_destroy(&kb);
    rf_batch_destroy(&b);
    return rc;
}

/* Drains the sorter into o's spool (data columns only) and o's key list. */
static int pw_finish(pw_state *w, task_out *o, rf_buf *tmp)
{
    int rc = rf__sorter_finish(w->sorter);
    while (!rc) {
        rf_batch *sb = NULL, *db = NULL;
        if ((rc = rf__sorter_next(w->sorter, 32768, &sb)) || !sb) break;
        const rf_column *kc = sb->cols[w->nc];
        for (int64_t i = 0; i < sb->nrows && !rc; i++) {
            int64_t len;
            const char *k = rf_col_str(kc, i, &len);
            pkey *cur = o->n_pk ? &o->pk[o->n_pk - 1] : NULL;
            if (!cur || strlen(cur->key) != (size_t)len || memcmp(cur->key, k, (size_t)len)) {
                if ((rc = rf__grow((void **)&o->pk, &o->cap_pk, o->n_pk + 1, sizeof *o->pk))) break;
                cur = &o->pk[o->n_pk++];
                *cur = (pkey){ rf_strndup(k, (size_t)len), 0, rf_calloc((size_t)w->nd + 1, sizeof *cur->sbytes), rf_calloc((size_t)w->nd + 1, 1) };
                if (!cur->key || !cur->sbytes || !cur->anynull) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); break; }
            }
            cur->rows++;
            for (int j = 0; j < w->nd; j++) {
                const rf_column *col = sb->cols[w->dcols[j]];
                if (!rf_column_valid(col, i)) cur->anynull[j] = 1;
                if (col->type == RF_TYPE_STRING) { rf_col_str(col, i, &len); cur->sbytes[j] += len; }
            }
        }
        if (!rc) rc = rf_batch_create(w->nd, sb->nrows, &db);
        for (int j = 0; j < w->nd && !rc; j++) db->cols[j] = rf_column_retain(sb->cols[w->dcols[j]]);
        if (!rc) rc = rf__spool_put_batch(&o->ranged, db, NULL, 0, tmp);
        rf_batch_destroy(&db);
        rf_batch_destroy(&sb);
    }
    rf__sorter_free(&w->sorter);
    return rc;
}

static int run_task(const rf_stage *st, int64_t t, rf_task_ctx *ctx, const rf_action *act, rf_shuffle_out *xo, task_out *o)
{
    rf_op *op = NULL;
    rf_batch *b = NULL;
    rf_mapout map = { 0 };
    rf_buf tmp = { 0 };
    int64_t seen = 0, flush_at = map_flush_bytes();
    pw_state pw = { 0 };
    int rc = rf__op_build(st->root, t, ctx, &op);
    if (rc) return rc;
    const rf_plan *x = st->exchange;
    if (x && x->mode != RF_X_RANGE) RF_TRY(rf__mapout_init(&map, t, x->mode == RF_X_BROADCAST || x->mode == RF_X_SINGLE ? 1 : x->n));
    if (!x && act->kind == RF_ACT_WRITE_CSV) {
        rc = rf__csv_write_part(act, t, op, st->root->schema, &o->nrows);
        goto done;
    }
    if (!x && act->kind == RF_ACT_WRITE_HDF5 && act->partition_by && *act->partition_by)
        RF_TRY(pw_init(&pw, st->root->schema, act->partition_by, ctx));
    for (;;) {
        if (rf__stop_requested()) { rc = rf__stop_error(); goto done; }   /* a safe point between batches */
        if (ctx->cancel && rf__cancelled(ctx->cancel, t)) { rc = rf__err_set(RF_ERR_CANCELLED, "cancelled: another task failed first"); goto done; }
        RF_TRY(rf__op_next(op, &b));
        if (!b) break;
        if (b->nrows == 0) { rf_batch_destroy(&b); continue; }
        o->nrows += b->nrows;
        if (!x && act->kind == RF_ACT_COLLECT) {
            RF_TRY(rf__pack_batch(b, NULL, b->nrows, &o->result));
        } else if (x && x->mode == RF_X_RANGE) {   /* kept (or spilled) until the bounds are known */
            RF_TRY(rf__spool_put_batch(&o->ranged, b, NULL, 0, &tmp));
        } else if (!x && pw.np) {   /* partitioned HDF5 write: sorted by partition key */
            rc = pw_add(&pw, st->root->schema, b);
            b = NULL;
            if (rc) goto done;
            continue;
        } else if (!x) {   /* HDF5 write: spooled (or spilled) for the collective phase */
            RF_TRY(h5_note(o, b, st->root->schema->n));
            RF_TRY(rf__spool_put_batch(&o->ranged, b, NULL, 0, &tmp));
        } else if (x->mode == RF_X_BROADCAST || x->mode == RF_X_SINGLE) {
            RF_TRY(rf__mapout_add(&map, b, NULL));
        } else {
            int64_t *pid = NULL;
            RF_TRY(partition_ids(x, t, st->n_tasks, b, &seen, &pid));
            rc = rf__mapout_add(&map, b, pid);
            rf_free(pid);
            if (rc) goto done;
        }
        if (map.bytes > flush_at) RF_TRY(rf__shuffle_out_add(xo, &map));
        rf_batch_destroy(&b);
    }
    if (map.part) rc = rf__shuffle_out_add(xo, &map);
    if (!rc && pw.np) rc = pw_finish(&pw, o, &tmp);
done:
    pw_fini(&pw);
    rf__mapout_fini(&map);
    rf_buf_fini(&tmp);
    rf_batch_destroy(&b);
    rf__op_destroy(&op);
    return rc;
}

/* Whether MPI may be called from any thread, one at a time (HDF5's MPI-IO reads run in tasks). */
static bool mpi_serialized(void)
{
    int level = MPI_THREAD_SINGLE;
    MPI_Query_thread(&level);
    return level >= MPI_THREAD_SERIALIZED;
}

/* ---------------------------------------------------------------- HDF5 output */
typedef struct { task_out *outs; rf_buf tmp; int nc; int64_t nlocal; } h5_reader;

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* rf_h5_psrc.select: each local task's rows of partition key `key` (keys come in sorted order). */
static int h5_select(void *ctx, const char *key, int64_t *rows, int64_t *sbytes, uint8_t *anynull)
{
    h5_reader *h = ctx;
    for (int64_t k = 0; k < h->nlocal; k++) {
        task_out *o = &h->outs[k];
        while (o->pk_at < o->n_pk && strcmp(o->pk[o->pk_at].key, key) < 0) o->pk_at++;
        const pkey *p = o->pk_at < o->n_pk && !strcmp(o->pk[o->pk_at].key, key) ? &o->pk[o->pk_at] : NULL;
        rows[k] = p ? p->rows : 0;
        for (int j = 0; j < h->nc; j++) {
            sbytes[k * h->nc + j] = p ? p->sbytes[j] : 0;
            if (p && p->anynull[j]) anynull[j] = 1;
        }
    }
    return RF_OK;
}

/* rf_h5_src.next over the tasks' spools: the next n rows of local task k. */
static int h5_next(void *ctx, int k, int64_t n, rf_batch **out)
{
    h5_reader *h = ctx;
    task_out *o = &h->outs[k];
    rf_blist l = { 0 };
    int rc = RF_OK;
    *out = NULL;
    while (n > 0 && !rc) {
        if (!o->cur || o->cur_pos == o->cur->nrows) {
            rf_batch_destroy(&o->cur);
            o->cur_pos = 0;
            if ((rc = rf__spool_get_batch(&o->ranged, &o->off, &h->tmp, &o->cur))) break;
            if (!o->cur) { rc = rf__err_set(RF_ERR_INTERNAL, "HDF5 write: a task has fewer rows than counted"); break; }
            continue;
        }
        int64_t m = o->cur->nrows - o->cur_pos < n ? o->cur->nrows - o->cur_pos : n;
        rf_batch *piece = NULL;
        if (!(rc = rf_batch_slice(o->cur, o->cur_pos, m, &piece))) rc = rf_blist_push(&l, piece);
        o->cur_pos += m;
        n -= m;
    }
    if (!rc) rc = l.n == 1 ? (*out = l.b[0], l.n = 0, RF_OK) : rf_batch_concat(l.b, (int)l.n, NULL, out);
    rf_blist_fini(&l);
    return rc;
}

/* Collective: every rank's task rows into one table file in the staging directory (or one per
 * partition value). rc_in: the local status so far (agreed first). Returns an agreed status. */
static int write_hdf5(MPI_Comm comm, int rc_in, const rf_action *act, const rf_stage *st, task_out *outs, const int64_t *tasks,
                      int64_t nlocal, rf_error *err)
{
    int64_t *first = NULL, *rows = NULL, *sbytes = NULL;
    uint8_t *anynull = NULL;
    rf_batch *all = NULL;
    int rc = rc_in, *pcols = NULL, np = 0, collective = act->collective, nc = st->root->schema->n;
    MPI_Comm node = MPI_COMM_NULL;
    h5_reader rd = { outs, { 0 }, 0, 0 };
    for (int64_t k = 0; k < nlocal && !rc; k++) rc = rf__spool_seal(&outs[k].ranged);
    if (!rc) rc = rf__part_columns(st->root->schema, act->partition_by, &pcols, &np);
    if ((rc = rf__agree(comm, rc, err))) goto done;
    if (act->collective == 2) {   /* auto: across nodes always collective; within one node by size (rf__h5_write_file) */
        int nn = 0, size = 0;
        RF_MPI(MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node));
        RF_MPI(MPI_Comm_size(node, &nn));
        RF_MPI(MPI_Comm_size(comm, &size));
        RF_MPI(MPI_Allreduce(MPI_IN_PLACE, &nn, 1, MPI_INT, MPI_MIN, comm));
        collective = nn != size ? 1 : 2;
    }
    if (np) {   /* partitioned: every task's rows sorted by key, streamed key by key */
        char **keys = NULL;
        int64_t nk = 0, capk = 0;
        for (int64_t k = 0; k < nlocal && !rc; k++)
            for (int64_t i = 0; i < outs[k].n_pk && !rc; i++)
                if (!(rc = rf__grow((void **)&keys, &capk, nk + 1, sizeof *keys))) keys[nk++] = outs[k].pk[i].key;
        if (!rc && nk) qsort(keys, (size_t)nk, sizeof *keys, cmp_str);
        int64_t u = 0;
        for (int64_t i = 0; i < nk; i++) if (!u || strcmp(keys[u - 1], keys[i])) keys[u++] = keys[i];
        nk = u;
        for (int64_t k = 0; k < nlocal; k++) outs[k].pk_at = 0;
        rd.nc = nc - np;
        rd.nlocal = nlocal;
        rf_h5_psrc src = { keys, nk, h5_select, h5_next, &rd };
        if ((rc = rf__agree(comm, rc, err)) == RF_OK) {
            int64_t width = 16;
            for (int c = 0; c < nc; c++) width += (int64_t)rf_type_width(st->root->schema->f[c].type) + 2;
            int64_t round_rows = rf__mem_pool() / 4 / width;
            rc = rf__h5_write_partitioned(comm, act->staging, st->root->schema, pcols, np, st->n_tasks, tasks, (int)nlocal, &src,
                                          act->rg_rows, round_rows < 1 ? 1 : round_rows, act->deflate, act->checksum, collective, err);
        }
        rf_free(keys);
    } else {   /* streamed from the spools, a round of row groups at a time */
        rows = rf_calloc((size_t)nlocal + 1, sizeof *rows);
        sbytes = rf_calloc((size_t)nlocal * nc + 1, sizeof *sbytes);
        anynull = rf_calloc((size_t)nc + 1, 1);
        if (!rows || !sbytes || !anynull) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
        for (int64_t k = 0; k < nlocal && !rc; k++) {
            rows[k] = outs[k].nrows;
            for (int c = 0; c < nc; c++) {
                if (outs[k].sbytes) sbytes[k * nc + c] = outs[k].sbytes[c];
                if (outs[k].anynull) anynull[c] |= outs[k].anynull[c];
            }
        }
        if ((rc = rf__agree(comm, rc, err))) goto done;
        /* a round: a share of the execution pool, at least one row group */
        int64_t width = 16;
        for (int c = 0; c < nc; c++) width += (int64_t)rf_type_width(st->root->schema->f[c].type) + 2;
        int64_t round_rows = rf__mem_pool() / 4 / width;
        if (round_rows < 1) round_rows = 1;
        rf_h5_src src = { rows, sbytes, anynull, h5_next, &rd };
        char path[4200];
        snprintf(path, sizeof path, "%s/part-00000.h5", act->staging);
        rc = rf__h5_write_file(comm, path, st->root->schema, st->n_tasks, tasks, (int)nlocal, &src, act->rg_rows, round_rows,
                               act->deflate, act->checksum, collective, err);
    }
done:
    if (node != MPI_COMM_NULL) MPI_Comm_free(&node);
    for (int64_t k = 0; k < nlocal; k++) { rf_batch_destroy(&outs[k].cur); rf__spool_fini(&outs[k].ranged); }
    rf_buf_fini(&rd.tmp);
    rf_free(pcols);
    rf_free(first);
    rf_free(rows); rf_free(sbytes); rf_free(anynull);
    rf_batch_destroy(&all);
    return rf__agree(comm, rc, err);
}

/* ---------------------------------------------------------------- range partitioning */
typedef struct { const rf_expr *const *o; int n; rf_column **c; } bound_ctx;
static int bound_cmp(void *p, int64_t a, int64_t b)
{
    bound_ctx *c = p;
    return rf__sortkey_cmp(c->o, c->n, c->c, a, c->c, b);
}

/* Collective: samples every task's rows, agrees on P-1 bounds, partitions the kept rows. rc_in:
 * the local status so far (agreed first). Returns an agreed status. */
static int range_partition(MPI_Comm comm, const rf_stage *st, task_out *outs, int64_t *tasks, int64_t nlocal, rf_shuffle_out *xo,
                           int rc_in, rf_error *err)
{
    rf_buf tmpb = { 0 };
    const rf_plan *x = st->exchange;
    const rf_expr *const *ord = (const rf_expr *const *)x->exprs;
    int no = x->n_exprs, nranks, rc = rc_in;
    int64_t P = x->n;
    MPI_Comm_size(comm, &nranks);
    rf_buf mine = { 0 };
    uint8_t *all = NULL;
    int *cnts = rf_calloc((size_t)nranks, sizeof *cnts), *displs = rf_calloc((size_t)nranks, sizeof *displs);
    rf_blist samples = { 0 };
    rf_batch *sb = NULL;
    rf_column **bc = NULL;
    int64_t *idx = NULL;
    if (!rc && (!cnts || !displs)) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    if ((rc = rf__agree(comm, rc, err))) goto done;
    int64_t per_task = 4 * P > 64 ? 4 * P : 64;
    /* m evenly spaced rows of each task (rows i * n / m), read back batch by batch from its spool */
    for (int64_t k = 0; k < nlocal && !rc; k++) {
        int64_t n = outs[k].nrows, m = n < per_task ? n : per_task, next = 0, base = 0, off = 0;
        if (!n) continue;
        rf_blist keys = { 0 };
        rf_batch *b = NULL, *cat = NULL;
        rc = rf__spool_seal(&outs[k].ranged);
        while (!rc && next < m) {
            if ((rc = rf__spool_get_batch(&outs[k].ranged, &off, &tmpb, &b)) || !b) break;
            int64_t cnt = 0, *sel = rf_malloc((size_t)(m - next) * sizeof *sel);
            if (!sel) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); rf_batch_destroy(&b); break; }
            while (next < m && next * n / m < base + b->nrows) sel[cnt++] = next++ * n / m - base;
            rf_column **kc = NULL;
            rf_batch keyb = { 0 }, *g = NULL;
            if (cnt) {
                rc = rf__sortkey_eval(ord, no, b, &kc);
                if (!rc) { keyb.nrows = b->nrows; keyb.ncols = no; keyb.cols = kc; rc = rf_batch_gather(&keyb, sel, cnt, &g); }
                if (!rc) { rc = rf_blist_push(&keys, g); g = NULL; }
                rf__cols_release(&kc, no);
            }
            base += b->nrows;
            rf_free(sel);
            rf_batch_destroy(&b);
        }
        if (!rc && keys.n) rc = rf_batch_concat(keys.b, (int)keys.n, NULL, &cat);
        if (!rc && cat) rc = rf_buf_put_i64(&mine, tasks[k]);
        if (!rc && cat) rc = rf__pack_batch(cat, NULL, cat->nrows, &mine);
        rf_batch_destroy(&cat);
        rf_blist_fini(&keys);
    }
    if (!rc && mine.len > INT_MAX / 2) rc = rf__err_set(RF_ERR_LIMIT, "range partitioning: %zu bytes of sort-key samples on one rank", mine.len);
    if ((rc = rf__agree(comm, rc, err))) goto done;
    int len = (int)mine.len, total = 0;
    int64_t total64 = 0;
    RF_MPI(MPI_Allgather(&len, 1, MPI_INT, cnts, 1, MPI_INT, comm));
    for (int r = 0; r < nranks; r++) total64 += cnts[r];
    if (total64 > INT_MAX) rc = rf__err_set(RF_ERR_LIMIT, "range partitioning: %lld bytes of sort-key samples in all", (long long)total64);
    for (int r = 0; r < nranks && !rc; r++) { displs[r] = total; total += cnts[r]; }
    if (!rc && !(all = rf_malloc((size_t)total + 1))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    if ((rc = rf__agree(comm, rc, err))) goto done;
    RF_MPI(MPI_Allgatherv(mine.data, len, MPI_BYTE, all, cnts, displs, MPI_BYTE, comm));
    {
        /* decode samples; order by task so every rank sees the same sample list */
        rf_rd r = { all, all + total };
        int64_t *tk = NULL, ntk = 0, ctk = 0;
        rf_batch **bs = NULL;
        int64_t cbs = 0;
        while (r.p < r.end && !rc) {
            int64_t task;
            rf_batch *b = NULL;
            if ((rc = rf_rd_i64(&r, &task)) || (rc = rf__unpack_batch(&r, &b))) break;
            if ((rc = rf__grow((void **)&tk, &ctk, ntk + 1, sizeof *tk)) || (rc = rf__grow((void **)&bs, &cbs, ntk + 1, sizeof *bs))) { rf_batch_destroy(&b); break; }
            int64_t pos = ntk;
            while (pos > 0 && tk[pos - 1] > task) { tk[pos] = tk[pos - 1]; bs[pos] = bs[pos - 1]; pos--; }
            tk[pos] = task;
            bs[pos] = b;
            ntk++;
        }
        if (!rc) {
            rf_schema *ks = NULL;
            rc = rf_schema_create(no, &ks);
            for (int i = 0; !rc && i < no; i++) { ks->f[i].type = ord[i]->type; ks->f[i].name = rf_strdup("k"); }
            if (!rc) rc = rf_batch_concat(bs, (int)ntk, ks, &sb);
            rf_schema_destroy(&ks);
        }
        for (int64_t i = 0; i < ntk; i++) rf_batch_destroy(&bs[i]);
        rf_free(bs);
        rf_free(tk);
        if (rc) goto done;
    }
    /* sort the samples; bounds at the quantiles */
    int64_t ns = sb->nrows, nb = ns ? (P - 1 < ns ? P - 1 : ns) : 0;
    RF_CHECK((idx = rf_malloc((size_t)(ns ? ns : 1) * sizeof *idx)) != NULL, RF_ERR_NOMEM, "out of memory");
    for (int64_t i = 0; i < ns; i++) idx[i] = i;
    {
        bound_ctx bctx = { ord, no, sb->cols };
        RF_TRY(rf_sort_idx(idx, ns, bound_cmp, &bctx));
    }
    int64_t *bidx = rf_malloc((size_t)(nb ? nb : 1) * sizeof *bidx);
    RF_CHECK(bidx != NULL, RF_ERR_NOMEM, "out of memory");
    for (int64_t i = 0; i < nb; i++) bidx[i] = idx[(i + 1) * ns / (nb + 1)];
    rf_batch *bounds = NULL;
    rc = rf_batch_gather(sb, bidx, nb, &bounds);
    rf_free(bidx);
    if (rc) goto done;
    /* partition each task's rows: partition = number of bounds <= row (upper bound), scaled to P */
    int64_t flush_at = map_flush_bytes();
    for (int64_t k = 0; k < nlocal && !rc; k++) {
        rf_mapout map;
        int64_t off = 0;
        rc = rf__mapout_init(&map, tasks[k], P);
        for (;;) {
            rf_batch *b = NULL;
            if (rc || (rc = rf__spool_get_batch(&outs[k].ranged, &off, &tmpb, &b)) || !b) break;
            rf_column **kc = NULL;
            int64_t *pid = rf_malloc((size_t)(b->nrows ? b->nrows : 1) * sizeof *pid);
            if (!pid) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); rf_batch_destroy(&b); break; }
            rc = rf__sortkey_eval(ord, no, b, &kc);
            for (int64_t i = 0; !rc && i < b->nrows; i++) {
                int64_t lo = 0, hi = nb;
                while (lo < hi) {
                    int64_t mid = (lo + hi) / 2;
                    if (rf__sortkey_cmp(ord, no, bounds->cols, mid, kc, i) <= 0) lo = mid + 1; else hi = mid;
                }
                pid[i] = nb + 1 < P ? lo * P / (nb + 1) : lo;
            }
            if (!rc) rc = rf__mapout_add(&map, b, pid);
            if (!rc && map.bytes > flush_at) rc = rf__shuffle_out_add(xo, &map);
            rf__cols_release(&kc, no);
            rf_free(pid);
            rf_batch_destroy(&b);
        }
        if (!rc) rc = rf__shuffle_out_add(xo, &map);
        rf__mapout_fini(&map);
        rf__spool_fini(&outs[k].ranged);   /* its memory goes back to the pool as the next task is partitioned */
    }
    rf_batch_destroy(&bounds);
done:
    rf_free(idx);
    rf_batch_destroy(&sb);
    rf__cols_release(&bc, 0);
    rf_buf_fini(&mine);
    rf_free(all);
    rf_free(cnts);
    rf_free(displs);
    rf_blist_fini(&samples);
    rf_buf_fini(&tmpb);
    return rf__agree(comm, rc, err);   /* the local partitioning after the last collective may have failed on one rank */
}

/* ---------------------------------------------------------------- result gathering */
/* Collective: concatenates every task's packed result on rank 0, in task order. */
static int gather_result(MPI_Comm comm, int rc_in, const rf_action *act, const rf_schema *schema, task_out *outs, int64_t *tasks,
                         int64_t nlocal, rf_batch **result, rf_error *err)
{
    int rank, nranks, rc = rc_in;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &nranks);
    rf_buf mine = { 0 };
    int64_t *sizes = rf_calloc((size_t)nranks, sizeof *sizes);
    int *cnts = rf_calloc((size_t)nranks, sizeof *cnts), *displs = rf_calloc((size_t)nranks, sizeof *displs);
    uint8_t *all = NULL;
    if (!rc && (!sizes || !cnts || !displs)) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int64_t k = 0; k < nlocal && !rc; k++) {
        if (!outs[k].result.len) continue;
        rc = rf_buf_put_i64(&mine, tasks[k]);
        if (!rc) rc = rf_buf_put_i64(&mine, (int64_t)outs[k].result.len);
        if (!rc) rc = rf_buf_put(&mine, outs[k].result.data, outs[k].result.len);
        rf_buf_fini(&outs[k].result);
    }
    if ((rc = rf__agree(comm, rc, err))) goto done;
    int64_t len = (int64_t)mine.len, total = 0;
    RF_MPI(MPI_Gather(&len, 1, MPI_INT64_T, sizes, 1, MPI_INT64_T, 0, comm));
    int verdict = RF_OK;
    if (rank == 0) {
        for (int r = 0; r < nranks; r++) total += sizes[r];
        if (total > act->max_result)
            verdict = rf__err_set(RF_ERR_LIMIT, "the result is %lld bytes, more than riffle.driver.maxResultSize (%lld): write it to files instead, or raise the limit",
                                  (long long)total, (long long)act->max_result);
        else if (total > INT_MAX)
            verdict = rf__err_set(RF_ERR_LIMIT, "the result is %lld bytes, more than one MPI message can carry (2 GiB)", (long long)total);
        else if (!(all = rf_malloc((size_t)total + 1)))
            verdict = rf__err_set(RF_ERR_NOMEM, "out of memory for a %lld-byte result", (long long)total);
        for (int r = 0, off = 0; r < nranks; r++) { cnts[r] = (int)sizes[r]; displs[r] = off; off += (int)sizes[r]; }
    }
    if ((rc = rf__agree(comm, verdict, err))) goto done;
    if (len > INT_MAX) rc = rf__err_set(RF_ERR_LIMIT, "this rank's part of the result is %lld bytes, more than one MPI message carries", (long long)len);
    if ((rc = rf__agree(comm, rc, err))) goto done;
    RF_MPI(MPI_Gatherv(mine.data, (int)len, MPI_BYTE, all, cnts, displs, MPI_BYTE, 0, comm));
    if (rank == 0) {
        rf_chunk *ch = NULL;
        int64_t nch = 0, cch = 0;
        rf_rd r = { all, all + total };
        while (r.p < r.end && !rc) {
            int64_t task, l;
            if ((rc = rf_rd_i64(&r, &task)) || (rc = rf_rd_i64(&r, &l))) break;
            if ((rc = rf__grow((void **)&ch, &cch, nch + 1, sizeof *ch))) break;
            ch[nch++] = (rf_chunk){ task, l, r.p, 0, 0 };
            r.p += l;
        }
        /* insertion sort by task: few chunks */
        for (int64_t i = 1; i < nch; i++) {
            rf_chunk c = ch[i];
            int64_t j = i;
            while (j > 0 && ch[j - 1].task > c.task) { ch[j] = ch[j - 1]; j--; }
            ch[j] = c;
        }
        rf_blist l = { 0 };
        for (int64_t i = 0; i < nch && !rc; i++) {
            rf_rd cr = { ch[i].data, ch[i].data + ch[i].len };
            while (cr.p < cr.end && !rc) {
                rf_batch *b = NULL;
                rc = rf__unpack_batch(&cr, &b);
                if (!rc) rc = rf_blist_push(&l, b);
            }
        }
        if (!rc) rc = rf_batch_concat(l.b, (int)l.n, schema, result);
        rf_blist_fini(&l);
        rf_free(ch);
    }
done:
    rf_buf_fini(&mine);
    rf_free(sizes);
    rf_free(cnts);
    rf_free(displs);
    rf_free(all);
    rc = rf__agree(comm, rc, err);   /* rank 0's decoding may have failed alone */
    if (rc && result) rf_batch_destroy(result);
    return rc;
}

/* ---------------------------------------------------------------- caches */
static int64_t *cache_ids, *cache_tasks, n_caches, cap_caches;

int rf__cache_list(const int64_t **ids, const int64_t **tasks)
{
    *ids = cache_ids;
    *tasks = cache_tasks;
    return (int)n_caches;
}

static int find_fills(const rf_plan *p, const rf_plan ***v, int64_t *n, int64_t *cap)
{
    if (p->kind == RF_P_CACHE) {
        int rc = rf__grow((void **)v, cap, *n + 1, sizeof **v);
        if (rc) return rc;
        (*v)[(*n)++] = p;
    }
    for (int i = 0; i < p->n_child; i++) {
        int rc = find_fills(p->child[i], v, n, cap);
        if (rc) return rc;
    }
    return RF_OK;
}

/* Collective: keeps the caches this job filled completely on every rank, drops partial ones (and
 * all of them when anything failed: rc is agreed on first). */
static void settle_caches(MPI_Comm comm, const rf_plan *plan, int rc)
{
    const rf_plan **fills = NULL;
    int64_t nf = 0, cap = 0;
    int rank, nranks;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &nranks);
    int lrc = find_fills(plan, &fills, &nf, &cap);
    bool ok_all = rf__agree(comm, rc ? rc : lrc, NULL) == RF_OK;
    for (int64_t i = 0; i < nf; i++) {
        int64_t tasks = rf__plan_tasks(fills[i]);
        if (tasks < 1) tasks = 1;
        int64_t mine = 0;
        for (int64_t t = rank; t < tasks; t += nranks) mine++;
        int ok = ok_all && rf__cache_pending_tasks(fills[i]->n) == mine, all = 0;
        if (ok) {   /* room in the registry first, so that every rank that agrees can register */
            int64_t c1 = cap_caches, c2 = cap_caches;
            ok = !rf__grow((void **)&cache_ids, &c1, n_caches + 1, sizeof *cache_ids) &&
                 !rf__grow((void **)&cache_tasks, &c2, n_caches + 1, sizeof *cache_tasks);
            if (ok) cap_caches = c1 < c2 ? c1 : c2;
        }
        if (MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, comm) != MPI_SUCCESS) all = 0;
        if (all) { cache_ids[n_caches] = fills[i]->n; cache_tasks[n_caches] = tasks; n_caches++; }
        rf__cache_settle(fills[i]->n, all != 0);
    }
    rf_free(fills);
}

/* Local, the same on every rank: forgets the caches unpersisted since (rf_df_unpersist). */
static void forget_caches(const rf_action *act)
{
    for (int64_t u = 0; u < act->n_uncached; u++) {
        int64_t k = 0;
        for (int64_t i = 0; i < n_caches; i++) {
            if (cache_ids[i] == act->uncached[u]) continue;
            cache_ids[k] = cache_ids[i];
            cache_tasks[k++] = cache_tasks[i];
        }
        n_caches = k;
        rf__cache_drop(act->uncached[u]);
    }
}

/* Collective: while this rank's caches hold more than half the execution pool in memory, moves the
 * oldest to disk (MEMORY_AND_DISK) or drops them on every rank (MEMORY_ONLY: the next job that
 * needs one computes it again). */
static void evict_caches(MPI_Comm comm, bool progress)
{
    int rank = 0;
    MPI_Comm_rank(comm, &rank);
    int64_t limit = rf__mem_pool() / 2;
    for (int64_t i = 0; i < n_caches; i++) {
        int64_t id = cache_ids[i];
        int over = rf__cache_mem_bytes() > limit, any = 0;
        if (MPI_Allreduce(&over, &any, 1, MPI_INT, MPI_MAX, comm) != MPI_SUCCESS || !any) return;
        int mem_only = rf__cache_memory_only(id), drop = 0;
        if (MPI_Allreduce(&mem_only, &drop, 1, MPI_INT, MPI_MAX, comm) != MPI_SUCCESS) return;
        if (drop) {   /* the same decision on every rank */
            rf__cache_drop(id);
            for (int64_t k = i; k + 1 < n_caches; k++) { cache_ids[k] = cache_ids[k + 1]; cache_tasks[k] = cache_tasks[k + 1]; }
            n_caches--;
            i--;
            continue;
        }
        int64_t held = rf__cache_mem_bytes();
        if (over && rf__cache_to_disk(id)) {   /* a disk that cannot take it: drop it everywhere instead */
            int bad = 1, all = 0;
            MPI_Allreduce(&bad, &all, 1, MPI_INT, MPI_MAX, comm);
        } else {
            int bad = 0, all = 0;
            if (MPI_Allreduce(&bad, &all, 1, MPI_INT, MPI_MAX, comm) != MPI_SUCCESS) return;
            if (!all) {
                if (over && progress && rank == 0)
                    fprintf(stderr, "riffle: cache #%lld moved to disk on rank 0 (%.1f MB of cached rows held over half of the %.1f MB execution pool)\n",
                            (long long)id, (double)held / 1e6, (double)rf__mem_pool() / 1e6);
                continue;
            }
        }
        rf__err_clear();
        rf__cache_drop(id);
        for (int64_t k = i; k + 1 < n_caches; k++) { cache_ids[k] = cache_ids[k + 1]; cache_tasks[k] = cache_tasks[k + 1]; }
        n_caches--;
        i--;
    }
}

/* ---------------------------------------------------------------- the job */
/* Collective: every rank's stage metrics to rank 0 (progress line, event log). */
static int stage_metrics(MPI_Comm comm, const rf_action *act, const rf_stages *st, int si, int64_t rows, int64_t sent, double t0)
{
    int rank = 0, rc = RF_OK;
    MPI_Comm_rank(comm, &rank);
    rf_spill_stats sp;
    rf__spill_stats(&sp);
    int64_t mine[4 + RF_SPILL_OWNERS] = { rows, sent, sp.bytes, sp.files }, all[4 + RF_SPILL_OWNERS] = { 0 };
    for (int k = 0; k < RF_SPILL_OWNERS; k++) mine[4 + k] = sp.by_owner[k];
    double dt = rf_now() - t0, tmin = 0, tmax = 0, ssecs = 0;
    RF_MPI(MPI_Reduce(mine, all, 4 + RF_SPILL_OWNERS, MPI_INT64_T, MPI_SUM, 0, comm));
    RF_MPI(MPI_Reduce(&sp.secs, &ssecs, 1, MPI_DOUBLE, MPI_SUM, 0, comm));
    RF_MPI(MPI_Reduce(&dt, &tmin, 1, MPI_DOUBLE, MPI_MIN, 0, comm));
    RF_MPI(MPI_Reduce(&dt, &tmax, 1, MPI_DOUBLE, MPI_MAX, 0, comm));
    const rf_stage *s = &st->s[si];
    if (rank == 0 && act->progress) {
        char spill[96] = "";
        if (all[2]) snprintf(spill, sizeof spill, ", %.1f MB spilled", (double)all[2] / 1e6);
        fprintf(stderr, "riffle: stage %d/%d done: %lld task(s), %lld rows out, %.1f MB shuffled%s, %.2f s\n", si + 1, st->n,
                (long long)s->n_tasks, (long long)all[0], (double)all[1] / 1e6, spill, rf_now() - t0);
    }
    if (rank == 0) rf__evlog_stage(act->job_id, si, st->n, s->n_tasks, all[0], all[1], rf_now() - t0, tmin, tmax, all[2], all[3], ssecs, all + 4);
done:
    return rc;
}

int rf__job_run(MPI_Comm comm, const rf_action *act, rf_plan *plan, rf_batch **result, rf_error *err)
{
    int rank, nranks, rc = RF_OK;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &nranks);
    rf_stages st = { 0 };
    rf_xdata *xd = NULL;
    if (result) *result = NULL;
    forget_caches(act);
    rc = rf__stages_split(plan, &st);
    if (!rc && !(xd = rf_calloc((size_t)(st.n ? st.n : 1), sizeof *xd))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    /* the rank's memory budget and spill directory (core/spill.h); the first job also removes what
     * killed ranks left in the local directories */
    {
        static bool first = true;
        static int64_t said = -1;
        int64_t was = rf__mem_budget();
        rf__mem_budget_init(comm, act->mem_budget, "riffle.executor.memory");
        rf__spill_configure(act->local_dir);
        if (first) rf__spill_sweep();
        first = false;
        if (rank == 0 && act->progress && (said < 0 || was != rf__mem_budget())) {
            said = rf__mem_budget();
            fprintf(stderr, "riffle: memory budget %.0f MB per rank (%s), %.0f MB of it for execution; spilling to %s\n",
                    (double)rf__mem_budget() / 1048576.0, rf__mem_budget_why(), (double)rf__mem_pool() / 1048576.0,
                    act->local_dir && *act->local_dir ? act->local_dir : getenv("SLURM_TMPDIR") ? getenv("SLURM_TMPDIR") : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        }
    }
    if ((rc = rf__agree(comm, rc, err))) goto done;
    double t_job = rf_now();
    for (int si = 0; si < st.n; si++) {
        const rf_stage *s = &st.s[si];
        double t0 = rf_now();
        rf_cancel cancel;
        rf_task_ctx ctx = { .xdata = xd, .batch_rows = act->batch_rows, .h5_mpio = act->h5_mpio && mpi_serialized(), .cancel = &cancel,
                            .partial_groups = act->partial_groups, .force_spill = act->force_spill, .op_mem = op_mem_bytes() };
        rf_scanprep *prep = NULL;
        int nprep = 0;
        /* a safe point: a stop signal (SIGTERM, SIGINT) seen by any rank stops every rank here */
        int lrc = rf__stop_requested() ? rf__stop_error() : RF_OK;
        rc = prepass(comm, s, lrc, &prep, &nprep, err);
        if (rc) { prep_free(prep, nprep); goto done; }
        ctx.prep = prep;
        ctx.n_prep = nprep;
        int64_t nlocal = 0;
        for (int64_t t = rank; t < s->n_tasks; t += nranks) nlocal++;
        rf_shuffle_out xo = { 0 };
        rf__spill_stats_reset();
        if (!lrc && s->exchange) {
            const rf_plan *x = s->exchange;
            bool one = x->mode == RF_X_BROADCAST || x->mode == RF_X_SINGLE;
            lrc = rf__shuffle_out_init(&xo, nranks, one ? 1 : x->n, x->mode == RF_X_BROADCAST, x->rank_offset);
        }
        task_out *outs = rf_calloc((size_t)(nlocal ? nlocal : 1), sizeof *outs);
        int64_t *tasks = rf_calloc((size_t)(nlocal ? nlocal : 1), sizeof *tasks), bad_task = INT64_MAX;
        if (!outs || !tasks) lrc = rf__err_set(RF_ERR_NOMEM, "out of memory");
        for (int64_t k = 0; k < nlocal && outs; k++) {
            rf__spool_init(&outs[k].ranged);
            outs[k].ranged.owner = s->exchange ? RF_SPILL_EXCHANGE : RF_SPILL_WRITE;
        }
        for (int64_t k = 0; k < nlocal && !lrc; k++) tasks[k] = rank + k * nranks;
        /* a task that fails cancels the tasks above it, here and on every rank (rf_cancel); the
         * messages of the stage are drained before the agreement */
        int crc = rf__cancel_begin(&cancel, comm);
        if (!lrc && !crc) {
            #pragma omp parallel for schedule(dynamic, 1)
            for (int64_t k = 0; k < nlocal; k++) {
                rf__err_clear();
                if (rf__stop_requested()) outs[k].rc = rf__stop_error();
                else if (rf__cancelled(&cancel, tasks[k])) outs[k].rc = rf__err_set(RF_ERR_CANCELLED, "cancelled: another task failed first");
                else outs[k].rc = run_task(s, tasks[k], &ctx, act, &xo, &outs[k]);
                if (outs[k].rc) {
                    outs[k].err = *rf__err_slot();
                    if (outs[k].rc != RF_ERR_CANCELLED) rf__cancel_raise(&cancel, outs[k].rc == RF_ERR_STOPPED ? -1 : tasks[k]);
                }
            }
            for (int64_t k = 0; k < nlocal; k++)
                if (outs[k].rc && outs[k].rc != RF_ERR_CANCELLED) {   /* the lowest failing task speaks for the rank */
                    lrc = outs[k].rc;
                    *rf__err_slot() = outs[k].err;
                    bad_task = tasks[k];
                    break;
                }
            for (int64_t k = 0; k < nlocal && !lrc; k++)
                if (outs[k].rc) { lrc = outs[k].rc; *rf__err_slot() = outs[k].err; }   /* only cancelled here */
        }
        if (rf__stop_requested() && (!lrc || lrc == RF_ERR_CANCELLED)) lrc = rf__stop_error();
        int erc = rf__cancel_end(&cancel);
        if (!lrc) lrc = crc ? crc : erc;
        /* the lowest failing task of all speaks for the job: the first bad record in file order is
         * the one reported, at any rank count */
        rc = rf__agree_key(comm, lrc, bad_task == INT64_MAX ? 0 : bad_task, err);
        int64_t sent = 0, rows = 0;
        for (int64_t k = 0; k < nlocal && outs; k++) rows += outs[k].nrows;
        /* each collective step below agrees on the status it is given before it communicates, and
         * returns an agreed status: every rank takes the same branches */
        if (s->exchange && s->exchange->mode == RF_X_RANGE) rc = range_partition(comm, s, outs, tasks, nlocal, &xo, rc, err);
        if (s->exchange) {
            rc = rf__shuffle_exchange(comm, rc, rc ? NULL : &xo, act->round_bytes, &xd[s->id], &sent, err);
        } else if (act->kind == RF_ACT_COLLECT) {
            rc = gather_result(comm, rc, act, s->root->schema, outs, tasks, nlocal, result, err);
        } else if (act->kind == RF_ACT_WRITE_HDF5) {
            rc = write_hdf5(comm, rc, act, s, outs, tasks, nlocal, err);
        }
        rf__shuffle_out_fini(&xo);
        for (int64_t k = 0; k < nlocal && outs; k++) {
            rf__spool_fini(&outs[k].ranged);
            rf_batch_destroy(&outs[k].cur);
            for (int64_t i = 0; i < outs[k].n_pk; i++) { rf_free(outs[k].pk[i].key); rf_free(outs[k].pk[i].sbytes); rf_free(outs[k].pk[i].anynull); }
            rf_free(outs[k].pk);
            rf_free(outs[k].sbytes);
            rf_free(outs[k].anynull);
            rf_buf_fini(&outs[k].result);
        }
        rf_free(outs);
        rf_free(tasks);
        prep_free(prep, nprep);
        for (int i = 0; i < s->n_inputs; i++) rf__xdata_fini(&xd[s->inputs[i]]);
        if (!rc && act->metrics) rc = rf__agree(comm, stage_metrics(comm, act, &st, si, rows, sent, t0), err);
        if (rc) goto done;
    }
    if (act->progress && rank == 0) fprintf(stderr, "riffle: job %lld done in %.2f s\n", (long long)act->job_id, rf_now() - t_job);
done:
    settle_caches(comm, plan, rc);
    evict_caches(comm, act->progress);
    rf__spill_cleanup();   /* the rank's spill directory goes with the job, whatever its outcome (open spill
                            * files, as caches keep them, were unlinked when made and live on) */
    for (int i = 0; xd && i < st.n; i++) rf__xdata_fini(&xd[i]);
    rf_free(xd);
    rf__stages_fini(&st);
    return rc;
}
