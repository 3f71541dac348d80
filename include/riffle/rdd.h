/*
 * riffle/rdd.h — Spark's RDD API in C: lazy datasets of records transformed by user callbacks
 * (riffle/udf.h) registered by name.
 *
 * An RDD's records are values or (key, value) pairs of typed byte strings (riffle/udf.h). The
 * engine moves them in columnar batches of two binary columns (key, value) through the same
 * planner, shuffles, spills, caches and commits as DataFrames: reduceByKey and kin combine before
 * the shuffle (the aggregate interface), groupByKey and sortByKey spill past the memory budget.
 *
 * Ownership and errors are the DataFrame API's: every rf_rdd belongs to its session; a
 * transformation borrows its inputs and returns a new rf_rdd, in error (sticky, rf_rdd_error())
 * when its input is or when a function name is not registered or is registered as another kind.
 * Actions are Collective through the session (rank 0 calls them). A callback name refers to
 * functions registered with the matching rf_register_* call.
 * num_partitions: how many partitions a shuffle makes; 0 means riffle.shuffle.partitions (which
 * adaptive execution may merge when small). Joins take it for Spark's signature but always use the
 * session's setting (a join may also broadcast its smaller side instead of shuffling).
 */
#ifndef RIFFLE_RDD_H
#define RIFFLE_RDD_H
#include <stdio.h>
#include "riffle/dataframe.h"
#include "riffle/udf.h"

typedef struct rf_rdd rf_rdd;
typedef struct rf_records rf_records;   /* records an action returned (rank 0) */

/* ---- creating ---- */
/* Lines of text files (a file, a directory's visible files, a glob) as string values. */
rf_rdd *rf_text_file(rf_session *s, const char *path);
/* n records from the driver's memory (copied), in num_slices partitions (0: one per rank) in order. */
rf_rdd *rf_parallelize(rf_session *s, int64_t n, const rf_rec *recs, int num_slices);
/* A DataFrame's rows: a value per row, the column's value for one column, else a tuple of the
 * columns (ints, doubles, strings; dates and timestamps as ints; decimals as doubles; NULL None). */
rf_rdd *rf_df_rdd(rf_df *df);
/* Back to a DataFrame of the schema ("word STRING, n BIGINT"): a record's fields are its key (when
 * it has one) then its value, or the value's elements when it is a tuple; they fill the columns in
 * order (a count or type that does not fit fails the job naming the column). */
rf_df  *rf_rdd_to_df(rf_rdd *r, const char *schema);

/* ---- transformations (narrow) ---- */
rf_rdd *rf_rdd_map(rf_rdd *r, const char *map_fn);              /* rf_map_fn emitting exactly one record */
rf_rdd *rf_rdd_flat_map(rf_rdd *r, const char *map_fn);         /* rf_map_fn emitting any number */
rf_rdd *rf_rdd_filter(rf_rdd *r, const char *filter_fn);
rf_rdd *rf_rdd_map_partitions(rf_rdd *r, const char *partition_fn);
rf_rdd *rf_rdd_map_values(rf_rdd *r, const char *value_fn);     /* (k, v) -> (k, f(v)) */
rf_rdd *rf_rdd_flat_map_values(rf_rdd *r, const char *map_fn);  /* the fn sees v alone; each value it emits is paired with k */
rf_rdd *rf_rdd_key_by(rf_rdd *r, const char *value_fn);         /* v -> (f(v), v) */
rf_rdd *rf_rdd_values(rf_rdd *r);                               /* (k, v) -> v */
rf_rdd *rf_rdd_keys(rf_rdd *r);                                 /* (k, v) -> k */
rf_rdd *rf_rdd_union(rf_rdd *a, rf_rdd *b);
/* Each record kept with probability fraction (without replacement), or repeated a Poisson(fraction)
 * number of times (with); decided by a hash of seed, the record's partition and its position in it,
 * so the sample is the same at every rank and thread count. */
rf_rdd *rf_rdd_sample(rf_rdd *r, bool with_replacement, double fraction, uint64_t seed);
/* (record, index): the index counts records in partition order from 0 (runs a job to count them). */
rf_rdd *rf_rdd_zip_with_index(rf_rdd *r);

/* ---- transformations (by key: a shuffle) ---- */
rf_rdd *rf_rdd_reduce_by_key(rf_rdd *r, const char *reduce_fn, int num_partitions);
rf_rdd *rf_rdd_fold_by_key(rf_rdd *r, rf_val zero, const char *reduce_fn, int num_partitions);
rf_rdd *rf_rdd_aggregate_by_key(rf_rdd *r, rf_val zero, const char *seq_fn, const char *comb_fn, int num_partitions);
rf_rdd *rf_rdd_combine_by_key(rf_rdd *r, const char *create_value_fn, const char *merge_value_reduce_fn,
                              const char *merge_combiners_reduce_fn, int num_partitions);
rf_rdd *rf_rdd_group_by_key(rf_rdd *r, int num_partitions);     /* (k, [v...]) in input order within a partition */
rf_rdd *rf_rdd_sort_by_key(rf_rdd *r, bool ascending, int num_partitions);
rf_rdd *rf_rdd_sort_by(rf_rdd *r, const char *value_fn, bool ascending, int num_partitions);
/* Joins on the key: (k, (v, w)); an outer side without a match gives None. */
rf_rdd *rf_rdd_join(rf_rdd *a, rf_rdd *b, int num_partitions);
rf_rdd *rf_rdd_left_outer_join(rf_rdd *a, rf_rdd *b, int num_partitions);
rf_rdd *rf_rdd_right_outer_join(rf_rdd *a, rf_rdd *b, int num_partitions);
rf_rdd *rf_rdd_full_outer_join(rf_rdd *a, rf_rdd *b, int num_partitions);
rf_rdd *rf_rdd_cogroup(rf_rdd *a, rf_rdd *b, int num_partitions);   /* (k, ([v...], [w...])) */
rf_rdd *rf_rdd_distinct(rf_rdd *r, int num_partitions);
rf_rdd *rf_rdd_repartition(rf_rdd *r, int num_partitions);
rf_rdd *rf_rdd_coalesce(rf_rdd *r, int num_partitions);         /* no shuffle: whole partitions merged */
/* Records to partition f(key) of num_partitions (an rf_partitioner_fn); NULL: by the key's hash. */
rf_rdd *rf_rdd_partition_by(rf_rdd *r, int num_partitions, const char *partitioner_fn);

/* ---- persistence and lineage ---- */
rf_rdd *rf_rdd_persist(rf_rdd *r, rf_storage_level level);
rf_rdd *rf_rdd_cache(rf_rdd *r);
rf_rdd *rf_rdd_unpersist(rf_rdd *r);
/* The lineage with its stages (toDebugString), returned-owned (free()); NULL on error. */
char   *rf_rdd_to_debug_string(rf_rdd *r);
const char *rf_rdd_error(const rf_rdd *r);                      /* NULL when fine */

/* ---- actions (Collective; rank 0) ---- */
int rf_rdd_collect(rf_rdd *r, rf_records **out);
int rf_rdd_count(rf_rdd *r, int64_t *out);
int rf_rdd_take(rf_rdd *r, int64_t n, rf_records **out);
int rf_rdd_first(rf_rdd *r, rf_records **out);                  /* RF_ERR_INVALID on an empty RDD */
/* reduce: RF_ERR_INVALID on an empty RDD; fold / aggregate: the zero value then. The result is
 * the one record of *out (its value). */
int rf_rdd_reduce(rf_rdd *r, const char *reduce_fn, rf_records **out);
int rf_rdd_fold(rf_rdd *r, rf_val zero, const char *reduce_fn, rf_records **out);
int rf_rdd_aggregate(rf_rdd *r, rf_val zero, const char *seq_fn, const char *comb_fn, rf_records **out);
int rf_rdd_count_by_key(rf_rdd *r, rf_records **out);           /* (key, count) records, keys in order */
/* Text files under dir (part-NNNNN, committed atomically as every riffle write): a line per record,
 * "key,value" for pairs (rf_val_format). mode: "error" (default), "overwrite" or "append". */
int rf_rdd_save_as_text_file(rf_rdd *r, const char *dir, const char *mode);
int rf_rdd_foreach(rf_rdd *r, const char *map_fn);              /* emits nothing */
int rf_rdd_foreach_partition(rf_rdd *r, const char *partition_fn);

int64_t rf_records_count(const rf_records *rs);
rf_rec  rf_records_get(const rf_records *rs, int64_t i);        /* borrowed until destroyed */
void    rf_records_destroy(rf_records **prs);

#endif
