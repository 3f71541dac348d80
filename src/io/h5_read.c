/*
 * h5_read.c — reading riffle's HDF5 tables: the metadata a scan plans with (schema, row groups and
 * their statistics) and the checks that make a bad file an error instead of a crash.
 *
 * Every file is checked before anything is allocated from its numbers: the format version, that
 * the schema attributes agree, that every column's datasets exist with the expected type class and
 * length, that row groups tile the rows. External links, and datasets stored outside the file
 * (external storage, virtual datasets), are refused: a table must not read files it does not name.
 */
#include <stdlib.h>
#include <strings.h>
#include "io/h5.h"

typedef struct { const char *path; int rc; } rctx;

static int bad(rctx *r, const char *fmt, const char *what)
{
    if (!r->rc) r->rc = rf__err_set(RF_ERR_INVALID, "%s: %s%s", r->path, fmt, what ? what : "");
    return r->rc;
}

/* Refuses links that leave the file, and data stored outside it. */
static bool safe_link(rctx *r, hid_t loc, const char *name)
{
    H5L_info_t li;
    if (H5Lget_info(loc, name, &li, H5P_DEFAULT) < 0) return false;
    if (li.type != H5L_TYPE_HARD) { bad(r, "refusing a soft or external link: ", name); return false; }
    return true;
}

static bool exists(hid_t loc, const char *name) { return H5Lexists(loc, name, H5P_DEFAULT) > 0; }

/* Opens dataset name of rank 1 and length want (want < 0: any), with its storage inside the file. */
static hid_t open_ds(rctx *r, hid_t g, const char *name, H5T_class_t cls, size_t size, int64_t want, int64_t *len)
{
    if (!exists(g, name)) { bad(r, "missing dataset table/", name); return -1; }
    if (!safe_link(r, g, name)) return -1;
    hid_t d = H5Dopen2(g, name, H5P_DEFAULT);
    if (d < 0) { bad(r, "cannot open dataset table/", name); return -1; }
    hid_t dcpl = H5Dget_create_plist(d), sp = H5Dget_space(d), t = H5Dget_type(d);
    hsize_t dims[2] = { 0, 0 };
    int nd = H5Sget_simple_extent_ndims(sp);
    if (nd == 1) H5Sget_simple_extent_dims(sp, dims, NULL);
    bool ok = true;
    if (H5Pget_external_count(dcpl) > 0 || H5Pget_layout(dcpl) == H5D_VIRTUAL) { bad(r, "refusing data stored outside the file in ", name); ok = false; }
    else if (nd != 1) { bad(r, "dataset is not one-dimensional: ", name); ok = false; }
    else if (H5Tget_class(t) != cls || (size && H5Tget_size(t) != size)) { bad(r, "dataset has an unexpected type: ", name); ok = false; }
    else if (want >= 0 && (int64_t)dims[0] != want) { bad(r, "dataset has the wrong length: ", name); ok = false; }
    H5Pclose(dcpl);
    H5Sclose(sp);
    H5Tclose(t);
    if (!ok) { H5Dclose(d); return -1; }
    if (len) *len = (int64_t)dims[0];
    return d;
}

static bool read_i64_attr(rctx *r, hid_t obj, const char *name, int64_t *v)
{
    if (H5Aexists(obj, name) <= 0) { bad(r, "missing attribute ", name); return false; }
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t sp = a >= 0 ? H5Aget_space(a) : -1;
    bool ok = a >= 0 && H5Sget_simple_extent_npoints(sp) == 1 && H5Aread(a, H5T_NATIVE_INT64, v) >= 0;
    if (sp >= 0) H5Sclose(sp);
    if (a >= 0) H5Aclose(a);
    if (!ok) bad(r, "unreadable attribute ", name);
    return ok;
}

/* A 1-D attribute of strings; *out returned-owned (n strings). Format version 2 stores them
 * fixed-length (their bytes are inside the checksummed object header: a damaged file cannot make
 * the library follow a bad heap reference); version 1 files hold variable-length strings. */
static bool read_strs_attr(rctx *r, hid_t obj, const char *name, int version, char ***out, int *n)
{
    *out = NULL;
    *n = 0;
    if (H5Aexists(obj, name) <= 0) { bad(r, "missing attribute table.", name); return false; }
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT), sp = a >= 0 ? H5Aget_space(a) : -1, ft = a >= 0 ? H5Aget_type(a) : -1;
    hssize_t np = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    bool ok = a >= 0 && sp >= 0 && ft >= 0 && H5Tget_class(ft) == H5T_STRING && np >= 0 && np <= 100000;
    bool vl = ok && H5Tis_variable_str(ft) > 0;
    size_t w = ok && !vl ? H5Tget_size(ft) : 0;
    if (ok && (vl != (version < 2) || (!vl && (w < 1 || w > 65536 || (size_t)np * w > ((size_t)64 << 20))))) ok = false;
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, vl ? H5T_VARIABLE : (w ? w : 1));
    if (!vl) H5Tset_strpad(mt, H5T_STR_NULLPAD);
    if (ft >= 0) H5Tset_cset(mt, H5Tget_cset(ft));   /* HDF5 does not convert between ASCII and UTF-8 */
    char **v = NULL, *fixed = NULL;
    if (ok && vl && !(v = rf_calloc((size_t)np + 1, sizeof *v))) ok = false;
    if (ok && !vl && !(fixed = rf_calloc((size_t)np * w + 1, 1))) ok = false;
    if (ok && np > 0 && H5Aread(a, mt, vl ? (void *)v : (void *)fixed) < 0) ok = false;
    if (ok) {
        *out = rf_calloc((size_t)np + 1, sizeof **out);
        for (hssize_t i = 0; *out && i < np; i++) {
            (*out)[i] = vl ? rf_strdup(v[i] ? v[i] : "") : rf_strndup(fixed + (size_t)i * w, strnlen(fixed + (size_t)i * w, w));
            if (!(*out)[i]) { for (hssize_t k = 0; k < i; k++) rf_free((*out)[k]); RF_FREE(*out); }
        }
        ok = *out != NULL;
        *n = ok ? (int)np : 0;
    }
    if (v && np > 0 && ok) H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, v);
    rf_free(v);
    rf_free(fixed);
    H5Tclose(mt);
    if (ft >= 0) H5Tclose(ft);
    if (sp >= 0) H5Sclose(sp);
    if (a >= 0) H5Aclose(a);
    if (!ok) bad(r, "unreadable attribute table.", name);
    return ok;
}

static bool read_all(rctx *r, hid_t d, hid_t mt, void *buf, const char *name)
{
    if (H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) { bad(r, "cannot read ", name); return false; }
    return true;
}

/* Statistics of one column over R row groups into rg (rows [g0, g0 + R), column c). */
static void read_stats(rctx *r, hid_t gr, const rf_field *f, int c, rf_rowgroups *rg, int64_t g0, int64_t R)
{
    char nm[1200];
    bool str = f->type == RF_TYPE_STRING;
    size_t w = str ? RF_H5_STR_STATS : rf_type_width(f->type);
    H5T_class_t cls = str ? H5T_STRING : rf_type_is_decimal(f->type) ? H5T_COMPOUND : f->type == RF_TYPE_DOUBLE ? H5T_FLOAT : H5T_INTEGER;
    char *mn = rf_malloc((size_t)R * w + 1), *mx = rf_malloc((size_t)R * w + 1);
    int64_t *nulls = rf_malloc((size_t)R * 8 + 8);
    hid_t dmin = -1, dmax = -1, dn = -1;
    if (!mn || !mx || !nulls) { r->rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); goto out; }
    rf__h5_dsname(f->name, ".min", nm, sizeof nm);
    dmin = open_ds(r, gr, nm, cls, w, R, NULL);
    rf__h5_dsname(f->name, ".max", nm, sizeof nm);
    dmax = dmin >= 0 ? open_ds(r, gr, nm, cls, w, R, NULL) : -1;
    rf__h5_dsname(f->name, ".nulls", nm, sizeof nm);
    dn = dmax >= 0 ? open_ds(r, gr, nm, H5T_INTEGER, 8, R, NULL) : -1;
    if (dn < 0) goto out;
    hid_t mt = -1;
    if (str) { mt = H5Tcopy(H5T_C_S1); H5Tset_size(mt, RF_H5_STR_STATS); H5Tset_strpad(mt, H5T_STR_NULLPAD); }
    else mt = rf__h5_type(f->type);
    bool ok = R == 0 || (read_all(r, dmin, mt, mn, "row-group minimums") && read_all(r, dmax, mt, mx, "row-group maximums") &&
                         read_all(r, dn, H5T_NATIVE_INT64, nulls, "row-group null counts"));
    H5Tclose(mt);
    rf__h5_dsname(f->name, ".crc", nm, sizeof nm);
    if (ok && R > 0 && exists(gr, nm)) {   /* riffle's checksums: the statistics are what was written */
        uint32_t *crc = rf_malloc((size_t)R * 4 * sizeof *crc);
        hid_t dc = crc ? open_ds(r, gr, nm, H5T_INTEGER, 4, R * 4, NULL) : -1;
        ok = dc >= 0 && read_all(r, dc, H5T_NATIVE_UINT32, crc, "row-group checksums");
        for (int64_t i = 0; ok && i < R; i++) {
            uint32_t c3 = rf_crc32c(rf_crc32c(rf_crc32c(0, mn + (size_t)i * w, w), mx + (size_t)i * w, w), &nulls[i], 8);
            if (c3 != crc[i * 4 + 3]) { bad(r, "checksum mismatch (the file is damaged) in the statistics of column ", f->name); ok = false; }
        }
        if (dc >= 0) H5Dclose(dc);
        rf_free(crc);
        if (!crc && !r->rc) r->rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    }
    for (int64_t i = 0; ok && i < R; i++) {
        int64_t k = (g0 + i) * rg->ncols + c;
        rf_value *vmin = &rg->min[k], *vmax = &rg->max[k];
        rg->nulls[k] = nulls[i];
        if (nulls[i] < 0 || nulls[i] > rg->rows[g0 + i]) { bad(r, "row-group null count out of range for column ", f->name); break; }
        if (nulls[i] == rg->rows[g0 + i]) continue;   /* no values: no bounds */
        const char *a = mn + (size_t)i * w, *b = mx + (size_t)i * w;
        if (str) {
            size_t la = strnlen(a, RF_H5_STR_STATS), lb = strnlen(b, RF_H5_STR_STATS);
            bool unbounded = true;
            for (size_t j = 0; j < RF_H5_STR_STATS; j++) unbounded &= (unsigned char)b[j] == 0xFF;
            vmin->type = RF_TYPE_STRING;
            vmin->v.s.p = rf_strndup(a, la);
            vmin->v.s.len = (int64_t)la;
            if (!unbounded) {
                vmax->type = RF_TYPE_STRING;
                vmax->v.s.p = rf_strndup(b, lb);
                vmax->v.s.len = (int64_t)lb;
            }
            if (!vmin->v.s.p || (!unbounded && !vmax->v.s.p)) { r->rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); break; }
            continue;
        }
        vmin->type = vmax->type = f->type;
        switch (rf_type_base(f->type)) {
        case RF_TYPE_DOUBLE: memcpy(&vmin->v.d, a, 8); memcpy(&vmax->v.d, b, 8); break;
        case RF_TYPE_DECIMAL: memcpy(&vmin->v.x, a, 16); memcpy(&vmax->v.x, b, 16); break;
        case RF_TYPE_BOOL: vmin->v.b = a[0] != 0; vmax->v.b = b[0] != 0; break;
        case RF_TYPE_INT32: case RF_TYPE_DATE: { int32_t x, y; memcpy(&x, a, 4); memcpy(&y, b, 4); vmin->v.i = x; vmax->v.i = y; break; }
        default: memcpy(&vmin->v.i, a, 8); memcpy(&vmax->v.i, b, 8); break;
        }
    }
out:
    if (dmin >= 0) H5Dclose(dmin);
    if (dmax >= 0) H5Dclose(dmax);
    if (dn >= 0) H5Dclose(dn);
    rf_free(mn); rf_free(mx); rf_free(nulls);
}

/* Checks the column datasets of one file against its row count. */
static void check_columns(rctx *r, hid_t g, const rf_schema *s, int64_t N)
{
    char nm[1200];
    for (int c = 0; c < s->n && !r->rc; c++) {
        const rf_field *f = &s->f[c];
        hid_t d = -1;
        if (f->type == RF_TYPE_STRING) {
            int64_t nb = 0;
            rf__h5_dsname(f->name, ".offsets", nm, sizeof nm);
            if ((d = open_ds(r, g, nm, H5T_INTEGER, 8, N + 1, NULL)) >= 0) H5Dclose(d);
            rf__h5_dsname(f->name, ".bytes", nm, sizeof nm);
            if (!r->rc && (d = open_ds(r, g, nm, H5T_INTEGER, 1, -1, &nb)) >= 0) H5Dclose(d);
        } else {
            rf__h5_dsname(f->name, NULL, nm, sizeof nm);
            H5T_class_t cls = rf_type_is_decimal(f->type) ? H5T_COMPOUND : f->type == RF_TYPE_DOUBLE ? H5T_FLOAT : H5T_INTEGER;
            if ((d = open_ds(r, g, nm, cls, rf_type_width(f->type), N, NULL)) >= 0) H5Dclose(d);
        }
        rf__h5_dsname(f->name, ".valid", nm, sizeof nm);
        if (!r->rc && exists(g, nm) && (d = open_ds(r, g, nm, H5T_INTEGER, 1, N, NULL)) >= 0) H5Dclose(d);
    }
}

static int grow_rg(rf_rowgroups *rg, int64_t need)
{
    if (need <= rg->cap) return RF_OK;
    int64_t nc = rg->cap ? rg->cap : 64;
    while (nc < need) nc *= 2;
    size_t nv = (size_t)nc * (size_t)(rg->ncols ? rg->ncols : 1);
    int32_t *f = rf_realloc(rg->file, (size_t)nc * sizeof *f);
    if (f) rg->file = f;
    int64_t *o = rf_realloc(rg->off, (size_t)nc * 8);
    if (o) rg->off = o;
    int64_t *w = rf_realloc(rg->rows, (size_t)nc * 8);
    if (w) rg->rows = w;
    rf_value *mn = rf_realloc(rg->min, nv * sizeof *mn);
    if (mn) rg->min = mn;
    rf_value *mx = rf_realloc(rg->max, nv * sizeof *mx);
    if (mx) rg->max = mx;
    int64_t *nu = rf_realloc(rg->nulls, nv * 8);
    if (nu) rg->nulls = nu;
    if (!f || !o || !w || !mn || !mx || !nu) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    size_t old = (size_t)rg->cap * (size_t)rg->ncols;
    memset(rg->min + old, 0, (nv - old) * sizeof *mn);
    memset(rg->max + old, 0, (nv - old) * sizeof *mx);
    rg->cap = nc;
    return RF_OK;
}

int rf__h5_read_meta(const char *path, rf_source *src, int fi)
{
    bool first = fi == 0;
    rctx r = { .path = path };
    char **names = NULL, **types = NULL;
    int nn = 0, nt = 0;
    rf_schema *s = NULL;
    rf__h5_lock();
    rf__h5_quiet();
    if (H5Fis_hdf5(path) <= 0) {
        rf__h5_unlock();
        return rf__err_set(RF_ERR_INVALID, "%s: not an HDF5 file (or truncated or corrupt)", path);
    }
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT), g = -1, gr = -1, d1 = -1, d2 = -1;
    if (f < 0) { rf__h5_unlock(); return rf__err_set(RF_ERR_INVALID, "%s: cannot open as HDF5 (truncated or corrupt)", path); }
    int64_t version = 0, N = 0, R = 0;
    if (H5Aexists(f, "riffle_format_version") <= 0) { bad(&r, "not a riffle table (no riffle_format_version attribute; see docs/FORMAT.md)", NULL); goto out; }
    if (!read_i64_attr(&r, f, "riffle_format_version", &version)) goto out;
    if (version < 1 || version > RF_H5_FORMAT_VERSION) {
        r.rc = rf__err_set(RF_ERR_INVALID, "%s: riffle format version %lld is not supported (this riffle reads versions 1 to %d)", path,
                           (long long)version, RF_H5_FORMAT_VERSION);
        goto out;
    }
    if (!exists(f, RF_H5_GROUP) || !safe_link(&r, f, RF_H5_GROUP)) { bad(&r, "missing group /" RF_H5_GROUP, NULL); goto out; }
    g = H5Gopen2(f, RF_H5_GROUP, H5P_DEFAULT);
    if (g < 0) { bad(&r, "cannot open group /" RF_H5_GROUP, NULL); goto out; }
    if (!read_strs_attr(&r, g, "columns", (int)version, &names, &nn) || !read_strs_attr(&r, g, "types", (int)version, &types, &nt)) goto out;
    if (nn != nt || nn == 0) { bad(&r, "attributes table.columns and table.types disagree", NULL); goto out; }
    if (!read_i64_attr(&r, g, "num_rows", &N) || !read_i64_attr(&r, g, "num_row_groups", &R)) goto out;
    if (N < 0 || R < 0 || R > N || (N > 0 && R == 0)) { bad(&r, "row and row-group counts are inconsistent", NULL); goto out; }
    if (rf_schema_create(nn, &s)) { r.rc = RF_ERR_NOMEM; goto out; }
    for (int c = 0; c < nn; c++) {
        rf_type t;
        if (rf_type_parse(types[c], &t) || rf_type_is_nested(t)) {
            r.rc = rf__err_set(RF_ERR_INVALID, "%s: column '%s' has an unknown type '%s'", path, names[c], types[c]);
            goto out;
        }
        s->f[c] = (rf_field){ .name = rf_strdup(names[c]), .type = t, .nullable = true };
        for (int k = 0; k < c; k++)
            if (!strcasecmp(names[k], names[c])) { r.rc = rf__err_set(RF_ERR_INVALID, "%s: column '%s' appears twice", path, names[c]); goto out; }
    }
    if (first) {
        src->file_schema = s;
        s = NULL;
        if (!(src->rg = rf_calloc(1, sizeof *src->rg))) { r.rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); goto out; }
        atomic_init(&src->rg->refs, 1);
        src->rg->ncols = src->file_schema->n;
    } else {
        const rf_schema *a = src->file_schema;
        bool same = a->n == s->n;
        for (int c = 0; same && c < s->n; c++) same = !strcmp(a->f[c].name, s->f[c].name) && a->f[c].type == s->f[c].type;
        if (!same) {
            r.rc = rf__err_set(RF_ERR_INVALID, "%s: its columns differ from those of %s (every file of a table must have the same columns and types)",
                               path, src->files[0]);
            goto out;
        }
    }
    const rf_schema *fs = src->file_schema;
    check_columns(&r, g, fs, N);
    if (r.rc) goto out;
    /* row groups: they must tile [0, N) */
    if (!exists(f, RF_H5_RG_GROUP)) { bad(&r, "missing group /" RF_H5_RG_GROUP, NULL); goto out; }
    gr = H5Gopen2(f, RF_H5_RG_GROUP, H5P_DEFAULT);
    if (gr < 0 || (d1 = open_ds(&r, gr, "offset", H5T_INTEGER, 8, R, NULL)) < 0 || (d2 = open_ds(&r, gr, "rows", H5T_INTEGER, 8, R, NULL)) < 0) {
        bad(&r, "cannot read the row groups", NULL);
        goto out;
    }
    rf_rowgroups *rg = src->rg;
    int64_t g0 = rg->n;
    if ((r.rc = grow_rg(rg, g0 + R))) goto out;
    if (R && (!read_all(&r, d1, H5T_NATIVE_INT64, rg->off + g0, "row-group offsets") || !read_all(&r, d2, H5T_NATIVE_INT64, rg->rows + g0, "row-group sizes"))) goto out;
    if (R && exists(gr, ".layout.crc")) {   /* riffle's checksums of the row-group layout */
        uint32_t *crc = rf_malloc((size_t)R * sizeof *crc);
        hid_t dc = crc ? open_ds(&r, gr, ".layout.crc", H5T_INTEGER, 4, R, NULL) : -1;
        bool ok = dc >= 0 && read_all(&r, dc, H5T_NATIVE_UINT32, crc, "row-group checksums");
        for (int64_t i = 0; ok && i < R; i++) {
            int64_t v[2] = { rg->off[g0 + i], rg->rows[g0 + i] };
            if (rf_crc32c(0, v, sizeof v) != crc[i]) { bad(&r, "checksum mismatch (the file is damaged) in the row groups", NULL); ok = false; }
        }
        if (dc >= 0) H5Dclose(dc);
        rf_free(crc);
        if (!crc && !r.rc) r.rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
        if (r.rc) goto out;
    }
    int64_t at = 0;
    for (int64_t i = 0; i < R; i++) {
        if (rg->off[g0 + i] != at || rg->rows[g0 + i] <= 0 || rg->rows[g0 + i] > N - at) { bad(&r, "row groups do not cover the rows in order", NULL); goto out; }
        at += rg->rows[g0 + i];
        rg->file[g0 + i] = fi;
    }
    if (at != N) { bad(&r, "row groups do not cover every row", NULL); goto out; }
    rg->n = g0 + R;
    for (int c = 0; c < fs->n && !r.rc; c++) read_stats(&r, gr, &fs->f[c], c, rg, g0, R);
    if (!r.rc) {
        int64_t *fr = rf_realloc(rg->file_rows, (size_t)(fi + 1) * 8);
        if (!fr) r.rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
        else { rg->file_rows = fr; fr[fi] = N; }
    }
out:
    if (d1 >= 0) H5Dclose(d1);
    if (d2 >= 0) H5Dclose(d2);
    if (gr >= 0) H5Gclose(gr);
    if (g >= 0) H5Gclose(g);
    H5Fclose(f);
    rf__h5_unlock();
    for (int i = 0; i < nn; i++) rf_free(names[i]);
    for (int i = 0; i < nt; i++) rf_free(types[i]);
    rf_free(names);
    rf_free(types);
    rf_schema_destroy(&s);
    return r.rc;
}

hid_t rf__h5_open_read(const char *path, bool mpio)
{
    rf__h5_quiet();
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (mpio) H5Pset_fapl_mpio(fapl, MPI_COMM_SELF, MPI_INFO_NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, fapl);
    H5Pclose(fapl);
    return f;
}
