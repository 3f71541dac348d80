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

/* What one rank writes into a table file: its local tasks' rows, read in order, a piece at a time
 * (so the writer holds one round of rows, not the rank's output). */
typedef struct rf_h5_src {
    const int64_t *rows;      /* [nlocal] rows of each local task */
    const int64_t *sbytes;    /* [nlocal * ncols] bytes of each string column of each task (0 for others) */
    const uint8_t *anynull;   /* [ncols] the column has a NULL on this rank */
    /* The next n rows of local task k (tasks are read in order, each from its start); *out
     * returned-owned. */
    int (*next)(void *ctx, int k, int64_t n, rf_batch **out);
    void *ctx;
} rf_h5_src;

/* Collective over comm: writes the table file at path from src: local task k (global number
 * tasks[k] of n_tasks); rows land in task order, so the file is the same at any rank count. Each
 * task's rows form row groups of at most rg_rows rows; the ranks write in rounds of whole row groups
 * (at least round_rows rows each; the number of rounds is agreed), so a rank holds one round at a
 * time. deflate: 0 off, 1-9 the level. checksum: CRC-32C per row group. collective: 0 independent
 * MPI-IO, 1 collective, 2 by size (one node). Returns the agreed status (err gets the failing rank's
 * message on rank 0). */
int rf__h5_write_file(MPI_Comm comm, const char *path, const rf_schema *s, int64_t n_tasks, const int64_t *tasks,
                      int nlocal, const rf_h5_src *src, int64_t rg_rows, int64_t round_rows, int deflate, bool checksum,
                      int collective, rf_error *err);

/* What one rank writes into a partitioned table: its partition keys ("c1=v1/c2=v2", sorted), and for
 * each key, its local tasks' rows of that key (the data columns only). select() is called for every
 * key of every rank, in sorted order, and fills rows / sbytes / anynull as rf_h5_src wants them for
 * that key (zeros for a key this rank lacks); next() then reads those rows, task by task. */
typedef struct rf_h5_psrc {
    char  *const *keys;
    int64_t       n_keys;
    int  (*select)(void *ctx, const char *key, int64_t *rows, int64_t *sbytes, uint8_t *anynull);
    int  (*next)(void *ctx, int k, int64_t n, rf_batch **out);
    void *ctx;
} rf_h5_psrc;

/* Collective: the rows of src, partitioned by columns pcols of s, as dir/<c=v/...>/part-00000.h5, one
 * file per partition value (every rank takes part in every file, in rounds of row groups); the
 * partition columns leave the files. */
int rf__h5_write_partitioned(MPI_Comm comm, const char *dir, const rf_schema *s, const int *pcols, int np, int64_t n_tasks,
                             const int64_t *tasks, int nlocal, const rf_h5_psrc *src, int64_t rg_rows, int64_t round_rows,
                             int deflate, bool checksum, int collective, rf_error *err);

/* Opens path for reading by one task (rf__h5_lock held by the caller); checks for external links. */
hid_t rf__h5_open_read(const char *path, bool mpio);

#endif
