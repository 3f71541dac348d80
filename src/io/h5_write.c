/*
 * h5_write.c — writes one HDF5 table file (docs/FORMAT.md) with every rank of the job at once.
 *
 * Each rank brings the rows of its tasks. The ranks first agree, with one Allreduce, on every
 * task's row count and string bytes; from those each rank knows where each of its tasks' rows go
 * (task order, so the file holds the same rows in the same order at any rank count). Then the
 * file, its groups, attributes and datasets are created collectively with their final sizes, and
 * every rank writes its hyperslabs — one write per dataset, collective or independent transfers
 * (riffle.hdf5.collectiveWrite). A rank with no rows still takes part with an empty selection.
 * Each task's rows form its own row groups of at most rg_rows rows, with min / max / null count
 * per column, written beside the data (table/_rowgroups).
 *
 * Every chunked dataset carries HDF5's Fletcher-32 checksum unless riffle.hdf5.checksum=false, and
 * the metadata uses the 1.8 format (object headers and superblock with checksums), so a damaged file
 * is an error when read, never wrong numbers. Column names are fixed-length string attributes.
 *
 * Errors: the ranks agree on local failures (out of memory) before the first collective HDF5
 * call. Disk space is allocated before it (rank 0 makes the empty file and preallocates the blocks
 * the whole file needs), so a full disk or an exhausted quota is one clear error on every rank
 * instead of a failure inside HDF5's collective sequence, which can leave ranks in different
 * collectives. Inside the sequence a failing call is remembered and the sequence goes on, and the
 * ranks agree after the datasets are created and after each column, so no rank leaves the others
 * waiting; the caller agrees on the result afterwards.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/statvfs.h>
#include "io/h5.h"
#include "io/files.h"
#include "io/partition.h"
#include "core/comm.h"

typedef struct {
    hid_t dxpl;
    int   deflate;
    bool  checksum;       /* Fletcher-32 on every chunked dataset */
    int   rc;             /* first failure, kept while the collective sequence continues */
    const char *path;
} wctx;

static void fail_at(wctx *w, const char *what, const char *name)
{
    if (!w->rc) w->rc = rf__err_set(RF_ERR_IO, "%s: HDF5 %s failed%s%s", w->path, what, name ? " for " : "", name ? name : "");
}

/* A 1-D dataset of n elements; chunked (chunk elements, or the whole dataset when chunk is 0 and
 * checksums are on) with deflate and the checksum filter. */
static hid_t mkds(wctx *w, hid_t g, const char *name, hid_t type, hsize_t n, hsize_t chunk)
{
    hid_t sp = H5Screate_simple(1, &n, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (chunk == 0 && w->checksum) chunk = n < (1 << 20) ? n : (1 << 20);
    H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER);   /* allocation writes nothing: every byte is written by the data */
    if (n > 0 && chunk > 0) {
        hsize_t c = chunk < n ? chunk : n;
        H5Pset_chunk(dcpl, 1, &c);
        if (w->deflate > 0) H5Pset_deflate(dcpl, (unsigned)w->deflate);
        if (w->checksum) H5Pset_fletcher32(dcpl);
    }
    hid_t ds = H5Dcreate2(g, name, type, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (ds < 0) fail_at(w, "dataset create", name);
    H5Pclose(dcpl);
    H5Sclose(sp);
    return ds;
}

/* Writes buf (mem_n elements of memtype) into the union of [start[i], start[i] + count[i]). */
static void wr(wctx *w, hid_t ds, hid_t memtype, const void *buf, const hsize_t *start, const hsize_t *count, int nsel, hsize_t mem_n)
{
    if (ds < 0) { fail_at(w, "write", "an uncreated dataset"); return; }
    hid_t fs = H5Dget_space(ds);
    if (H5Sget_simple_extent_npoints(fs) == 0) { H5Sclose(fs); return; }   /* nothing to write (the same on every rank) */
    H5Sselect_none(fs);
    for (int i = 0; i < nsel; i++)
        if (count[i] > 0) H5Sselect_hyperslab(fs, H5S_SELECT_OR, &start[i], NULL, &count[i], NULL);
    hsize_t one = mem_n ? mem_n : 1;
    hid_t ms = H5Screate_simple(1, &one, NULL);
    if (!mem_n) H5Sselect_none(ms);
    static const char dummy[16];
    if (H5Dwrite(ds, memtype, ms, fs, w->dxpl, buf ? buf : dummy) < 0) fail_at(w, "write", NULL);
    H5Sclose(ms);
    H5Sclose(fs);
}

static void attr_i64(wctx *w, hid_t obj, const char *name, int64_t v)
{
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, H5T_STD_I64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0 || H5Awrite(a, H5T_NATIVE_INT64, &v) < 0) fail_at(w, "attribute", name);
    if (a >= 0) H5Aclose(a);
    H5Sclose(sp);
}

/* A 1-D attribute of n fixed-length UTF-8 strings (NUL-padded to the longest). */
static void attr_strs(wctx *w, hid_t obj, const char *name, const char **v, int n)
{
    hsize_t dn = (hsize_t)n;
    size_t width = 1;
    for (int i = 0; i < n; i++) if (strlen(v[i]) > width) width = strlen(v[i]);
    char *buf = rf_calloc((size_t)(n ? n : 1), width);
    for (int i = 0; buf && i < n; i++) memcpy(buf + (size_t)i * width, v[i], strlen(v[i]));
    hid_t sp = n ? H5Screate_simple(1, &dn, NULL) : H5Screate(H5S_NULL);
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, width);
    H5Tset_strpad(t, H5T_STR_NULLPAD);
    H5Tset_cset(t, H5T_CSET_UTF8);
    hid_t a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0 || !buf || (n && H5Awrite(a, t, buf) < 0)) fail_at(w, "attribute", name);
    if (a >= 0) H5Aclose(a);
    rf_free(buf);
    H5Tclose(t);
    H5Sclose(sp);
}

/* Bytes a dataset of n elements of `width` bytes takes in chunks of `chunk` elements. */
static int64_t chunked_bytes(int64_t n, int64_t chunk, int64_t width)
{
    if (n <= 0) return 0;
    if (chunk <= 0 || chunk > n) chunk = n;
    int64_t nch = (n + chunk - 1) / chunk;
    return nch * (chunk * width + 64);
}

/* Collective. Makes path an empty HDF5 file with `need` bytes of disk blocks allocated for it,
 * before any collective HDF5 call: rank 0 creates it with the POSIX driver and preallocates
 * (fallocate, FALLOC_FL_KEEP_SIZE), so a full disk or an exhausted quota is one clear error on
 * every rank; the collective sequence then writes into blocks that already exist (the MPI-IO driver
 * trims the file to its end at close). Where the file system cannot preallocate, its free space is
 * compared instead. */
static int prepare_file(MPI_Comm comm, const char *path, int64_t need, rf_error *err)
{
    int rank = 0, rc = RF_OK;
    MPI_Comm_rank(comm, &rank);
    if (rank == 0) {
        rf__h5_lock();
        rf__h5_quiet();
        hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
        H5Pset_libver_bounds(fapl, H5F_LIBVER_V110, H5F_LIBVER_V110);
        errno = 0;
        hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
        H5Pclose(fapl);
        int e = 0;
        if (f < 0 || H5Fclose(f) < 0) e = errno ? errno : EIO;
        rf__h5_unlock();
        if (!e) {
            int fd = open(path, O_WRONLY | O_CLOEXEC);
#ifdef FALLOC_FL_KEEP_SIZE
            e = fd < 0 ? errno : fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)need) == 0 ? 0 : errno;
#else
            e = fd < 0 ? errno : EOPNOTSUPP;   /* posix_fallocate would change the size HDF5 reads: compare free space */
#endif
            if (fd >= 0) close(fd);
        }
        if (e == ENOSPC || e == EDQUOT || e == EFBIG)
            rc = rf__err_set(RF_ERR_IO, "%s: %s: writing the file needs about %.1f MB", path,
                             e == EDQUOT ? "disk quota exceeded" : "no space left on device", (double)need / 1e6);
        else if (e == EOPNOTSUPP || e == EINVAL || e == ENOSYS) {   /* no preallocation here: the free space says it */
            char dir[4300];
            snprintf(dir, sizeof dir, "%s", path);
            char *sl = strrchr(dir, '/');
            if (sl) *sl = '\0'; else snprintf(dir, sizeof dir, ".");
            struct statvfs v;
            if (statvfs(dir, &v) == 0 && (int64_t)v.f_bavail * (int64_t)v.f_frsize < need)
                rc = rf__err_set(RF_ERR_IO, "%s: no space left on device: writing the file needs about %.1f MB, %.1f MB are free", path,
                                 (double)need / 1e6, (double)v.f_bavail * (double)v.f_frsize / 1e6);
        } else if (e) rc = rf__err_set(RF_ERR_IO, "%s: cannot create: %s", path, strerror(e));
        if (rc) unlink(path);
    }
    return rf__agree(comm, rc, err);
}

/* An upper bound for strings starting with p[0..n) when only RF_H5_STR_STATS bytes are kept. */
static void str_upper(const char *p, int64_t n, char *out)
{
    memset(out, 0, RF_H5_STR_STATS);
    bool nul = memchr(p, 0, (size_t)n) != NULL;
    if (n <= RF_H5_STR_STATS && !nul) { memcpy(out, p, (size_t)n); return; }
    int k = RF_H5_STR_STATS - 1;
    if (!nul) {
        memcpy(out, p, RF_H5_STR_STATS);
        while (k >= 0 && (unsigned char)out[k] == 0xFF) out[k--] = 0;
        if (k >= 0) { out[k]++; return; }
    }
    memset(out, 0xFF, RF_H5_STR_STATS);   /* no bound: readers treat all-0xFF as unbounded */
}

int rf__h5_write_file(MPI_Comm comm, const char *path, const rf_schema *s, int64_t n_tasks, const int64_t *tasks,
                      int nlocal, const rf_h5_src *src, int64_t rg_rows, int64_t round_rows, int deflate, bool checksum,
                      int collective, rf_error *err)
{
    int nc = s->n, rc = RF_OK, rank;
    MPI_Comm_rank(comm, &rank);
    if (rg_rows < 1) rg_rows = 1;
    /* ---- local preparation, agreed on before any collective HDF5 call */
    int *str_idx = rf_calloc((size_t)nc + 1, sizeof *str_idx), nstr = 0;
    int64_t w = 0;
    int64_t *glob = NULL, *anynull = rf_calloc((size_t)nc + 1, sizeof *anynull);
    if (!str_idx || !anynull) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int c = 0; c < nc && !rc; c++) {
        str_idx[c] = s->f[c].type == RF_TYPE_STRING ? nstr++ : -1;
        if (rf_type_is_nested(s->f[c].type))
            rc = rf__err_set(RF_ERR_INVALID, "%s: column '%s' is %s, which HDF5 tables cannot hold yet (to_json() makes it a string)", path, s->f[c].name, rf_type_name(s->f[c].type));
    }
    w = 1 + nstr;
    if (!rc && !(glob = rf_calloc((size_t)(n_tasks * w) + 1, sizeof *glob))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int k = 0; k < nlocal && !rc; k++) {   /* this rank's tasks: rows and string bytes */
        glob[tasks[k] * w] = src->rows[k];
        for (int c = 0; c < nc; c++)
            if (str_idx[c] >= 0) glob[tasks[k] * w + 1 + str_idx[c]] = src->sbytes[(int64_t)k * nc + c];
    }
    for (int c = 0; c < nc && !rc; c++) anynull[c] = src->anynull[c];
    if (!rc && n_tasks * w > INT_MAX) rc = rf__err_set(RF_ERR_LIMIT, "%s: %lld tasks write one HDF5 file; at most %d", path, (long long)n_tasks, INT_MAX / (int)w);
    if ((rc = rf__agree(comm, rc, err))) goto out;
    if ((rc = MPI_Allreduce(MPI_IN_PLACE, glob, (int)(n_tasks * w), MPI_INT64_T, MPI_SUM, comm)) != MPI_SUCCESS ||
        (rc = MPI_Allreduce(MPI_IN_PLACE, anynull, nc, MPI_INT64_T, MPI_MAX, comm)) != MPI_SUCCESS) {
        rc = rf__mpi_fail(rc, "MPI_Allreduce(HDF5 row counts)");
        goto out;
    }
    /* ---- where every task's rows, bytes and row groups go */
    int64_t N = 0, R = 0, *B = rf_calloc((size_t)nstr + 1, sizeof *B);
    int64_t *row0 = rf_calloc((size_t)n_tasks + 1, sizeof *row0), *rg0 = rf_calloc((size_t)n_tasks + 1, sizeof *rg0);
    int64_t *byte0 = rf_calloc((size_t)(n_tasks * (nstr ? nstr : 1)) + 1, sizeof *byte0);
    hsize_t *st = rf_calloc((size_t)nlocal + 2, sizeof *st), *ct = rf_calloc((size_t)nlocal + 2, sizeof *ct);
    rc = (B && row0 && rg0 && byte0 && st && ct) ? RF_OK : rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int64_t t = 0; t < n_tasks && !rc; t++) {
        row0[t] = N;
        rg0[t] = R;
        N += glob[t * w];
        R += (glob[t * w] + rg_rows - 1) / rg_rows;
        for (int k = 0; k < nstr; k++) { byte0[t * nstr + k] = B[k]; B[k] += glob[t * w + 1 + k]; }
    }
    int64_t rl = 0;
    for (int k = 0; k < nlocal; k++) rl += (src->rows[k] + rg_rows - 1) / rg_rows;
    /* per local row group: offset in the file, rows, task, first row in the task */
    int64_t *rg_off = rf_calloc((size_t)rl + 1, sizeof *rg_off), *rg_n = rf_calloc((size_t)rl + 1, sizeof *rg_n);
    int64_t *rg_k = rf_calloc((size_t)rl + 1, sizeof *rg_k), *rg_r = rf_calloc((size_t)rl + 1, sizeof *rg_r);
    int64_t *tb = rf_calloc((size_t)nlocal * (nstr ? nstr : 1) + 1, sizeof *tb);   /* string bytes of each task written so far */
    if (!rc && (!rg_off || !rg_n || !rg_k || !rg_r || !tb)) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    /* rounds: consecutive row groups of at least round_rows rows; the ranks agree on how many */
    int64_t rounds = 0, max_round = 0;
    {
        int64_t j = 0, acc = 0;
        for (int k = 0; k < nlocal && !rc; k++)
            for (int64_t r = 0; r < src->rows[k]; r += rg_rows, j++) {
                int64_t n = src->rows[k] - r < rg_rows ? src->rows[k] - r : rg_rows;
                rg_off[j] = row0[tasks[k]] + r; rg_n[j] = n; rg_k[j] = k; rg_r[j] = r;
                if (acc == 0) rounds++;
                acc += n;
                if (acc > max_round) max_round = acc;
                if (acc >= round_rows) acc = 0;
            }
    }
    if ((rc = rf__agree(comm, rc, err))) goto out2;
    {   /* the file's size, at most: every dataset uncompressed in whole chunks (the last chunk is allocated
         * whole), a checksum and an index entry per chunk, and the metadata */
        int64_t cr = rg_rows < 1048576 ? rg_rows : 1048576, need = ((int64_t)1 << 20) + 2 * chunked_bytes(R, R, 8);
        for (int c = 0; c < nc; c++) {
            int64_t sw = str_idx[c] >= 0 ? RF_H5_STR_STATS : (int64_t)rf_type_width(s->f[c].type);
            if (str_idx[c] >= 0) need += chunked_bytes(N + 1, cr, 8) + chunked_bytes(B[str_idx[c]], 1 << 20, 1);
            else need += chunked_bytes(N, cr, sw);
            if (anynull[c]) need += chunked_bytes(N, cr, 1);
            need += 2 * chunked_bytes(R, R, sw) + chunked_bytes(R, R, 8) + 16384;
        }
        if ((rc = prepare_file(comm, path, need, err))) goto out2;
    }

    rf__h5_lock();
    rf__h5_quiet();
    wctx wc = { .dxpl = H5Pcreate(H5P_DATASET_XFER), .deflate = deflate, .checksum = checksum, .path = path };
    /* auto (2): collective from RF_H5_COLLECTIVE_ROWS rows up, where it measured faster on one node; filters
     * (deflate, the checksum) need collective transfers in parallel HDF5 */
    bool coll = collective == 1 || (collective == 2 && N >= RF_H5_COLLECTIVE_ROWS) || deflate > 0 || checksum;
    H5Pset_dxpl_mpio(wc.dxpl, coll ? H5FD_MPIO_COLLECTIVE : H5FD_MPIO_INDEPENDENT);
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL);
    H5Pset_libver_bounds(fapl, H5F_LIBVER_V110, H5F_LIBVER_V110);   /* checksummed object headers and superblock */
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, fapl);   /* made (and its space allocated) by prepare_file */
    H5Pclose(fapl);
    if (f < 0) {   /* the same on every rank: nothing collective follows */
        wc.rc = rf__err_set(RF_ERR_IO, "%s: cannot create the HDF5 file", path);
        H5Pclose(wc.dxpl);
        rf__h5_unlock();
        rc = wc.rc;
        goto out2;
    }
    attr_i64(&wc, f, "riffle_format_version", RF_H5_FORMAT_VERSION);
    hid_t g = H5Gcreate2(f, RF_H5_GROUP, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t gr = H5Gcreate2(f, RF_H5_RG_GROUP, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0 || gr < 0) fail_at(&wc, "group create", NULL);
    {
        const char **names = rf_calloc((size_t)nc + 1, sizeof *names), **types = rf_calloc((size_t)nc + 1, sizeof *types);
        char (*tn)[32] = rf_calloc((size_t)nc + 1, sizeof *tn);
        for (int c = 0; names && types && tn && c < nc; c++) {
            names[c] = s->f[c].name;
            snprintf(tn[c], sizeof tn[c], "%s", rf_type_name(s->f[c].type));
            types[c] = tn[c];
        }
        if (names && types && tn) {
            attr_strs(&wc, g, "columns", names, nc);
            attr_strs(&wc, g, "types", types, nc);
        } else fail_at(&wc, "attribute", "columns (out of memory)");
        rf_free(names); rf_free(types); rf_free(tn);
    }
    attr_i64(&wc, g, "num_rows", N);
    attr_i64(&wc, g, "num_row_groups", R);
    attr_i64(&wc, g, "row_group_rows", rg_rows);
    /* every dataset is created first (parallel HDF5 allocates its space, and writes a filtered
     * dataset's fill chunks, right then), the ranks agree, and only then is data written; the file's
     * blocks were preallocated (prepare_file), so no rank finds the disk full in a collective alone */
    enum { D_VAL = 0, D_OFF, D_BYTES, D_VALID, D_MIN, D_MAX, D_NULLS, D_CRC, D_PER };
    hid_t *dsv = rf_malloc(((size_t)nc * D_PER + 3) * sizeof *dsv);
    hid_t strstat = H5Tcopy(H5T_C_S1);
    H5Tset_size(strstat, RF_H5_STR_STATS);
    H5Tset_strpad(strstat, H5T_STR_NULLPAD);
    if (!dsv) fail_at(&wc, "create", "(out of memory)");
    for (int64_t k = 0; dsv && k < (int64_t)nc * D_PER + 3; k++) dsv[k] = -1;
    hsize_t chunk = (hsize_t)(rg_rows < 1048576 ? rg_rows : 1048576);
    if (dsv) {
        dsv[(int64_t)nc * D_PER] = mkds(&wc, gr, "offset", H5T_STD_I64LE, (hsize_t)R, 0);
        dsv[(int64_t)nc * D_PER + 1] = mkds(&wc, gr, "rows", H5T_STD_I64LE, (hsize_t)R, 0);
        if (checksum) dsv[(int64_t)nc * D_PER + 2] = mkds(&wc, gr, ".layout.crc", H5T_STD_U32LE, (hsize_t)R, 0);
    }
    for (int c = 0; dsv && c < nc; c++) {
        hid_t *d = dsv + (int64_t)c * D_PER;
        rf_type t = s->f[c].type;
        bool str = str_idx[c] >= 0;
        char nm[1200];
        if (str) {
            rf__h5_dsname(s->f[c].name, ".offsets", nm, sizeof nm);
            d[D_OFF] = mkds(&wc, g, nm, H5T_STD_I64LE, (hsize_t)N + 1, chunk);
            rf__h5_dsname(s->f[c].name, ".bytes", nm, sizeof nm);
            d[D_BYTES] = mkds(&wc, g, nm, H5T_STD_U8LE, (hsize_t)B[str_idx[c]], 1 << 20);
        } else {
            hid_t ft = rf__h5_type(t);
            rf__h5_dsname(s->f[c].name, NULL, nm, sizeof nm);
            d[D_VAL] = mkds(&wc, g, nm, ft, (hsize_t)N, chunk);
            H5Tclose(ft);
        }
        if (anynull[c]) {
            rf__h5_dsname(s->f[c].name, ".valid", nm, sizeof nm);
            d[D_VALID] = mkds(&wc, g, nm, H5T_STD_U8LE, (hsize_t)N, chunk);
        }
        hid_t ft = str ? H5Tcopy(strstat) : rf__h5_type(t);
        rf__h5_dsname(s->f[c].name, ".min", nm, sizeof nm);
        d[D_MIN] = mkds(&wc, gr, nm, ft, (hsize_t)R, 0);
        rf__h5_dsname(s->f[c].name, ".max", nm, sizeof nm);
        d[D_MAX] = mkds(&wc, gr, nm, ft, (hsize_t)R, 0);
        rf__h5_dsname(s->f[c].name, ".nulls", nm, sizeof nm);
        d[D_NULLS] = mkds(&wc, gr, nm, H5T_STD_I64LE, (hsize_t)R, 0);
        if (checksum) {   /* riffle's CRC-32C per row group: data (or offsets), bytes, validity, statistics */
            rf__h5_dsname(s->f[c].name, ".crc", nm, sizeof nm);
            d[D_CRC] = mkds(&wc, gr, nm, H5T_STD_U32LE, (hsize_t)R * 4, 0);
        }
        H5Tclose(ft);
    }
    {   /* a creation that failed on one rank stops every rank before the first data write */
        int mine = wc.rc, agreed = 0;
        if (MPI_Allreduce(&mine, &agreed, 1, MPI_INT, MPI_MAX, comm) != MPI_SUCCESS) agreed = RF_ERR_MPI;
        if (agreed && !wc.rc) wc.rc = rf__err_set(agreed, "another rank could not create the datasets of %s", path);
    }
    /* row groups: where they start and how many rows */
    if (!wc.rc) {
        int nsel = 0;
        for (int k = 0; k < nlocal; k++) {
            st[nsel] = (hsize_t)rg0[tasks[k]];
            ct[nsel] = (hsize_t)((src->rows[k] + rg_rows - 1) / rg_rows);
            nsel++;
        }
        wr(&wc, dsv[(int64_t)nc * D_PER], H5T_NATIVE_INT64, rg_off, st, ct, nsel, (hsize_t)rl);
        wr(&wc, dsv[(int64_t)nc * D_PER + 1], H5T_NATIVE_INT64, rg_n, st, ct, nsel, (hsize_t)rl);
        if (checksum) {
            uint32_t *lc = rf_malloc((size_t)(rl + 1) * sizeof *lc);
            if (!lc) fail_at(&wc, "write", "(out of memory)");
            for (int64_t g2 = 0; lc && g2 < rl; g2++) { int64_t v[2] = { rg_off[g2], rg_n[g2] }; lc[g2] = rf_crc32c(0, v, sizeof v); }
            wr(&wc, dsv[(int64_t)nc * D_PER + 2], H5T_NATIVE_UINT32, lc, st, ct, nsel, (hsize_t)(lc ? rl : 0));
            rf_free(lc);
        }
    }
    /* the columns, round by round: every rank makes the same writes in the same order (a rank with
     * nothing left writes nothing in them) */
    {
        int64_t mine = rounds;
        if (MPI_Allreduce(&mine, &rounds, 1, MPI_INT64_T, MPI_MAX, comm) != MPI_SUCCESS && !wc.rc) wc.rc = rf__err_set(RF_ERR_MPI, "MPI_Allreduce(rounds)");
    }
    int64_t rr_max = max_round / rg_rows + nlocal + 2;   /* row groups in a round, at most */
    uint8_t *valid = rf_malloc((size_t)max_round + 1);
    int64_t *offs = rf_malloc(((size_t)max_round + 2) * sizeof *offs), *nulls = rf_calloc((size_t)rr_max + 1, sizeof *nulls);
    char *mn = rf_malloc(((size_t)rr_max + 1) * RF_H5_STR_STATS), *mx = rf_malloc(((size_t)rr_max + 1) * RF_H5_STR_STATS);
    uint32_t *crcs = rf_calloc((size_t)rr_max * 4 + 1, sizeof *crcs);
    hsize_t *st2 = rf_calloc((size_t)nlocal + 2, sizeof *st2), *ct2 = rf_calloc((size_t)nlocal + 2, sizeof *ct2);
    int64_t *seg = rf_calloc((size_t)nlocal + 2, sizeof *seg);   /* a round's segments: first row group of each */
    if (!valid || !offs || !nulls || !mn || !mx || !crcs || !st2 || !ct2 || !seg) fail_at(&wc, "write", "(out of memory)");
    int64_t g_at = 0;   /* the next local row group */
    for (int64_t round = 0; round < rounds; round++) {
        /* this rank's part of the round: row groups [g_at, g_end), read into one batch */
        rf_batch *rb = NULL;
        int64_t g_end = g_at, nl = 0, nseg = 0;
        {
            int lrc = wc.rc;
            rf_blist l = { 0 };
            while (!lrc && g_end < rl && (nl < round_rows || g_end == g_at)) {
                rf_batch *piece = NULL;
                if (g_end == g_at || rg_k[g_end] != rg_k[g_end - 1]) seg[nseg++] = g_end;
                lrc = src->next(src->ctx, (int)rg_k[g_end], rg_n[g_end], &piece);
                if (!lrc && piece) lrc = rf_blist_push(&l, piece);
                nl += rg_n[g_end++];
            }
            seg[nseg] = g_end;
            if (!lrc && nl) {
                rf_batch *cat = NULL;
                lrc = rf_batch_concat(l.b, (int)l.n, s, &cat);
                if (!lrc && (lrc = rf_batch_create(cat->ncols, cat->nrows, &rb)) == RF_OK)
                    for (int c = 0; c < cat->ncols && !lrc; c++) lrc = rf_column_expand(cat->cols[c], cat->nrows, &rb->cols[c]);
                rf_batch_destroy(&cat);
                if (!lrc && rb->nrows != nl) lrc = rf__err_set(RF_ERR_INTERNAL, "%s: %lld rows read where %lld were counted", path, (long long)rb->nrows, (long long)nl);
            }
            rf_blist_fini(&l);
            if (lrc && !wc.rc) wc.rc = lrc;
            int mine = wc.rc, agreed = 0;
            if (MPI_Allreduce(&mine, &agreed, 1, MPI_INT, MPI_MAX, comm) != MPI_SUCCESS) agreed = RF_ERR_MPI;
            if (agreed && !wc.rc) wc.rc = rf__err_set(agreed, "another rank could not write %s", path);
        }
        if (wc.rc) { rf_batch_destroy(&rb); break; }
        int64_t rrl = g_end - g_at;   /* row groups in this round */
        for (int c = 0; c < nc && !wc.rc; c++) {   /* wc.rc is agreed here: every rank writes or none does */
            const rf_column *col = rb ? rb->cols[c] : NULL;
            const hid_t *d = dsv + (int64_t)c * D_PER;
            rf_type t = s->f[c].type;
            bool str = str_idx[c] >= 0;
            int nsel = 0;
            for (int64_t q = 0; q < nseg; q++) {
                int64_t g = seg[q], ge = seg[q + 1], n = 0;
                for (int64_t x = g; x < ge; x++) n += rg_n[x];
                st2[nsel] = (hsize_t)rg_off[g]; ct2[nsel] = (hsize_t)n; nsel++;
            }
            if (str) {
                int si = str_idx[c];
                const int64_t *o = col ? col->data : NULL;
                int64_t i = 0;
                for (int64_t q = 0; q < nseg; q++) {   /* file offsets: the task's bytes start + bytes before this round + here */
                    int64_t k = rg_k[seg[q]], n = (int64_t)ct2[q], i0 = i;
                    for (; i < i0 + n; i++) offs[i] = byte0[tasks[k] * nstr + si] + tb[k * nstr + si] + (o[i] - o[i0]);
                }
                int64_t nmem = nl, ns = nsel;
                if (rank == 0 && round == 0) { offs[nl] = B[si]; st2[ns] = (hsize_t)N; ct2[ns] = 1; ns++; nmem++; }
                wr(&wc, d[D_OFF], H5T_NATIVE_INT64, nmem ? offs : NULL, st2, ct2, (int)ns, (hsize_t)nmem);
                i = 0;
                for (int64_t q = 0; q < nseg; q++) {
                    int64_t k = rg_k[seg[q]], n = (int64_t)ct2[q];
                    st2[q] = (hsize_t)(byte0[tasks[k] * nstr + si] + tb[k * nstr + si]);
                    ct2[q] = (hsize_t)(o[i + n] - o[i]);
                    tb[k * nstr + si] += o[i + n] - o[i];
                    i += n;
                }
                wr(&wc, d[D_BYTES], H5T_NATIVE_UINT8, nl ? col->bytes + o[0] : NULL, st2, ct2, nsel, (hsize_t)(nl ? o[nl] - o[0] : 0));
                nsel = 0;   /* back to rows */
                for (int64_t q = 0; q < nseg; q++) {
                    int64_t g = seg[q], ge = seg[q + 1], n = 0;
                    for (int64_t x = g; x < ge; x++) n += rg_n[x];
                    st2[nsel] = (hsize_t)rg_off[g]; ct2[nsel] = (hsize_t)n; nsel++;
                }
            } else {
                hid_t mt = rf__h5_type(t);
                wr(&wc, d[D_VAL], mt, col ? col->data : NULL, st2, ct2, nsel, (hsize_t)nl);
                H5Tclose(mt);
            }
            if (anynull[c]) {
                for (int64_t i = 0; i < nl; i++) valid[i] = rf_column_valid(col, i);
                wr(&wc, d[D_VALID], H5T_NATIVE_UINT8, valid, st2, ct2, nsel, (hsize_t)nl);
            }
            /* statistics per row group */
            size_t sw = str ? RF_H5_STR_STATS : rf_type_width(t);
            for (int64_t j = 0, r = 0; j < rrl; r += rg_n[g_at + j], j++) {
                int64_t e = r + rg_n[g_at + j], lo = -1, hi = -1;
                nulls[j] = 0;
                for (int64_t i = r; i < e; i++) {
                    if (!rf_column_valid(col, i)) { nulls[j]++; continue; }
                    if (lo < 0 || rf_column_cmp(col, i, col, lo) < 0) lo = i;
                    if (hi < 0 || rf_column_cmp(col, i, col, hi) > 0) hi = i;
                }
                char *pmn = mn + (size_t)j * sw, *pmx = mx + (size_t)j * sw;
                memset(pmn, 0, sw);
                memset(pmx, 0, sw);
                if (lo >= 0 && str) {
                    int64_t ln, lx;
                    const char *a = rf_col_str(col, lo, &ln), *b = rf_col_str(col, hi, &lx);
                    memcpy(pmn, a, (size_t)(ln < RF_H5_STR_STATS ? ln : RF_H5_STR_STATS));
                    str_upper(b, lx, pmx);
                } else if (lo >= 0) {
                    memcpy(pmn, (const char *)col->data + (size_t)lo * sw, sw);
                    memcpy(pmx, (const char *)col->data + (size_t)hi * sw, sw);
                }
                if (!checksum) continue;
                /* the row group's bytes exactly as the file holds them, so a reader can check them (docs/FORMAT.md) */
                uint32_t *cr = crcs + (size_t)j * 4;
                if (str) {
                    const int64_t *o = col->data;
                    cr[0] = rf_crc32c(0, offs + r, (size_t)(e - r) * 8);
                    cr[1] = rf_crc32c(0, col->bytes + o[r], (size_t)(o[e] - o[r]));
                } else {
                    cr[0] = rf_crc32c(0, (const char *)col->data + (size_t)r * sw, (size_t)(e - r) * sw);
                    cr[1] = 0;
                }
                cr[2] = anynull[c] ? rf_crc32c(0, valid + r, (size_t)(e - r)) : 0;
                cr[3] = rf_crc32c(rf_crc32c(rf_crc32c(0, pmn, sw), pmx, sw), &nulls[j], 8);
            }
            for (int64_t q = 0; q < nseg; q++) {
                st2[q] = (hsize_t)(rg0[tasks[rg_k[seg[q]]]] + rg_r[seg[q]] / rg_rows);
                ct2[q] = (hsize_t)(seg[q + 1] - seg[q]);
            }
            hid_t mt = str ? H5Tcopy(strstat) : rf__h5_type(t);
            wr(&wc, d[D_MIN], mt, mn, st2, ct2, (int)nseg, (hsize_t)rrl);
            wr(&wc, d[D_MAX], mt, mx, st2, ct2, (int)nseg, (hsize_t)rrl);
            wr(&wc, d[D_NULLS], H5T_NATIVE_INT64, nulls, st2, ct2, (int)nseg, (hsize_t)rrl);
            if (checksum) {
                for (int64_t q = 0; q < nseg; q++) { st2[q] *= 4; ct2[q] *= 4; }
                wr(&wc, d[D_CRC], H5T_NATIVE_UINT32, crcs, st2, ct2, (int)nseg, (hsize_t)(rrl * 4));
            }
            H5Tclose(mt);
            /* a write that failed on one rank (the disk, after all) stops every rank before the next one */
            int mine = wc.rc, agreed = 0;
            if (MPI_Allreduce(&mine, &agreed, 1, MPI_INT, MPI_MAX, comm) != MPI_SUCCESS) agreed = RF_ERR_MPI;
            if (agreed && !wc.rc) wc.rc = rf__err_set(agreed, "another rank could not write %s", path);
        }
        rf_batch_destroy(&rb);
        g_at = g_end;
    }
    rf_free(st2); rf_free(ct2); rf_free(seg);
    for (int64_t k = 0; dsv && k < (int64_t)nc * D_PER + 3; k++) if (dsv[k] >= 0) H5Dclose(dsv[k]);
    rf_free(dsv);
    H5Tclose(strstat);
    rf_free(valid); rf_free(offs); rf_free(nulls); rf_free(mn); rf_free(mx); rf_free(crcs);
    if (gr >= 0) H5Gclose(gr);
    if (g >= 0) H5Gclose(g);
    if (H5Fclose(f) < 0) fail_at(&wc, "file close", NULL);
    H5Pclose(wc.dxpl);
    rf__h5_unlock();
    rc = wc.rc;
    if (!rc && rank == 0) {   /* a closed file is flushed to disk before anyone renames it */
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fsync(fd) != 0) rc = rf__err_set(RF_ERR_IO, "%s: fsync failed: %s", path, strerror(errno));
        if (fd >= 0) close(fd);
    }
out2:
    rf_free(B); rf_free(row0); rf_free(rg0); rf_free(byte0); rf_free(st); rf_free(ct); rf_free(rg_off); rf_free(rg_n);
    rf_free(rg_k); rf_free(rg_r); rf_free(tb);
out:
    rf_free(str_idx); rf_free(glob); rf_free(anynull);
    return rc;
}

/* ---------------------------------------------------------------- partitioned output */
static int cmp_key(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int rf__h5_write_partitioned(MPI_Comm comm, const char *dir, const rf_schema *s, const int *pcols, int np, int64_t n_tasks,
                             const int64_t *tasks, int nlocal, const rf_h5_psrc *src, int64_t rg_rows, int64_t round_rows,
                             int deflate, bool checksum, int collective, rf_error *err)
{
    int rank, nranks, rc = RF_OK;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &nranks);
    rf_buf mine = { 0 };
    char **all = NULL, *recv = NULL;
    int64_t nall = 0;
    int *cnt = rf_calloc((size_t)nranks, sizeof *cnt), *dsp = rf_calloc((size_t)nranks, sizeof *dsp);
    rf_schema *ds = NULL;
    int64_t *rows = rf_calloc((size_t)nlocal + 1, sizeof *rows), *sbytes = NULL;
    uint8_t *anynull = NULL;
    if (!cnt || !dsp || !rows) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    /* the data columns: every column but the partition columns */
    if (!rc) rc = rf_schema_create(s->n - np, &ds);
    for (int c = 0, k2 = 0; c < s->n && !rc; c++) {
        bool p = false;
        for (int k = 0; k < np; k++) p |= pcols[k] == c;
        if (!p) ds->f[k2++] = (rf_field){ .name = rf_strdup(s->f[c].name), .type = s->f[c].type, .nullable = true };
    }
    if (!rc && !(sbytes = rf_calloc((size_t)nlocal * (size_t)ds->n + 1, sizeof *sbytes))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    if (!rc && !(anynull = rf_calloc((size_t)ds->n + 1, 1))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int64_t i = 0; i < src->n_keys && !rc; i++) rc = rf_buf_put(&mine, src->keys[i], strlen(src->keys[i]) + 1);
    if ((rc = rf__agree(comm, rc, err))) goto done;
    /* every rank learns every key; files are written key by key in sorted order */
    if (mine.len > INT_MAX / 2) rc = rf__err_set(RF_ERR_LIMIT, "%s: partition keys of %zu bytes on one rank", dir, mine.len);
    if ((rc = rf__agree(comm, rc, err))) goto done;
    int len = (int)mine.len, total = 0;
    int64_t total64 = 0;
    RF_MPI(MPI_Allgather(&len, 1, MPI_INT, cnt, 1, MPI_INT, comm));
    for (int r = 0; r < nranks; r++) total64 += cnt[r];
    if (total64 > INT_MAX) rc = rf__err_set(RF_ERR_LIMIT, "%s: partition keys of %lld bytes in all", dir, (long long)total64);
    for (int r = 0; r < nranks && !rc; r++) { dsp[r] = total; total += cnt[r]; }
    if (!rc && !(recv = rf_malloc((size_t)total + 1))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    if ((rc = rf__agree(comm, rc, err))) goto done;
    RF_MPI(MPI_Allgatherv(mine.data, len, MPI_CHAR, recv, cnt, dsp, MPI_CHAR, comm));
    for (int64_t p = 0; p < total; p += (int64_t)strlen(recv + p) + 1) nall++;
    if (!(all = rf_calloc((size_t)nall + 1, sizeof *all))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    nall = 0;
    for (int64_t p = 0; all && p < total; p += (int64_t)strlen(recv + p) + 1) all[nall++] = recv + p;
    if (all) {
        qsort(all, (size_t)nall, sizeof *all, cmp_key);
        int64_t u = 0;
        for (int64_t i = 0; i < nall; i++) if (!u || strcmp(all[u - 1], all[i])) all[u++] = all[i];
        nall = u;
    }
    char path[8400];
    for (int64_t i = 0; i < nall && rank == 0 && !rc; i++) {   /* the directories, before the collective creates */
        snprintf(path, sizeof path, "%s/%s", dir, all[i]);
        rc = rf__mkdirs(path);
    }
    if ((rc = rf__agree(comm, rc, err))) goto done;
    for (int64_t i = 0; i < nall && !rc; i++) {
        memset(anynull, 0, (size_t)ds->n);
        int lrc = src->select(src->ctx, all[i], rows, sbytes, anynull);
        if ((rc = rf__agree(comm, lrc, err))) break;
        rf_h5_src one = { rows, sbytes, anynull, src->next, src->ctx };
        snprintf(path, sizeof path, "%s/%s/part-00000.h5", dir, all[i]);
        rc = rf__h5_write_file(comm, path, ds, n_tasks, tasks, nlocal, &one, rg_rows, round_rows, deflate, checksum, collective, err);
        rc = rf__agree(comm, rc, err);
    }
done:
    rf_free(all); rf_free(recv); rf_free(cnt); rf_free(dsp); rf_free(rows); rf_free(sbytes); rf_free(anynull);
    rf_schema_destroy(&ds);
    rf_buf_fini(&mine);
    return rf__agree(comm, rc, err);
}
