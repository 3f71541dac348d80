/*
 * h5.h — riffle's HDF5 table format (docs/FORMAT.md): names, the process-wide HDF5 lock, and the
 * reader and writer entry points.
 *
 * The HDF5 library Debian ships is not thread-safe, so every HDF5 call in a process holds
 * rf__h5_lock(); tasks on OpenMP threads take turns. Writers are collective over the job's
 * communicator; readers open files on MPI_COMM_SELF (or with the POSIX driver), one task at a time.
 */
#ifndef RF_H5_H
#define RF_H5_H

#include <hdf5.h>
#include <mpi.h>
#include "core/core.h"
#include "plan/plan.h"

#define RF_H5_FORMAT_VERSION 2   /* 2: fixed-length name attributes, checksums; 1 still read */
#define RF_H5_GROUP "table"          /* the table's group */
#define RF_H5_RG_GROUP "table/_rowgroups"
#define RF_H5_STR_STATS 64           /* bytes kept of a string's min/max */
#define RF_H5_COLLECTIVE_ROWS (4 << 20)   /* collectiveWrite=auto on one node: collective from this many rows */

void rf__h5_lock(void);
void rf__h5_unlock(void);
/* Turns off HDF5's own error printing (once per process); riffle reports errors itself. */
void rf__h5_quiet(void);

/* The dataset name of a column: its name with '/', '%' and a leading '.' escaped as %XX. */
void rf__h5_dsname(const char *col, const char *suffix, char *out, size_t cap);
/* The HDF5 file type of a riffle column type (fixed-width types; strings are offsets + bytes). */
hid_t rf__h5_type(rf_type t);   /* caller H5Tclose()s */

/* Reads the metadata of src's file fi (schema, row groups, statistics) into src: the first file
 * sets the schema, later ones must match it; appends the file's row groups. Checks the layout; not
 * collective. Errors name the file and what is wrong. */
int rf__h5_read_meta(const char *path, rf_source *src, int fi);

/* Collective over comm: writes the table file at path. `all` holds this rank's rows (materialized
 * columns), local task k (global number tasks[k] of n_tasks) its rows [first[k], first[k+1]); rows
 * land in task order, so the file is the same at any rank count. Each task's rows form row groups of at most rg_rows rows. deflate:
 * 0 off, 1-9 the level. checksum: Fletcher-32 on every chunked dataset. collective: 0 independent MPI-IO, 1 collective, 2 by size (one node). Returns the agreed status (err gets the failing rank's message on rank 0). */
int rf__h5_write_file(MPI_Comm comm, const char *path, const rf_schema *s, int64_t n_tasks, const int64_t *tasks,
                      const rf_batch *all, const int64_t *first, int nlocal, int64_t rg_rows, int deflate, bool checksum,
                      int collective, rf_error *err);

/* Collective: the rows, partitioned by columns pcols, as dir/<c=v/...>/part-00000.h5, one file
 * per partition value (every rank takes part in every file); the partition columns leave the files. */
int rf__h5_write_partitioned(MPI_Comm comm, const char *dir, const rf_schema *s, const int *pcols, int np, int64_t n_tasks,
                             const int64_t *tasks, const rf_batch *in, const int64_t *first, int nlocal, int64_t rg_rows,
                             int deflate, bool checksum, int collective, rf_error *err);

/* Opens path for reading by one task (rf__h5_lock held by the caller); checks for external links. */
hid_t rf__h5_open_read(const char *path, bool mpio);

#endif
