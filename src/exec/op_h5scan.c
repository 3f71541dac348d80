/*
 * op_h5scan.c — Scan of one split (a row range) of an HDF5 table file.
 *
 * Reads only the columns the plan needs, batch by batch: one hyperslab read per column dataset
 * (data, or offsets then bytes for strings, and validity when the column has NULLs). HDF5 calls
 * hold rf__h5_lock() (the library is not thread-safe); converting is outside it. Files open
 * through the MPI-IO driver on MPI_COMM_SELF (riffle.hdf5.readDriver=mpio) or the POSIX one.
 * Values read are checked before they are used: string offsets must rise and stay inside the bytes
 * dataset, so a corrupt file is an error naming it, never a bad memory access. Where the file has
 * riffle's checksums (docs/FORMAT.md), every whole row group read is checked against its CRC-32C
 * (data or offsets, string bytes, validity), so a damaged file is an error, never other numbers.
 *
 * Direct reads. A riffle dataset is chunked a row group to a chunk, with HDF5's Fletcher-32 filter
 * alone (or no filter). When the file also has riffle's CRC-32C checksums, which are checked on
 * every row group read anyway, the scan asks HDF5 only where each chunk lies (once, at open) and
 * reads the rows it needs with pread(2) straight into the column buffers: no HDF5 call, no lock and
 * no second checksum per batch, so the threads of a rank read at once. Such a column's row group is
 * read and checked whole when the scan first enters it, before any of its rows is used (a LIMIT
 * that stops inside a damaged group must not see its values). A dataset compressed, stored in
 * another byte order or not chunked so is read through HDF5 (H5Dread) as before.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include "exec/exec.h"
#include "io/h5.h"

typedef struct {
    uint32_t *want;      /* the file's checksums, 4 per row group (NULL: the file has none) */
    uint32_t  cur[3];    /* running CRC of the row group being read: data or offsets, bytes, validity */
    int64_t   g;         /* that row group */
    bool      whole;     /* its first row was read (a group read from its middle is not checked) */
    int64_t   verified;  /* direct reads: row groups [0, verified) were checked whole before use */
} h5check;

/* Where a dataset's chunks lie in the file, for pread(2) (nch == 0: read through HDF5). A chunk's
 * address is asked when a read first needs it (a task reads a few of a file's chunks). */
typedef struct { int64_t ch, nch, len; size_t w; haddr_t *addr; } h5direct;

typedef struct {
    hid_t f;
    int fd;                               /* the file for direct reads, -1 when none */
    h5direct *dd;                         /* [4 * n_read]: data, offsets, bytes, validity of each read column */
    hid_t *data, *offs, *bytes, *valid;   /* per read column; -1 when absent */
    hid_t *mt;                            /* per read column: the memory type of its values (-1: a string) */
    int64_t *nbytes;                      /* length of each string column's bytes dataset */
    const char *fname;
    int64_t pos, end;                     /* rows [pos, end) of the file still to read */
    uint8_t *vbuf;
    int64_t *sel;                         /* the rows of a batch passing a top-n's bound */
    const rf_dynf *dynf;                  /* the top-n dynamic filter this scan applies, or NULL */
    int64_t *obuf;
    rf_buf   scratch;                     /* a whole row group being checked (direct reads) */
    int64_t *rg_off, *rg_rows, n_rg;      /* row groups (read when the file has checksums) */
    h5check *chk;                         /* per read column */
} h5scan_st;

/* Feeds rows [a, b) of this batch (the batch starts at file row pos) into column k's checksums,
 * checking each row group that ends inside. data: fixed-width values or raw file offsets (w bytes
 * a row); bytes: a string column's bytes with their first file offset o0 (NULL otherwise); v: the
 * validity bytes (NULL when the column has none). */
static int check_rows(h5scan_st *s, int k, const char *col, int64_t pos, int64_t a, int64_t b, const char *data, size_t w,
                      const char *bytes, const int64_t *offs, int64_t o0, const uint8_t *v)
{
    h5check *c = &s->chk[k];
    while (a < b) {
        int64_t row = pos + a;
        while (c->g < s->n_rg && s->rg_off[c->g] + s->rg_rows[c->g] <= row) { c->g++; c->whole = false; memset(c->cur, 0, sizeof c->cur); }
        if (c->g >= s->n_rg) return rf__err_set(RF_ERR_INVALID, "%s: row %lld is in no row group", s->fname, (long long)row);
        if (row == s->rg_off[c->g]) { c->whole = true; memset(c->cur, 0, sizeof c->cur); }
        int64_t gend = s->rg_off[c->g] + s->rg_rows[c->g], e = gend - pos < b ? gend - pos : b;
        c->cur[0] = rf_crc32c(c->cur[0], data + (size_t)a * w, (size_t)(e - a) * w);
        if (bytes) c->cur[1] = rf_crc32c(c->cur[1], bytes + (offs[a] - o0), (size_t)(offs[e] - offs[a]));
        if (v) c->cur[2] = rf_crc32c(c->cur[2], v + a, (size_t)(e - a));
        if (pos + e == gend && c->whole) {
            const uint32_t *want = c->want + (size_t)c->g * 4;
            if (c->cur[0] != want[0] || c->cur[1] != want[1] || c->cur[2] != want[2])
                return rf__err_set(RF_ERR_INVALID, "%s: checksum mismatch in column '%s', rows %lld to %lld: the file is damaged", s->fname, col,
                                   (long long)s->rg_off[c->g], (long long)gend - 1);
            c->whole = false;
        }
        a = e;
    }
    return RF_OK;
}

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

/* Opens dataset nm of g with a chunk cache that holds two of its chunks: a scan reads a chunk (a row
 * group, filtered by Fletcher-32) a batch at a time, and with HDF5's default 1 MB cache every batch
 * would read and check the whole chunk again. */
static hid_t open_cached(hid_t g, const char *nm)
{
    hid_t d = H5Dopen2(g, nm, H5P_DEFAULT);
    if (d < 0) return d;
    hid_t dcpl = H5Dget_create_plist(d), t = H5Dget_type(d);
    hsize_t ch = 0;
    size_t need = 0;
    if (dcpl >= 0 && H5Pget_layout(dcpl) == H5D_CHUNKED && H5Pget_chunk(dcpl, 1, &ch) == 1) need = (size_t)ch * H5Tget_size(t);
    if (dcpl >= 0) H5Pclose(dcpl);
    if (t >= 0) H5Tclose(t);
    if (need <= ((size_t)1 << 20)) return d;   /* the default cache holds it */
    H5Dclose(d);
    hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
    H5Pset_chunk_cache(dapl, 521, 2 * need, 1.0);
    d = H5Dopen2(g, nm, dapl);
    H5Pclose(dapl);
    return d;
}

/* Fills *dd when dataset d (whose type should be native type mt) may be read directly: one chunk
 * dimension, no filter, or Fletcher-32 alone when riffle's checksums stand in for it (`checked`),
 * the native byte order. Under the HDF5 lock. */
static void direct_init(hid_t d, hid_t mt, bool checked, h5direct *dd)
{
    memset(dd, 0, sizeof *dd);
#if H5_VERSION_GE(1, 10, 5)
    hid_t dcpl = H5Dget_create_plist(d), t = H5Dget_type(d), sp = H5Dget_space(d);
    hsize_t ch = 0, len = 0;
    bool ok = dcpl >= 0 && t >= 0 && sp >= 0 && H5Pget_layout(dcpl) == H5D_CHUNKED && H5Pget_chunk(dcpl, 1, &ch) == 1 && ch > 0 &&
              H5Tequal(t, mt) > 0 && H5Sget_simple_extent_dims(sp, &len, NULL) == 1;
    int nf = ok ? H5Pget_nfilters(dcpl) : -1;
    if (ok && nf == 1 && checked) {
        unsigned flags = 0, cd[8];
        size_t ncd = 8;
        char name[64];
        ok = H5Pget_filter2(dcpl, 0, &flags, &ncd, cd, sizeof name, name, NULL) == H5Z_FILTER_FLETCHER32;
    } else if (nf != 0) ok = false;
    size_t w = ok ? H5Tget_size(t) : 0;
    int64_t nch = ok ? (int64_t)((len + ch - 1) / ch) : 0;
    haddr_t *addr = nch > 0 ? rf_malloc((size_t)nch * sizeof *addr) : NULL;
    for (int64_t i = 0; addr && i < nch; i++) addr[i] = HADDR_UNDEF;   /* asked when first read */
    if (ok && addr) { dd->ch = (int64_t)ch; dd->nch = nch; dd->len = (int64_t)len; dd->w = w; dd->addr = addr; addr = NULL; }
    rf_free(addr);
    if (dcpl >= 0) H5Pclose(dcpl);
    if (t >= 0) H5Tclose(t);
    if (sp >= 0) H5Sclose(sp);
#else
    (void)d; (void)mt;
#endif
}

/* The file address of chunk c of dataset d, asked of HDF5 the first time (under the lock); 0 when
 * the chunk cannot be read directly (not allocated whole, or its filter not skipped): HDF5 reads it. */
static haddr_t chunk_addr(h5direct *dd, hid_t d, int64_t c)
{
#if H5_VERSION_GE(1, 10, 5)
    if (dd->addr[c] == HADDR_UNDEF) {
        hsize_t off = (hsize_t)(c * dd->ch), size = 0;
        unsigned mask = 0;
        haddr_t a = HADDR_UNDEF;
        int64_t rows = dd->len - c * dd->ch < dd->ch ? dd->len - c * dd->ch : dd->ch;
        rf__h5_lock();
        herr_t e = H5Dget_chunk_info_by_coord(d, &off, &mask, &a, &size);
        rf__h5_unlock();
        dd->addr[c] = e < 0 || a == HADDR_UNDEF || (mask & ~1u) != 0 || size < (hsize_t)rows * dd->w ? 0 : a;
    }
    return dd->addr[c];
#else
    (void)dd; (void)d; (void)c;
    return 0;
#endif
}

/* Elements [off, off + n) of a dataset: by pread(2) where dd allows, else by H5Dread under the lock. */
static int read_els(h5scan_st *s, h5direct *dd, hid_t d, hid_t mt, int64_t off, int64_t n, void *buf)
{
    if (!dd->nch || s->fd < 0) {
        rf__h5_lock();
        int r = read_slab(d, mt, off, n, buf);
        rf__h5_unlock();
        return r;
    }
    uint8_t *p = buf;
    while (n > 0) {
        int64_t c = off / dd->ch, in = off % dd->ch, k = dd->ch - in < n ? dd->ch - in : n;
        if (c >= dd->nch) return -1;
        size_t want = (size_t)k * dd->w;
        haddr_t base = chunk_addr(dd, d, c);
        if (base == 0) {   /* this chunk through HDF5 */
            rf__h5_lock();
            int r = read_slab(d, mt, off, k, p);
            rf__h5_unlock();
            if (r < 0) return -1;
            p += want;
            want = 0;
        }
        off_t at = (off_t)(base + (haddr_t)in * dd->w);
        while (want > 0) {
            ssize_t got = pread(s->fd, p, want, at);
            if (got < 0 && errno == EINTR) continue;
            if (got <= 0) return -1;
            p += got;
            at += got;
            want -= (size_t)got;
        }
        off += k;
        n -= k;
    }
    return 0;
}

static int open_(rf_op *op)
{
    const rf_source *src = op->plan->src;
    h5scan_st *s = rf_calloc(1, sizeof *s);
    int rc = RF_OK, nr = src->n_read;
    if (!s) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    op->st = s;
    s->f = -1;
    s->fd = -1;
    int64_t t = op->task;
    RF_CHECK(t >= 0 && t < src->n_splits, RF_ERR_INTERNAL, "scan task %lld out of range", (long long)t);
    s->fname = src->files[src->split_file[t]];
    s->pos = src->split_off[t];
    s->dynf = rf__dynf_of(op->ctx, op->plan);
    s->end = s->pos + src->split_len[t];
    s->data = rf_malloc(((size_t)nr + 1) * sizeof *s->data);
    s->offs = rf_malloc(((size_t)nr + 1) * sizeof *s->offs);
    s->bytes = rf_malloc(((size_t)nr + 1) * sizeof *s->bytes);
    s->valid = rf_malloc(((size_t)nr + 1) * sizeof *s->valid);
    s->nbytes = rf_calloc((size_t)nr + 1, sizeof *s->nbytes);
    s->mt = rf_malloc(((size_t)nr + 1) * sizeof *s->mt);
    RF_CHECK(s->data && s->offs && s->bytes && s->valid && s->nbytes && s->mt, RF_ERR_NOMEM, "out of memory");
    for (int k = 0; k < nr; k++) s->data[k] = s->offs[k] = s->bytes[k] = s->valid[k] = s->mt[k] = -1;
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
            s->offs[k] = open_cached(g, nm);
            rf__h5_dsname(fd->name, ".bytes", nm, sizeof nm);
            s->bytes[k] = open_cached(g, nm);
            if (s->bytes[k] >= 0) {
                hid_t sp = H5Dget_space(s->bytes[k]);
                hsize_t n = 0;
                H5Sget_simple_extent_dims(sp, &n, NULL);
                H5Sclose(sp);
                s->nbytes[k] = (int64_t)n;
            }
            if (s->offs[k] < 0 || s->bytes[k] < 0) rc = rf__err_set(RF_ERR_IO, "%s: cannot open the datasets of column '%s'", s->fname, fd->name);
        } else {
            s->mt[k] = rf__h5_type(fd->type);
            rf__h5_dsname(fd->name, NULL, nm, sizeof nm);
            if ((s->data[k] = open_cached(g, nm)) < 0) rc = rf__err_set(RF_ERR_IO, "%s: cannot open the dataset of column '%s'", s->fname, fd->name);
        }
        rf__h5_dsname(fd->name, ".valid", nm, sizeof nm);
        if (!rc && H5Lexists(g, nm, H5P_DEFAULT) > 0) s->valid[k] = open_cached(g, nm);
    }
    /* riffle's checksums, when the file has them: the row groups and each read column's CRCs */
    hid_t gr = !rc && s->f >= 0 && H5Lexists(s->f, RF_H5_RG_GROUP, H5P_DEFAULT) > 0 ? H5Gopen2(s->f, RF_H5_RG_GROUP, H5P_DEFAULT) : -1;
    if (gr >= 0 && H5Lexists(gr, ".layout.crc", H5P_DEFAULT) > 0) {
        hid_t d1 = H5Dopen2(gr, "offset", H5P_DEFAULT), d2 = H5Dopen2(gr, "rows", H5P_DEFAULT);
        hid_t sp = d1 >= 0 ? H5Dget_space(d1) : -1;
        hsize_t R = 0;
        if (sp >= 0) { H5Sget_simple_extent_dims(sp, &R, NULL); H5Sclose(sp); }
        s->n_rg = (int64_t)R;
        s->rg_off = rf_malloc((size_t)(R + 1) * 8);
        s->rg_rows = rf_malloc((size_t)(R + 1) * 8);
        s->chk = rf_calloc((size_t)nr + 1, sizeof *s->chk);
        if (!s->rg_off || !s->rg_rows || !s->chk) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
        else if (d1 < 0 || d2 < 0 || (R && (read_slab(d1, H5T_NATIVE_INT64, 0, (int64_t)R, s->rg_off) < 0 || read_slab(d2, H5T_NATIVE_INT64, 0, (int64_t)R, s->rg_rows) < 0)))
            rc = rf__err_set(RF_ERR_INVALID, "%s: cannot read the row groups (a damaged file?)", s->fname);
        for (int k = 0; k < nr && !rc; k++) {
            if (src->read[k] >= src->file_schema->n - src->n_part) continue;
            char nm[1200];
            rf__h5_dsname(src->file_schema->f[src->read[k]].name, ".crc", nm, sizeof nm);
            hid_t dc = H5Dopen2(gr, nm, H5P_DEFAULT);
            if (!(s->chk[k].want = rf_malloc((size_t)(R * 4 + 1) * sizeof *s->chk[k].want))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
            else if (dc < 0 || (R && read_slab(dc, H5T_NATIVE_UINT32, 0, (int64_t)R * 4, s->chk[k].want) < 0))
                rc = rf__err_set(RF_ERR_INVALID, "%s: cannot read the checksums of column '%s' (a damaged file?)", s->fname, src->file_schema->f[src->read[k]].name);
            if (dc >= 0) H5Dclose(dc);
        }
        if (d1 >= 0) H5Dclose(d1);
        if (d2 >= 0) H5Dclose(d2);
    }
    if (gr >= 0) H5Gclose(gr);
    if (g >= 0) H5Gclose(g);
    /* direct reads, where riffle's checksums stand in for Fletcher-32 (or there is no filter); not in a
     * file with a user block (HDF5 1.10's chunk addresses do not count it) */
    if (!rc && !(s->dd = rf_calloc((size_t)nr * 4 + 1, sizeof *s->dd))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    hsize_t ublock = 1;
    hid_t fcpl = rc ? -1 : H5Fget_create_plist(s->f);
    if (fcpl >= 0) { if (H5Pget_userblock(fcpl, &ublock) < 0) ublock = 1; H5Pclose(fcpl); }
    for (int k = 0; k < nr && !rc && ublock == 0; k++) {
        if (src->read[k] >= src->file_schema->n - src->n_part) continue;
        /* a Fletcher-32 chunk read directly is not checked by HDF5: only where riffle's own checksums are */
        bool checked = s->chk && s->chk[k].want;
        if (s->data[k] >= 0 && s->mt[k] >= 0) direct_init(s->data[k], s->mt[k], checked, &s->dd[4 * k]);
        if (s->offs[k] >= 0) direct_init(s->offs[k], H5T_NATIVE_INT64, checked, &s->dd[4 * k + 1]);
        if (s->bytes[k] >= 0) direct_init(s->bytes[k], H5T_NATIVE_UINT8, checked, &s->dd[4 * k + 2]);
        if (s->valid[k] >= 0) direct_init(s->valid[k], H5T_NATIVE_UINT8, checked, &s->dd[4 * k + 3]);
    }
    rf__h5_unlock();
    if (!rc) s->fd = open(s->fname, O_RDONLY | O_CLOEXEC);   /* none: every read goes through HDF5 */
done:
    return rc;
}

/* Whether column k reads any dataset directly (so Fletcher-32 does not check it). */
static bool direct_col(const h5scan_st *s, int k)
{
    return s->dd && (s->dd[4 * k].nch || s->dd[4 * k + 1].nch || s->dd[4 * k + 2].nch || s->dd[4 * k + 3].nch);
}

/* String offsets o[0..n] of column k as read from rows [row0, row0 + n): rising, and inside the
 * column's bytes, or the file is damaged. */
static int check_offsets(const h5scan_st *s, int k, const rf_field *fd, const int64_t *o, int64_t n, int64_t row0)
{
    for (int64_t i = 0; i < n; i++)
        if (o[i + 1] < o[i]) return rf__err_set(RF_ERR_INVALID, "%s: corrupt string offsets in column '%s' at row %lld", s->fname, fd->name, (long long)(row0 + i));
    if (o[0] < 0 || o[n] > s->nbytes[k]) return rf__err_set(RF_ERR_INVALID, "%s: string offsets of column '%s' point outside its bytes", s->fname, fd->name);
    return RF_OK;
}

/* Checks row group g of column k whole against riffle's CRC-32C values (read into s->scratch). */
static int verify_group(h5scan_st *s, int k, const rf_field *fd, int64_t g)
{
    int64_t r0 = s->rg_off[g], rows = s->rg_rows[g];
    uint32_t c[3] = { 0, 0, 0 };
    bool str = fd->type == RF_TYPE_STRING;
    size_t w = str ? 8 : rf_type_width(fd->type);
    rf_buf *b = &s->scratch;
    b->len = 0;
    int rc = rf_buf_reserve(b, (size_t)(rows + 1) * (w > 8 ? w : 8));
    if (rc) return rc;
    if (str) {
        int64_t *o = (int64_t *)b->data;
        if (read_els(s, &s->dd[4 * k + 1], s->offs[k], H5T_NATIVE_INT64, r0, rows + 1, o) < 0)
            return rf__err_set(RF_ERR_IO, "%s: cannot read column '%s'", s->fname, fd->name);
        if ((rc = check_offsets(s, k, fd, o, rows, r0))) return rc;
        c[0] = rf_crc32c(0, o, (size_t)rows * 8);
        int64_t o0 = o[0], nb = o[rows] - o[0];
        b->len = 0;
        if ((rc = rf_buf_reserve(b, (size_t)nb + 1))) return rc;
        if (nb > 0 && read_els(s, &s->dd[4 * k + 2], s->bytes[k], H5T_NATIVE_UINT8, o0, nb, b->data) < 0)
            return rf__err_set(RF_ERR_IO, "%s: cannot read column '%s'", s->fname, fd->name);
        c[1] = rf_crc32c(0, b->data, (size_t)nb);
    } else {
        if (read_els(s, &s->dd[4 * k], s->data[k], s->mt[k], r0, rows, b->data) < 0) return rf__err_set(RF_ERR_IO, "%s: cannot read column '%s'", s->fname, fd->name);
        c[0] = rf_crc32c(0, b->data, (size_t)rows * w);
    }
    if (s->valid[k] >= 0) {
        if (read_els(s, &s->dd[4 * k + 3], s->valid[k], H5T_NATIVE_UINT8, r0, rows, b->data) < 0)
            return rf__err_set(RF_ERR_IO, "%s: cannot read the validity of column '%s'", s->fname, fd->name);
        c[2] = rf_crc32c(0, b->data, (size_t)rows);
    }
    const uint32_t *want = s->chk[k].want + (size_t)g * 4;
    if (c[0] != want[0] || c[1] != want[1] || c[2] != want[2])
        return rf__err_set(RF_ERR_INVALID, "%s: checksum mismatch in column '%s', rows %lld to %lld: the file is damaged", s->fname, fd->name,
                           (long long)r0, (long long)(r0 + rows - 1));
    return RF_OK;
}

/* Reads rows [s->pos, s->pos + n) of read column k into *out. */
static int read_col(rf_op *op, h5scan_st *s, int k, int64_t n, rf_column **out)
{
    const rf_source *src = op->plan->src;
    const rf_field *fd = &src->file_schema->f[src->read[k]];
    rf_column *c = NULL;
    int rc = rf_column_create(fd->type, n, &c);
    if (rc) return rc;
    c->len = n;
    *out = c;
    if (src->read[k] >= src->file_schema->n - src->n_part) return RF_OK;   /* a partition column: set by the caller */
    bool whole = s->chk && s->chk[k].want && direct_col(s, k);   /* its row groups checked whole first */
    if (whole) {
        h5check *ck = &s->chk[k];
        int64_t g = ck->verified > 0 ? ck->verified - 1 : 0;
        while (g < s->n_rg && s->rg_off[g] + s->rg_rows[g] <= s->pos) g++;
        for (; !rc && g < s->n_rg && s->rg_off[g] < s->pos + n; g++)
            if (g + 1 > ck->verified) {
                rc = verify_group(s, k, fd, g);
                ck->verified = g + 1;
            }
        if (rc) return rc;
    }
    if (fd->type == RF_TYPE_STRING) {
        int64_t *o = s->obuf;
        if (read_els(s, &s->dd[4 * k + 1], s->offs[k], H5T_NATIVE_INT64, s->pos, n + 1, o) < 0) rc = rf__err_set(RF_ERR_IO, "%s: cannot read column '%s'", s->fname, fd->name);
        if (!rc) rc = check_offsets(s, k, fd, o, n, s->pos);
        if (!rc && (rc = rf_column_reserve(c, n, o[n] - o[0]))) { /* reported */ }
        if (!rc && o[n] > o[0] && read_els(s, &s->dd[4 * k + 2], s->bytes[k], H5T_NATIVE_UINT8, o[0], o[n] - o[0], c->bytes) < 0)
            rc = rf__err_set(RF_ERR_IO, "%s: cannot read column '%s'", s->fname, fd->name);
        if (!rc) {
            int64_t *co = c->data;
            for (int64_t i = 0; i <= n; i++) co[i] = o[i] - o[0];
            c->nbytes = o[n] - o[0];
        }
    } else {
        if (read_els(s, &s->dd[4 * k], s->data[k], s->mt[k], s->pos, n, c->data) < 0) rc = rf__err_set(RF_ERR_IO, "%s: cannot read column '%s'", s->fname, fd->name);
    }
    c->len = n;
    bool nulls = false;
    if (!rc && s->valid[k] >= 0) {
        if (read_els(s, &s->dd[4 * k + 3], s->valid[k], H5T_NATIVE_UINT8, s->pos, n, s->vbuf) < 0) rc = rf__err_set(RF_ERR_IO, "%s: cannot read the validity of column '%s'", s->fname, fd->name);
        for (int64_t i = 0; !rc && i < n; i++) nulls |= !s->vbuf[i];
    }
    if (!rc && s->chk && s->chk[k].want && !whole) {   /* the bytes as the file holds them: raw offsets, the values before any change */
        bool str = fd->type == RF_TYPE_STRING;
        rc = check_rows(s, k, fd->name, s->pos, 0, n, str ? (const char *)s->obuf : (const char *)c->data, str ? 8 : rf_type_width(fd->type),
                        str ? c->bytes : NULL, s->obuf, s->obuf[0], s->valid[k] >= 0 ? s->vbuf : NULL);
    }
    if (!rc && nulls) {
        for (int64_t i = 0; i < n; i++)
            if (!s->vbuf[i]) {
                rf_column_set_null(c, i);
                if (!c->valid) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); break; }
            }
    }
    if (!rc && fd->type == RF_TYPE_BOOL)   /* any nonzero byte is true */
        for (int64_t i = 0; i < n; i++) ((uint8_t *)c->data)[i] = ((uint8_t *)c->data)[i] != 0;
    return rc;
}

/* The rows of key column c that may come before the top-n's bound, into sel; returns their count. */
static int64_t dynf_select(const rf_dynf *f, int64_t bound, const rf_column *c, int64_t *sel)
{
    int64_t n = c->len, m = 0;
    if (c->valid) {
        for (int64_t i = 0; i < n; i++) {
            sel[m] = i;
            m += !rf_column_valid(c, i) ? f->nulls_first : f->desc ? rf_column_get_int(c, i) >= bound : rf_column_get_int(c, i) <= bound;
        }
    } else if (rf_type_width(c->type) == 4) {
        const int32_t *v = c->data;
        if (f->desc) { for (int64_t i = 0; i < n; i++) { sel[m] = i; m += v[i] >= bound; } }
        else for (int64_t i = 0; i < n; i++) { sel[m] = i; m += v[i] <= bound; }
    } else {
        const int64_t *v = c->data;
        if (f->desc) { for (int64_t i = 0; i < n; i++) { sel[m] = i; m += v[i] >= bound; } }
        else for (int64_t i = 0; i < n; i++) { sel[m] = i; m += v[i] <= bound; }
    }
    return m;
}

static int next(rf_op *op, rf_batch **out)
{
    h5scan_st *s = op->st;
    const rf_source *src = op->plan->src;
    int nr = src->n_read, rc = RF_OK;
    rf_batch *b = NULL;
    rf_column *key = NULL;
    *out = NULL;
    if (!s->vbuf && !(s->vbuf = rf_malloc((size_t)op->ctx->batch_rows + 1))) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    if (!s->obuf && !(s->obuf = rf_malloc(((size_t)op->ctx->batch_rows + 1) * 8))) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    const rf_dynf *f = s->dynf;
    if (f && !s->sel && !(s->sel = rf_malloc(((size_t)op->ctx->batch_rows + 1) * sizeof *s->sel))) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    int64_t n = 0, m = -1, bound = 0;   /* m: the rows of the batch that pass the top-n's bound (-1: all) */
    for (;;) {
        if (s->pos >= s->end) return RF_OK;
        n = s->end - s->pos < op->ctx->batch_rows ? s->end - s->pos : op->ctx->batch_rows;
        if (!f || !rf__dynf_bound(f, &bound)) break;
        /* a top-n above has a bound: the key column first, the rest only when a row may pass */
        RF_TRY(read_col(op, s, f->col, n, &key));
        if ((m = dynf_select(f, bound, key, s->sel)) > 0) break;
        rf_column_release(&key);
        for (int k = 0; s->chk && k < nr; k++)   /* the other columns skip these rows: no running CRC spans them */
            if (k != f->col) s->chk[k].whole = false;
        s->pos += n;
    }
    RF_TRY(rf_batch_create(op->plan->schema->n, n, &b));
    for (int k = 0; k < nr && !rc; k++) {
        if (key && k == f->col) { b->cols[k] = key; key = NULL; continue; }
        rc = read_col(op, s, k, n, &b->cols[k]);
    }
    b->nrows = n;
    if (!rc && src->n_part) rc = rf__partition_values(src, src->split_file[op->task], b);
    if (rc) goto done;
    s->pos += n;
    if (m >= 0 && m < n) {   /* only the rows that may come before the bound */
        rf_batch *g = NULL;
        RF_TRY(rf_batch_gather(b, s->sel, m, &g));
        rf_batch_destroy(&b);
        b = g;
    }
    *out = b;
    return RF_OK;
done:
    rf_column_release(&key);
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
        if (s->mt && s->mt[k] >= 0) H5Tclose(s->mt[k]);
    }
    if (s->f >= 0) H5Fclose(s->f);
    rf__h5_unlock();
    if (s->fd >= 0) close(s->fd);
    for (int k = 0; s->dd && k < 4 * op->plan->src->n_read; k++) rf_free(s->dd[k].addr);
    rf_free(s->dd);
    rf_free(s->data); rf_free(s->offs); rf_free(s->bytes); rf_free(s->valid); rf_free(s->nbytes); rf_free(s->mt);
    rf_free(s->vbuf); rf_free(s->obuf); rf_free(s->sel);
    rf_buf_fini(&s->scratch);
    for (int k = 0; s->chk && k < op->plan->src->n_read; k++) rf_free(s->chk[k].want);
    rf_free(s->chk); rf_free(s->rg_off); rf_free(s->rg_rows);
    RF_FREE(op->st);
}

const rf_op_vt rf__op_h5scan_vt = { "Scan", open_, next, close_ };
