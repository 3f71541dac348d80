/*
 * output.h — writing a job's output: where and how (rf_output), the atomic commit (commit.c: a
 * staging directory beside the destination, published by renames once every rank has written) and
 * the CSV part writer (csv_write.c). The HDF5 writer is in h5.h. io knows nothing of jobs beyond
 * this description, which the runtime's action carries.
 */
#ifndef RF_OUTPUT_H
#define RF_OUTPUT_H

#include "core/core.h"

typedef struct rf_output {
    char   *path;          /* the destination directory (the .h5 file itself when single_file) */
    char   *staging;       /* where ranks write parts before the commit (rf__output_prepare) */
    int     write_mode;    /* 0 error, 1 overwrite, 2 append */
    bool    header;        /* csv: a header line */
    char    delim;         /* csv: the field delimiter; 0: text, one string column written as it is (no quoting) */
    char   *partition_by;  /* "col,col" written as col=value directories, or NULL */
    bool    single_file;   /* hdf5: path is the file itself (riffle convert) */
    bool    dynamic;       /* overwrite with partitionBy: replace only the partitions written (partitionOverwriteMode) */
    int64_t max_records;   /* csv: a part file holds at most this many rows, then the next begins (0: no limit) */
} rf_output;

/* The driver's side (rank 0), around a job with id `job`: checks the mode and makes the staging
 * directory (o->staging); publishes it atomically; or removes it. */
int  rf__output_prepare(rf_output *o, int64_t job);
int  rf__output_commit(const rf_output *o, int64_t job);
void rf__output_abort(const rf_output *o);

/* Writes file `path` whole or not at all: a temporary beside it, fsync, rename, fsync of the directory. */
int  rf__write_file_atomic(const char *path, const void *data, size_t n);

/* A task's rows (pulled from op until its end) as CSV part file(s) under o->staging. */
struct rf_op;
int  rf__csv_write_part(const rf_output *o, int64_t task, struct rf_op *op, const rf_schema *s, int64_t *rows);
/* The same as one riffle batch file, part-<task>.rfb (rfb.c; no file for a task without rows). */
int  rf__rfb_write_part(const rf_output *o, int64_t task, struct rf_op *op, const rf_schema *s, int64_t *rows);

#endif
