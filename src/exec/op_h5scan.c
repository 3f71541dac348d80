/*
 * op_h5scan.c — Scan of one split (a row range) of an HDF5 table file.
 *
 * Reads only the columns the plan needs, batch by batch: one hyperslab read per column dataset
 * (data, or offsets then bytes for strings, and validity when the column has NULLs). HDF5 calls
 * hold rf__h5_lock() (the library is not thread-safe); converting is outside it. Files open
 * through the MPI-IO driver on MPI_COMM_SELF (riffle.hdf5.readDriver=mpio) or the POSIX one.
 * Values read are checked before they are used: string offsets must rise and stay inside the bytes
 * dataset, so a corrupt file is an error naming it, never a bad memory access.
 */
#include <stdlib.h>
#include "exec/exec.h"
#include "io/h5.h"

typedef struct {
    hid_t f;
    hid_t *data, *offs, *bytes, *valid;   /* per read column; -1 when absent */
    int64_t *nbytes;                      /* length of each string column's bytes dataset */
    const char *fname;
    int64_t pos, end;                     /* rows [pos, end) of the file still to read */
    uint8_t *vbuf;
    int64_t *obuf;
} h5scan_st;

static int read_slab(hid_t d, hid_t mt, int64_t off, int64_t n, void *buf)
{
    hsize_t st = (hsize_t)off, ct = (hsize_t)n;
    hid_t fs = H5Dget_space(d);
    H5Sselect_hyperslab(fs, H5S_SELECT_SET, &st, NULL, &ct, NULL);
    hid_t ms = H5Screate_simple(1, &ct, NULL);
    herr_t e = H5Dread(d, mt, ms, fs, H5P_DEFAULT, buf);
    H5Sclose(ms);
    H5Sclose(fs);
    return e < 0 ? -1 : 0;
}

static int open_(rf_op *op)
{
    const rf_source *src = op->plan->src;
    h5scan_st *s = rf_calloc(1, sizeof *s);
    int rc = RF_OK, nr = src->n_read;
    if (!s) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    op->st = s;
    s->f = -1;
    int64_t t = op->task;
    RF_CHECK(t >= 0 && t < src->n_splits, RF_ERR_INTERNAL, "scan task %lld out of range", (long long)t);
    s->fname = src->files[src->split_file[t]];
    s->pos = src->split_off[t];
    s->end = s->pos + src->split_len[t];
    s->data = rf_malloc(((size_t)nr + 1) * sizeof *s->data);
    s->offs = rf_malloc(((size_t)nr + 1) * sizeof *s->offs);
    s->bytes = rf_malloc(((size_t)nr + 1) * sizeof *s->bytes);
    s->valid = rf_malloc(((size_t)nr + 1) * sizeof *s->valid);
    s->nbytes = rf_calloc((size_t)nr + 1, sizeof *s->nbytes);
    RF_CHECK(s->data && s->offs && s->bytes && s->valid && s->nbytes, RF_ERR_NOMEM, "out of memory");
    for (int k = 0; k < nr; k++) s->data[k] = s->offs[k] = s->bytes[k] = s->valid[k] = -1;
    rf__h5_lock();
    s->f = rf__h5_open_read(s->fname, op->ctx->h5_mpio);
    hid_t g = s->f >= 0 ? H5Gopen2(s->f, RF_H5_GROUP, H5P_DEFAULT) : -1;
    if (g < 0) rc = rf__err_set(RF_ERR_IO, "%s: cannot open the HDF5 table (changed since the job was planned?)", s->fname);
    for (int k = 0; k < nr && !rc; k++) {
        if (src->read[k] >= src->file_schema->n - src->n_part) continue;   /* a partition column */
        const rf_field *fd = &src->file_schema->f[src->read[k]];
        char nm[1200];
        if (fd->type == RF_TYPE_STRING) {
            rf__h5_dsname(fd->name, ".offsets", nm, sizeof nm);
            s->offs[k] = H5Dopen2(g, nm, H5P_DEFAULT);
            rf__h5_dsname(fd->name, ".bytes", nm, sizeof nm);
            s->bytes[k] = H5Dopen2(g, nm, H5P_DEFAULT);
            if (s->bytes[k] >= 0) {
                hid_t sp = H5Dget_space(s->bytes[k]);
                hsize_t n = 0;
                H5Sget_simple_extent_dims(sp, &n, NULL);
                H5Sclose(sp);
                s->nbytes[k] = (int64_t)n;
            }
            if (s->offs[k] < 0 || s->bytes[k] < 0) rc = rf__err_set(RF_ERR_IO, "%s: cannot open the datasets of column '%s'", s->fname, fd->name);
        } else {
            rf__h5_dsname(fd->name, NULL, nm, sizeof nm);
            if ((s->data[k] = H5Dopen2(g, nm, H5P_DEFAULT)) < 0) rc = rf__err_set(RF_ERR_IO, "%s: cannot open the dataset of column '%s'", s->fname, fd->name);
        }
        rf__h5_dsname(fd->name, ".valid", nm, sizeof nm);
        if (!rc && H5Lexists(g, nm, H5P_DEFAULT) > 0) s->valid[k] = H5Dopen2(g, nm, H5P_DEFAULT);
    }
    if (g >= 0) H5Gclose(g);
    rf__h5_unlock();
done:
    return rc;
}

static int next(rf_op *op, rf_batch **out)
{
    h5scan_st *s = op->st;
    const rf_source *src = op->plan->src;
    int nr = src->n_read, rc = RF_OK;
    *out = NULL;
    if (s->pos >= s->end) return RF_OK;
    int64_t n = s->end - s->pos < op->ctx->batch_rows ? s->end - s->pos : op->ctx->batch_rows;
    rf_batch *b = NULL;
    RF_TRY(rf_batch_create(op->plan->schema->n, n, &b));
    if (!s->vbuf && !(s->vbuf = rf_malloc((size_t)op->ctx->batch_rows + 1))) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); goto done; }
    if (!s->obuf && !(s->obuf = rf_malloc(((size_t)op->ctx->batch_rows + 1) * 8))) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); goto done; }
    for (int k = 0; k < nr && !rc; k++) {
        const rf_field *fd = &src->file_schema->f[src->read[k]];
        rf_column *c = NULL;
        if ((rc = rf_column_create(fd->type, n, &c))) break;
        b->cols[k] = c;
        c->len = n;
        if (src->read[k] >= src->file_schema->n - src->n_part) continue;   /* set below */
        rf__h5_lock();
        if (fd->type == RF_TYPE_STRING) {
            int64_t *o = s->obuf;
            if (read_slab(s->offs[k], H5T_NATIVE_INT64, s->pos, n + 1, o) < 0) rc = rf__err_set(RF_ERR_IO, "%s: cannot read column '%s'", s->fname, fd->name);
            for (int64_t i = 0; !rc && i < n; i++)
                if (o[i + 1] < o[i]) rc = rf__err_set(RF_ERR_INVALID, "%s: corrupt string offsets in column '%s' at row %lld", s->fname, fd->name, (long long)(s->pos + i));
            if (!rc && (o[0] < 0 || o[n] > s->nbytes[k]))
                rc = rf__err_set(RF_ERR_INVALID, "%s: string offsets of column '%s' point outside its bytes", s->fname, fd->name);
            if (!rc && (rc = rf_column_reserve(c, n, o[n] - o[0]))) { /* reported */ }
            if (!rc && o[n] > o[0] && read_slab(s->bytes[k], H5T_NATIVE_UINT8, o[0], o[n] - o[0], c->bytes) < 0)
                rc = rf__err_set(RF_ERR_IO, "%s: cannot read column '%s'", s->fname, fd->name);
            if (!rc) {
                int64_t *co = c->data;
                for (int64_t i = 0; i <= n; i++) co[i] = o[i] - o[0];
                c->nbytes = o[n] - o[0];
            }
        } else {
            hid_t mt = rf__h5_type(fd->type);
            if (read_slab(s->data[k], mt, s->pos, n, c->data) < 0) rc = rf__err_set(RF_ERR_IO, "%s: cannot read column '%s'", s->fname, fd->name);
            H5Tclose(mt);
        }
        c->len = n;
        bool nulls = false;
        if (!rc && s->valid[k] >= 0) {
            if (read_slab(s->valid[k], H5T_NATIVE_UINT8, s->pos, n, s->vbuf) < 0) rc = rf__err_set(RF_ERR_IO, "%s: cannot read the validity of column '%s'", s->fname, fd->name);
            for (int64_t i = 0; !rc && i < n; i++) nulls |= !s->vbuf[i];
        }
        rf__h5_unlock();
        if (!rc && nulls) {
            for (int64_t i = 0; i < n; i++)
                if (!s->vbuf[i]) {
                    rf_column_set_null(c, i);
                    if (!c->valid) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); break; }
                }
        }
        if (!rc && fd->type == RF_TYPE_BOOL)   /* any nonzero byte is true */
            for (int64_t i = 0; i < n; i++) ((uint8_t *)c->data)[i] = ((uint8_t *)c->data)[i] != 0;
    }
    b->nrows = n;
    if (!rc && src->n_part) rc = rf__partition_values(src, src->split_file[op->task], b);
    if (rc) goto done;
    s->pos += n;
    *out = b;
    return RF_OK;
done:
    rf_batch_destroy(&b);
    return rc;
}

static void close_(rf_op *op)
{
    h5scan_st *s = op->st;
    if (!s) return;
    rf__h5_lock();
    for (int k = 0; k < op->plan->src->n_read; k++) {
        if (s->data && s->data[k] >= 0) H5Dclose(s->data[k]);
        if (s->offs && s->offs[k] >= 0) H5Dclose(s->offs[k]);
        if (s->bytes && s->bytes[k] >= 0) H5Dclose(s->bytes[k]);
        if (s->valid && s->valid[k] >= 0) H5Dclose(s->valid[k]);
    }
    if (s->f >= 0) H5Fclose(s->f);
    rf__h5_unlock();
    rf_free(s->data); rf_free(s->offs); rf_free(s->bytes); rf_free(s->valid); rf_free(s->nbytes);
    rf_free(s->vbuf); rf_free(s->obuf);
    RF_FREE(op->st);
}

const rf_op_vt rf__op_h5scan_vt = { "Scan", open_, next, close_ };
