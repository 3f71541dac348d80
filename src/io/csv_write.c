/*
 * csv_write.c — writes one task's rows as a CSV part file in the job's staging directory.
 * Fields are quoted when they hold the delimiter, a quote, a newline, or are empty strings (so an
 * empty string and NULL stay distinct); quotes are doubled (RFC 4180). The file is fsynced before
 * it is closed: the commit renames only complete files. With partitionBy, each partition's rows go to
 * <staging>/<col=value>/part-<task>.csv and the partition columns leave the rows.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include "io/output.h"
#include "exec/exec.h"
#include "io/files.h"
#include "io/partition.h"

static int flush(int fd, rf_buf *b, const char *path)
{
    int rc = rf__write_full(fd, b->data, b->len, path);
    b->len = 0;
    return rc;
}

static int put_field(rf_buf *out, const rf_column *c, int64_t i, char delim, rf_buf *tmp)
{
    bool is_null;
    tmp->len = 0;
    int rc = rf_format_value(c, i, tmp, &is_null);
    if (rc || is_null) return rc;
    if (!delim) return rf_buf_put(out, tmp->data, tmp->len);   /* text lines: as they are */
    bool quote = c->type == RF_TYPE_STRING && tmp->len == 0;
    for (size_t k = 0; k < tmp->len && !quote; k++) {
        char ch = (char)tmp->data[k];
        quote = ch == delim || ch == '"' || ch == '\n' || ch == '\r';
    }
    if (!quote) return rf_buf_put(out, tmp->data, tmp->len);
    rc = rf_buf_put_u8(out, '"');
    for (size_t k = 0; k < tmp->len && !rc; k++) {
        if (tmp->data[k] == '"') rc = rf_buf_put_u8(out, '"');
        if (!rc) rc = rf_buf_put_u8(out, tmp->data[k]);
    }
    return rc ? rc : rf_buf_put_u8(out, '"');
}

/* One output file of a task: the whole task's rows, or one partition's. */
typedef struct {
    char  *key;        /* "c=v/..." or "" */
    int    fd;
    rf_buf out;
    int64_t rows, seq; /* rows in the open file; files of this key so far (maxRecordsPerFile) */
    char   path[4400];
} csv_out;

/* Ends a part file: flushed, synced, closed. */
static int close_out(csv_out *o)
{
    int rc = flush(o->fd, &o->out, o->path);
    if (!rc && fsync(o->fd) != 0) rc = rf__err_set(RF_ERR_IO, "%s: fsync failed: %s", o->path, strerror(errno));
    if (close(o->fd) != 0 && !rc) rc = rf__err_set(RF_ERR_IO, "%s: close failed: %s", o->path, strerror(errno));
    o->fd = -1;
    return rc;
}

/* Opens the next part file of o: part-<task>.csv, or with maxRecordsPerFile part-<task>-c<seq>.csv
 * (Spark's names: they sort in row order up to c999, 1,000 files of one task). */
static int open_out(const rf_output *w, int64_t task, const char *key, const rf_schema *s, const bool *drop, csv_out *o)
{
    char dir[4200];
    snprintf(dir, sizeof dir, "%s%s%s", w->staging, *key ? "/" : "", key);
    int rc;
    if (*key && (rc = rf__mkdirs(dir))) return rc;
    const char *ext = w->delim ? ".csv" : "";   /* delimiter 0: text lines (saveAsTextFile), Spark's part-NNNNN */
    if (w->max_records > 0) snprintf(o->path, sizeof o->path, "%s/part-%05lld-c%03lld%s", dir, (long long)task, (long long)o->seq++, ext);
    else snprintf(o->path, sizeof o->path, "%s/part-%05lld%s", dir, (long long)task, ext);
    o->rows = 0;
    o->fd = open(o->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (o->fd < 0) return rf__err_set(RF_ERR_IO, "%s: cannot create: %s", o->path, strerror(errno));
    if (!w->header) return RF_OK;
    bool first = true;
    for (int c = 0; c < s->n; c++) {
        if (drop[c]) continue;
        int rc = rf_buf_printf(&o->out, "%s%s", first ? "" : (char[]){ w->delim, 0 }, s->f[c].name);
        if (rc) return rc;
        first = false;
    }
    return rf_buf_put_u8(&o->out, '\n');
}

int rf__csv_write_part(const rf_output *w, int64_t task, struct rf_op *op, const rf_schema *s, int64_t *rows)
{
    rf_buf tmp = { 0 }, key = { 0 }, ktmp = { 0 };
    rf_batch *b = NULL;
    csv_out *outs = NULL;
    int64_t nout = 0, cap = 0, last = -1;
    int *pcols = NULL, np = 0, rc = RF_OK;
    bool *drop = rf_calloc((size_t)s->n + 1, sizeof *drop);
    *rows = 0;
    RF_CHECK(drop != NULL, RF_ERR_NOMEM, "out of memory");
    RF_TRY(rf__part_columns(s, w->partition_by, &pcols, &np));
    for (int k = 0; k < np; k++) drop[pcols[k]] = true;   /* partition values live in the directory names */
    for (;;) {
        RF_TRY(rf__op_next(op, &b));
        if (!b) break;
        for (int64_t i = 0; i < b->nrows; i++) {
            if (np) RF_TRY(rf__part_key(b, i, pcols, np, s, &key, &ktmp));
            const char *k = np ? (const char *)key.data : "";
            if (last < 0 || strcmp(outs[last].key, k)) {   /* tasks without rows write no file */
                last = -1;
                for (int64_t j = 0; j < nout && last < 0; j++) if (!strcmp(outs[j].key, k)) last = j;
                if (last < 0) {
                    RF_TRY(rf__grow((void **)&outs, &cap, nout + 1, sizeof *outs));
                    memset(&outs[nout], 0, sizeof *outs);
                    outs[nout].fd = -1;
                    RF_CHECK((outs[nout].key = rf_strdup(k)) != NULL, RF_ERR_NOMEM, "out of memory");
                    last = nout++;
                    RF_TRY(open_out(w, task, k, s, drop, &outs[last]));
                }
            }
            csv_out *o = &outs[last];
            if (w->max_records > 0 && o->rows >= w->max_records) {   /* the next file of this task */
                RF_TRY(close_out(o));
                RF_TRY(open_out(w, task, k, s, drop, o));
            }
            o->rows++;
            bool first = true;
            for (int c = 0; c < b->ncols; c++) {
                if (drop[c]) continue;
                if (!first) RF_TRY(rf_buf_put_u8(&o->out, (uint8_t)w->delim));
                RF_TRY(put_field(&o->out, b->cols[c], i, w->delim, &tmp));
                first = false;
            }
            RF_TRY(rf_buf_put_u8(&o->out, '\n'));
            if (o->out.len > (1 << 20)) RF_TRY(flush(o->fd, &o->out, o->path));
        }
        *rows += b->nrows;
        rf_batch_destroy(&b);
    }
    for (int64_t j = 0; j < nout; j++) RF_TRY(close_out(&outs[j]));
done:
    for (int64_t j = 0; j < nout; j++) {
        if (outs[j].fd >= 0 && close(outs[j].fd) != 0 && !rc) rc = rf__err_set(RF_ERR_IO, "%s: close failed: %s", outs[j].path, strerror(errno));
        rf_buf_fini(&outs[j].out);
        rf_free(outs[j].key);
    }
    rf_free(outs);
    rf_free(pcols);
    rf_free(drop);
    rf_batch_destroy(&b);
    rf_buf_fini(&tmp);
    rf_buf_fini(&key);
    rf_buf_fini(&ktmp);
    return rc;
}
