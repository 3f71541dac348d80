/*
 * format.c — the table of file formats (format.h).
 */
#include <string.h>
#include "io/format.h"
#include "exec/exec.h"

static bool any_file(const char *name) { (void)name; return true; }

static bool h5_file(const char *name)
{
    size_t n = strlen(name);
    return (n > 3 && !strcmp(name + n - 3, ".h5")) || (n > 5 && !strcmp(name + n - 5, ".hdf5"));
}

static bool rfb_file(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && !strcmp(name + n - 4, ".rfb");
}

static const rf_format_ops formats[] = {
    [RF_FMT_CSV]  = { "csv", true, true, any_file, rf__csv_open, rf__split_bytes, &rf__op_scan_vt },
    [RF_FMT_TEXT] = { "text", true, false, any_file, rf__text_open, rf__split_bytes, &rf__op_scan_vt },
    [RF_FMT_HDF5] = { "hdf5", false, false, h5_file, rf__h5_open, rf__split_rowgroups, &rf__op_h5scan_vt },
    [RF_FMT_RFB]  = { "rfb", false, false, rfb_file, rf__rfb_open, rf__split_files, &rf__op_rfbscan_vt },
};

const rf_format_ops *rf__format_ops(rf_format f)
{
    return (unsigned)f < sizeof formats / sizeof formats[0] ? &formats[f] : &formats[RF_FMT_CSV];
}
