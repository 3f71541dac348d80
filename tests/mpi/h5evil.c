/*
 * h5evil.c — makes damaged copies of a riffle HDF5 table for the robustness tests:
 *   h5evil MODE IN.h5 OUT.h5
 * The table must have an int column `k` and a string column `v`. MODE:
 *   extlink   table/k becomes an external link to another file
 *   external  table/k is stored in an external raw file
 *   badtype   table/k holds doubles
 *   short     table/k is one row short
 *   offsets   table/v.offsets points past the end of table/v.bytes
 *   version   riffle_format_version is 99
 *   norowgroups   table/_rowgroups is gone
 *   lastrow   the last value of table/k is changed through HDF5 (its own checksums stay right;
 *             riffle's row-group checksum no longer matches)
 */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int copy(const char *a, const char *b)
{
    FILE *in = fopen(a, "rb"), *out = fopen(b, "wb");
    char buf[65536];
    size_t n;
    if (!in || !out) return -1;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) fwrite(buf, 1, n, out);
    fclose(in);
    return fclose(out);
}

static hsize_t rows_of(hid_t g, const char *name)
{
    hid_t d = H5Dopen2(g, name, H5P_DEFAULT), s = H5Dget_space(d);
    hsize_t n = 0;
    H5Sget_simple_extent_dims(s, &n, NULL);
    H5Sclose(s);
    H5Dclose(d);
    return n;
}

int main(int argc, char **argv)
{
    if (argc != 4) { fprintf(stderr, "usage: h5evil MODE IN.h5 OUT.h5\n"); return 2; }
    const char *mode = argv[1];
    if (copy(argv[2], argv[3])) { perror(argv[3]); return 1; }
    hid_t f = H5Fopen(argv[3], H5F_ACC_RDWR, H5P_DEFAULT);
    if (f < 0) return 1;
    hid_t g = H5Gopen2(f, "table", H5P_DEFAULT);
    hsize_t n = rows_of(g, "k");
    int rc = 0;
    if (!strcmp(mode, "extlink")) {
        H5Ldelete(g, "k", H5P_DEFAULT);
        rc = H5Lcreate_external("/etc/elsewhere.h5", "/table/k", g, "k", H5P_DEFAULT, H5P_DEFAULT) < 0;
    } else if (!strcmp(mode, "external") || !strcmp(mode, "badtype") || !strcmp(mode, "short")) {
        H5Ldelete(g, "k", H5P_DEFAULT);
        hsize_t m = !strcmp(mode, "short") ? n - 1 : n;
        hid_t sp = H5Screate_simple(1, &m, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE);
        if (!strcmp(mode, "external")) H5Pset_external(dcpl, "raw.bin", 0, m * 4);
        hid_t t = !strcmp(mode, "badtype") ? H5T_IEEE_F64LE : H5T_STD_I32LE;
        hid_t d = H5Dcreate2(g, "k", t, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
        rc = d < 0;
        if (d >= 0) H5Dclose(d);
        H5Pclose(dcpl);
        H5Sclose(sp);
    } else if (!strcmp(mode, "offsets")) {
        hid_t d = H5Dopen2(g, "v.offsets", H5P_DEFAULT);
        hsize_t m = rows_of(g, "v.offsets");
        long long *o = calloc(m, sizeof *o);
        for (hsize_t i = 0; i < m; i++) o[i] = (long long)i * 1000000;
        rc = H5Dwrite(d, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, o) < 0;
        free(o);
        H5Dclose(d);
    } else if (!strcmp(mode, "version")) {
        hid_t a = H5Aopen(f, "riffle_format_version", H5P_DEFAULT);
        long long v = 99;
        rc = H5Awrite(a, H5T_NATIVE_LLONG, &v) < 0;
        H5Aclose(a);
    } else if (!strcmp(mode, "lastrow")) {
        hid_t d = H5Dopen2(g, "k", H5P_DEFAULT), fs = H5Dget_space(d);
        hsize_t at = n - 1, one = 1;
        hid_t ms = H5Screate_simple(1, &one, NULL);
        int v = 0;
        H5Sselect_hyperslab(fs, H5S_SELECT_SET, &at, NULL, &one, NULL);
        rc = H5Dread(d, H5T_NATIVE_INT, ms, fs, H5P_DEFAULT, &v) < 0;
        v += 1;
        if (!rc) rc = H5Dwrite(d, H5T_NATIVE_INT, ms, fs, H5P_DEFAULT, &v) < 0;
        H5Sclose(ms);
        H5Sclose(fs);
        H5Dclose(d);
    } else if (!strcmp(mode, "norowgroups")) {
        rc = H5Ldelete(g, "_rowgroups", H5P_DEFAULT) < 0;
    } else {
        fprintf(stderr, "h5evil: unknown mode %s\n", mode);
        rc = 2;
    }
    H5Gclose(g);
    H5Fclose(f);
    return rc;
}
