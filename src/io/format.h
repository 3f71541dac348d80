/*
 * format.h — the file formats riffle reads, one interface each (rf_format_ops), so that what
 * differs between formats is said in one table instead of `format ==` tests across the planner,
 * the executor and the reader, and a new source (Parquet, a streaming directory) plugs in as one
 * more entry:
 *   name     the word USING / OPTIONS and EXPLAIN use;
 *   member   whether a file found in a table directory belongs to the table;
 *   open     reads what the files say before planning: the file schema (given, inferred from a
 *            sample, or stored in the files) and, where the format keeps them, per-row-group
 *            statistics for skipping;
 *   split    cuts the files into the tasks' splits at physical planning (byte ranges, or runs of
 *            row groups left after statistics), keep[i] false for files pruned by partition;
 *   scan     the operator that reads one split (exec/);
 *   prepass  splits cut records apart and need the collective pre-pass of quote states.
 */
#ifndef RF_FORMAT_H
#define RF_FORMAT_H

#include "plan/plan.h"

struct rf_op_vt;

/* What open may use: the reader options that apply (csv) and the first path, for messages. */
typedef struct rf_open_args {
    const char *schema_spec;    /* schema=... option, or NULL */
    bool        infer;          /* inferSchema=true */
    int64_t     sample_bytes;   /* riffle.csv.inferSchema.sampleBytes */
    const char *first_path;
} rf_open_args;

typedef struct rf_format_ops {
    const char *name;
    bool        options;   /* takes the csv reader options (header, delimiter, ...) */
    bool        prepass;
    bool      (*member)(const char *file_name);
    int       (*open)(rf_source *s, const rf_open_args *a);
    int       (*split)(const rf_plan *scan, rf_source *s, const rf_expr *pred, int64_t step, const bool *keep);
    const struct rf_op_vt *scan;
} rf_format_ops;

const rf_format_ops *rf__format_ops(rf_format f);

/* The formats' parts, named by the table (format.c). */
int rf__csv_open(rf_source *s, const rf_open_args *a);     /* io/source.c */
int rf__text_open(rf_source *s, const rf_open_args *a);    /* io/source.c */
int rf__h5_open(rf_source *s, const rf_open_args *a);      /* io/source.c */
int rf__split_bytes(const rf_plan *scan, rf_source *s, const rf_expr *pred, int64_t step, const bool *keep);   /* plan/physical.c */
int rf__rfb_open(rf_source *s, const rf_open_args *a);     /* io/rfb.c */
/* "a INT, b STRING" (or with ;) as a schema without attribute ids (the csv schema option, rf_rdd_to_df). */
int rf__parse_schema_spec(const char *spec, rf_schema **out);   /* io/source.c */
int rf__split_files(const rf_plan *scan, rf_source *s, const rf_expr *pred, int64_t step, const bool *keep);   /* io/rfb.c: a file a split */
int rf__split_rowgroups(const rf_plan *scan, rf_source *s, const rf_expr *pred, int64_t step, const bool *keep);

#endif
