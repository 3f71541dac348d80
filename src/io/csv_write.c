/*
 * csv_write.c — writes one task's rows as a CSV part file in the job's staging directory.
 * Fields are quoted when they hold the delimiter, a quote, a newline, or are empty strings (so an
 * empty string and NULL stay distinct); quotes are doubled (RFC 4180). The file is fsynced before
 * it is closed: the commit renames only complete files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include "runtime/runtime.h"

static int flush(int fd, rf_buf *b, const char *path)
{
    size_t off = 0;
    while (off < b->len) {
        ssize_t w = write(fd, b->data + off, b->len - off);
        if (w < 0) {
            if (errno == EINTR) continue;
            return rf__err_set(RF_ERR_IO, "%s: write failed: %s", path, strerror(errno));
        }
        off += (size_t)w;
    }
    b->len = 0;
    return RF_OK;
}

static int put_field(rf_buf *out, const rf_column *c, int64_t i, char delim, rf_buf *tmp)
{
    bool is_null;
    tmp->len = 0;
    int rc = rf_format_value(c, i, tmp, &is_null);
    if (rc || is_null) return rc;
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

int rf__csv_write_part(const rf_action *act, int64_t task, rf_op *op, const rf_schema *s, int64_t *rows)
{
    char path[4096];
    rf_buf out = { 0 }, tmp = { 0 };
    rf_batch *b = NULL;
    int fd = -1, rc = RF_OK;
    *rows = 0;
    snprintf(path, sizeof path, "%s/part-%05lld.csv", act->staging, (long long)task);
    for (;;) {
        RF_TRY(rf__op_next(op, &b));
        if (!b) break;
        if (b->nrows && fd < 0) {   /* tasks without rows write no file */
            fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
            RF_CHECK(fd >= 0, RF_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
            if (act->header)
                for (int c = 0; c < s->n; c++) {
                    RF_TRY(rf_buf_printf(&out, "%s%s", c ? (char[]){ act->delim, 0 } : "", s->f[c].name));
                    if (c == s->n - 1) RF_TRY(rf_buf_put_u8(&out, '\n'));
                }
        }
        for (int64_t i = 0; i < b->nrows; i++) {
            for (int c = 0; c < b->ncols; c++) {
                if (c) RF_TRY(rf_buf_put_u8(&out, (uint8_t)act->delim));
                RF_TRY(put_field(&out, b->cols[c], i, act->delim, &tmp));
            }
            RF_TRY(rf_buf_put_u8(&out, '\n'));
            if (out.len > (1 << 20)) RF_TRY(flush(fd, &out, path));
        }
        *rows += b->nrows;
        rf_batch_destroy(&b);
    }
    if (fd >= 0) {
        RF_TRY(flush(fd, &out, path));
        RF_CHECK(fsync(fd) == 0, RF_ERR_IO, "%s: fsync failed: %s", path, strerror(errno));
    }
done:
    if (fd >= 0 && close(fd) != 0 && !rc) rc = rf__err_set(RF_ERR_IO, "%s: close failed: %s", path, strerror(errno));
    rf_batch_destroy(&b);
    rf_buf_fini(&out);
    rf_buf_fini(&tmp);
    return rc;
}
