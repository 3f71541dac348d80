/*
 * h5out.c — HDF5 output of a job: task rows spooled (or sorted by partition key), then the collective write (see executor.h).
 */
#include <errno.h>
#include <limits.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include "runtime/executor.h"
#include "io/h5.h"
#include "io/partition.h"

/* HDF5 write: what the writer must know before it reads the rows back. */
int rf__h5out_note(task_out *o, const rf_batch *b, int nc)
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

void rf__pw_fini(pw_state *w)
{
    rf__sorter_free(&w->sorter);
    rf_expr_destroy(&w->order);
    rf_schema_destroy(&w->ks);
    rf_free(w->pcols); rf_free(w->dcols);
    rf_buf_fini(&w->key); rf_buf_fini(&w->tmp);
    memset(w, 0, sizeof *w);
}

int rf__pw_init(pw_state *w, const rf_schema *s, const char *spec, const rf_task_ctx *ctx)
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
int rf__pw_add(pw_state *w, const rf_schema *s, rf_batch *b)
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
int rf__pw_finish(pw_state *w, task_out *o, rf_buf *tmp)
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

/* Rows of a write round: a quarter of the execution pool over an estimate of the row's width. */
static int64_t round_rows(const rf_schema *s)
{
    int64_t width = 16;
    for (int c = 0; c < s->n; c++) width += (int64_t)rf_type_width(s->f[c].type) + 2;
    int64_t n = rf__mem_pool() / 4 / width;
    return n < 1 ? 1 : n;
}

/* Collective: every rank's task rows into one table file in the staging directory (or one per
 * partition value). rc_in: the local status so far (agreed first). Returns an agreed status. */
int rf__write_hdf5(MPI_Comm comm, int rc_in, const rf_action *act, const rf_stage *st, task_out *outs, const int64_t *tasks,
                      int64_t nlocal, rf_error *err)
{
    int64_t *first = NULL, *rows = NULL, *sbytes = NULL;
    uint8_t *anynull = NULL;
    rf_batch *all = NULL;
    int rc = rc_in, *pcols = NULL, np = 0, collective = act->collective, nc = st->root->schema->n;
    MPI_Comm node = MPI_COMM_NULL;
    h5_reader rd = { outs, { 0 }, 0, 0 };
    for (int64_t k = 0; k < nlocal && !rc; k++) rc = rf__spool_seal(&outs[k].ranged);
    if (!rc) rc = rf__part_columns(st->root->schema, act->out.partition_by, &pcols, &np);
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
            rc = rf__h5_write_partitioned(comm, act->out.staging, st->root->schema, pcols, np, st->n_tasks, tasks, (int)nlocal, &src,
                                          act->rg_rows, round_rows(st->root->schema), act->deflate, act->checksum, collective, err);
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
        rf_h5_src src = { rows, sbytes, anynull, h5_next, &rd };
        char path[4200];
        snprintf(path, sizeof path, "%s/part-00000.h5", act->out.staging);
        rc = rf__h5_write_file(comm, path, st->root->schema, st->n_tasks, tasks, (int)nlocal, &src, act->rg_rows, round_rows(st->root->schema),
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
