/*
 * h5_common.c — what riffle's HDF5 reader and writer share: the process-wide lock around the
 * (not thread-safe) HDF5 library, quiet error stacks, dataset names and type mapping.
 */
#include "core/comm.h"
#include "io/h5.h"

/* HDF5 calls MPI (MPI-IO reads inside tasks): its lock is the MPI lock */
void rf__h5_lock(void) { rf__mpi_lock(); }
void rf__h5_unlock(void) { rf__mpi_unlock(); }

void rf__h5_quiet(void)
{
    static bool done;
    if (!done) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); done = true; }
}

void rf__h5_dsname(const char *col, const char *suffix, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; col[i] && k + 4 < cap; i++) {
        unsigned char c = (unsigned char)col[i];
        if (c == '/' || c == '%' || (i == 0 && c == '.')) k += (size_t)snprintf(out + k, cap - k, "%%%02X", c);
        else out[k++] = (char)c;
    }
    out[k] = '\0';
    if (suffix) snprintf(out + k, cap - k, "%s", suffix);
}

hid_t rf__h5_type(rf_type t)
{
    switch (rf_type_base(t)) {
    case RF_TYPE_BOOL: return H5Tcopy(H5T_STD_U8LE);
    case RF_TYPE_INT32: case RF_TYPE_DATE: return H5Tcopy(H5T_STD_I32LE);
    case RF_TYPE_INT64: case RF_TYPE_TIMESTAMP: return H5Tcopy(H5T_STD_I64LE);
    case RF_TYPE_DOUBLE: return H5Tcopy(H5T_IEEE_F64LE);
    case RF_TYPE_DECIMAL: {   /* the 128-bit unscaled value as {lo, hi}: numpy reads it as a record */
        hid_t c = H5Tcreate(H5T_COMPOUND, 16);
        H5Tinsert(c, "lo", 0, H5T_STD_U64LE);
        H5Tinsert(c, "hi", 8, H5T_STD_I64LE);
        return c;
    }
    default: return H5I_INVALID_HID;
    }
}
