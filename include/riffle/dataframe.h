/*
 * riffle/dataframe.h — the lazy DataFrame API (Spark's DataFrame in C).
 *
 * Transformations build a logical plan and run nothing; actions (count, collect, take, show,
 * write) plan the job on rank 0, broadcast it, and run it on every rank.
 *
 * Ownership:
 *  - Every rf_df belongs to its session and is freed by rf_session_close(); rf_df_release() frees
 *    one earlier. Transformations borrow their rf_df arguments.
 *  - rf_expr values (Spark's Column) are consumed by the call they are passed to, so expressions
 *    nest without leaks: rf_df_filter(df, rf_eq(rf_col("a"), rf_lit_int(1))).
 *  - Errors are sticky: a transformation whose input is in error, or that fails analysis (unknown
 *    column, type mismatch), returns an rf_df in error; rf_df_error() says why and every action on it
 *    returns the error code. Nothing is checked late that can be checked when the plan is built.
 * Functions are Not Collective unless they say otherwise; actions are Collective (the executors take
 * part through the session's command loop, not through the caller).
 */
#ifndef RIFFLE_DATAFRAME_H
#define RIFFLE_DATAFRAME_H

#include <stdio.h>
#include "riffle/session.h"
#include "riffle/types.h"

typedef struct rf_df rf_df;
typedef struct rf_expr rf_expr;
typedef struct rf_result rf_result;

typedef enum rf_join_type {
    RF_JOIN_INNER = 0, RF_JOIN_LEFT, RF_JOIN_RIGHT, RF_JOIN_FULL, RF_JOIN_SEMI, RF_JOIN_ANTI,
    RF_JOIN_CROSS
} rf_join_type;

/* ---- expressions (each consumes its rf_expr arguments; returns owned) ---- */
rf_expr *rf_col(const char *name);                 /* "name" or "alias.name" */
rf_expr *rf_df_col(rf_df *df, const char *name);   /* a column of that df, as Spark's df("name") */
rf_expr *rf_lit_int(int64_t v);
rf_expr *rf_lit_double(double v);
rf_expr *rf_lit_decimal(const char *text);        /* "12.50": decimal(4,2), exact; NULL if malformed */
rf_expr *rf_lit_str(const char *v);
rf_expr *rf_lit_bool(bool v);
rf_expr *rf_lit_null(void);
rf_expr *rf_lit_date(const char *yyyy_mm_dd);
rf_expr *rf_add(rf_expr *a, rf_expr *b);
rf_expr *rf_sub(rf_expr *a, rf_expr *b);
rf_expr *rf_mul(rf_expr *a, rf_expr *b);
rf_expr *rf_div(rf_expr *a, rf_expr *b);
rf_expr *rf_mod(rf_expr *a, rf_expr *b);
rf_expr *rf_neg(rf_expr *a);
rf_expr *rf_eq(rf_expr *a, rf_expr *b);
rf_expr *rf_eq_null_safe(rf_expr *a, rf_expr *b);   /* a <=> b (Spark's eqNullSafe): true when both are NULL, never NULL */
rf_expr *rf_ne(rf_expr *a, rf_expr *b);
rf_expr *rf_lt(rf_expr *a, rf_expr *b);
rf_expr *rf_le(rf_expr *a, rf_expr *b);
rf_expr *rf_gt(rf_expr *a, rf_expr *b);
rf_expr *rf_ge(rf_expr *a, rf_expr *b);
rf_expr *rf_and(rf_expr *a, rf_expr *b);
rf_expr *rf_or(rf_expr *a, rf_expr *b);
rf_expr *rf_not(rf_expr *a);
rf_expr *rf_is_null(rf_expr *a);
rf_expr *rf_is_not_null(rf_expr *a);
rf_expr *rf_in(rf_expr *a, int n, ...);                    /* a IN (n rf_expr* values) */
rf_expr *rf_case(rf_expr *otherwise, int n_pairs, ...);    /* n_pairs of (cond, value); otherwise may be NULL */
rf_expr *rf_cast(rf_expr *a, rf_type to);
rf_expr *rf_fn(const char *name, int n, ...);              /* any built-in function by name */
/* A lambda for the higher-order functions: (n parameter names, const char *) -> body, where body
 * names the parameters with rf_col(name) (a parameter hides a column of its name); e.g.
 * rf_fn("transform", 2, rf_col("xs"), rf_lambda(rf_mul(rf_col("x"), rf_lit_int(2)), 1, "x")). */
rf_expr *rf_lambda(rf_expr *body, int n, ...);
rf_expr *rf_lower(rf_expr *a);
rf_expr *rf_upper(rf_expr *a);
rf_expr *rf_length(rf_expr *a);
rf_expr *rf_substring(rf_expr *a, int pos, int len);       /* 1-based, as Spark */
rf_expr *rf_concat(int n, ...);
rf_expr *rf_split(rf_expr *a, const char *regex);          /* array<string> */
rf_expr *rf_explode(rf_expr *array);                       /* one row per element */
rf_expr *rf_to_date(rf_expr *a);
rf_expr *rf_date_add(rf_expr *d, rf_expr *days);
rf_expr *rf_date_sub(rf_expr *d, rf_expr *days);
rf_expr *rf_datediff(rf_expr *end, rf_expr *start);
rf_expr *rf_year(rf_expr *d);
rf_expr *rf_month(rf_expr *d);
rf_expr *rf_current_date(void);
/* aggregates */
rf_expr *rf_count(rf_expr *a);            /* NULL a: count(*) */
rf_expr *rf_count_distinct(rf_expr *a);
rf_expr *rf_sum(rf_expr *a);
rf_expr *rf_avg(rf_expr *a);
rf_expr *rf_min(rf_expr *a);
rf_expr *rf_max(rf_expr *a);
rf_expr *rf_first(rf_expr *a);            /* the first value in input order (NULLs count) */
/* window functions: rf_over(fn, partition keys, orders) where fn is one of these or an aggregate;
 * rf_rows_between(w, lo, hi) sets a ROWS frame (negative: preceding; RF_ROWS_UNBOUNDED) */
#define RF_ROWS_UNBOUNDED_PRECEDING INT64_MIN
#define RF_ROWS_UNBOUNDED_FOLLOWING INT64_MAX
rf_expr *rf_row_number(void);
rf_expr *rf_rank(void);
rf_expr *rf_dense_rank(void);
rf_expr *rf_lag(rf_expr *a, int offset, rf_expr *dflt);    /* dflt may be NULL */
rf_expr *rf_lead(rf_expr *a, int offset, rf_expr *dflt);
rf_expr *rf_over(rf_expr *fn, int n_part, rf_expr **part, int n_order, rf_expr **order);
rf_expr *rf_rows_between(rf_expr *w, int64_t lo, int64_t hi);
/* naming and ordering */
rf_expr *rf_as(rf_expr *a, const char *alias);
rf_expr *rf_asc(rf_expr *a);              /* NULLS FIRST, as Spark */
rf_expr *rf_desc(rf_expr *a);             /* NULLS LAST, as Spark */
void rf_expr_destroy(rf_expr **pe);

/* ---- sources ----
 * options: comma-separated key=value: header, inferSchema, delimiter, quote, nullValue,
 * mode (PERMISSIVE | DROPMALFORMED | FAILFAST), schema ("a INT, b STRING", with ';' between fields
 * in place of ','). path: a file, a directory (its visible files) or a glob; several paths separated
 * by the ASCII unit separator are not needed: use rf_read_csv_paths. */
rf_df *rf_read_csv(rf_session *s, const char *path, const char *options);
rf_df *rf_read_csv_paths(rf_session *s, int n, const char *const *paths, const char *options);
rf_df *rf_read_text(rf_session *s, const char *path);      /* one string column "value" per line */
/* An HDF5 table (docs/FORMAT.md): a .h5 file, a directory of them, or a glob; the schema is the file's. */
rf_df *rf_read_hdf5(rf_session *s, const char *path);
rf_df *rf_read_text_paths(rf_session *s, int n, const char *const *paths);

/* ---- transformations (borrow df, consume exprs, return a new df) ---- */
rf_df *rf_df_select(rf_df *df, int n, ...);
rf_df *rf_df_selectv(rf_df *df, int n, rf_expr **exprs);
rf_df *rf_df_filter(rf_df *df, rf_expr *pred);
rf_df *rf_df_where(rf_df *df, rf_expr *pred);
rf_df *rf_df_with_column(rf_df *df, const char *name, rf_expr *e);
rf_df *rf_df_with_column_renamed(rf_df *df, const char *from, const char *to);
rf_df *rf_df_drop(rf_df *df, const char *name);
rf_df *rf_df_distinct(rf_df *df);
/* Spark's dropDuplicates(cols): one row for each distinct combination of the n named columns (every
 * column when n is 0), the others from one of its rows; the columns keep their order. On a stream
 * (include/riffle/stream.h) a row is written the first time its key is seen, and the keys are kept
 * as state (forgotten past the watermark when the watermark's column is among them). */
rf_df *rf_df_drop_duplicates(rf_df *df, int n, const char *const *cols);
rf_df *rf_df_agg(rf_df *df, int n_keys, rf_expr **keys, int n_aggs, rf_expr **aggs);
rf_df *rf_df_group_count(rf_df *df, int n_keys, ...);      /* groupBy(keys).count() */
rf_df *rf_df_join(rf_df *left, rf_df *right, const char *using_cols, rf_join_type type); /* "a,b" */
rf_df *rf_df_join_on(rf_df *left, rf_df *right, rf_expr *cond, rf_join_type type);
rf_df *rf_df_order_by(rf_df *df, int n, ...);              /* rf_asc / rf_desc / plain = asc */
rf_df *rf_df_order_byv(rf_df *df, int n, rf_expr **orders);
rf_df *rf_df_limit(rf_df *df, int64_t n);
rf_df *rf_df_union_all(rf_df *a, rf_df *b);
rf_df *rf_df_repartition(rf_df *df, int n);
rf_df *rf_df_coalesce(rf_df *df, int n);
/* spark.range: a column `id` (BIGINT) of start, start + step, ... up to end (excluded), generated in
 * num_partitions tasks (0: one per million rows, at most 1024). */
rf_df *rf_range(rf_session *s, int64_t start, int64_t end, int64_t step, int num_partitions);
/* repartition(n, cols): rows hashed by the n_keys expressions (consumed) into n partitions
 * (n 0: spark.sql.shuffle.partitions); SQL's DISTRIBUTE BY. */
rf_df *rf_df_repartition_by(rf_df *df, int n, int n_keys, rf_expr **keys);
/* sortWithinPartitions: each partition's rows sorted, no shuffle (SQL's SORT BY). */
rf_df *rf_df_sort_within_partitions(rf_df *df, int n, rf_expr **orders);
rf_df *rf_df_alias(rf_df *df, const char *alias);
/* Spark's persist() and cache(): the first action that computes the returned DataFrame keeps its
 * rows on the executors (each rank its own partitions, as packed batches) for the rest of the
 * session or until unpersist; later actions read them instead of recomputing. Storage levels:
 *   RF_MEMORY_AND_DISK (cache()): in memory while the rank's budget allows, else in spill files
 *     (riffle.local.dir); between jobs, caches beyond half the execution pool are evicted to disk,
 *     oldest first;
 *   RF_MEMORY_ONLY: in memory only; a cache that does not fit is not kept (actions recompute it), and
 *     one evicted under pressure is dropped;
 *   RF_DISK_ONLY: in spill files from the start. */
typedef enum rf_storage_level { RF_MEMORY_AND_DISK = 0, RF_MEMORY_ONLY = 1, RF_DISK_ONLY = 2 } rf_storage_level;
rf_df *rf_df_persist(rf_df *df, rf_storage_level level);
rf_df *rf_df_cache(rf_df *df);      /* rf_df_persist(df, RF_MEMORY_AND_DISK) */
/* Forgets df's cached rows (every rank frees them when the next job starts); actions on df compute
 * it again, uncached. df must be what rf_df_persist / rf_df_cache returned (else nothing happens).
 * Returns df. */
rf_df *rf_df_unpersist(rf_df *df);

/* ---- argument counts checked ----
 * The functions above that take a count and then that many arguments (rf_in, rf_case, rf_fn,
 * rf_concat, rf_df_select, rf_df_group_count, rf_df_order_by) are wrapped in macros that count the
 * arguments actually written: a count that does not match them gives an error from the call (its
 * expression is NULL, its DataFrame fails with a message saying so) instead of reading past the
 * arguments. Up to 100 arguments; past that, use the array forms (rf_df_selectv, ...). Call
 * `(rf_df_select)(...)` to bypass the check (function pointers, bindings). Uses the GNU
 * `, ##__VA_ARGS__` extension (gcc, clang, icx, nvc). */
#define RF__VA_BAD (-1000000)   /* a count that did not match: RF__VA_BAD - arguments written */
#define RF__VA_PICK(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, _50, _51, _52, _53, _54, _55, _56, _57, _58, _59, _60, _61, _62, _63, _64, _65, _66, _67, _68, _69, _70, _71, _72, _73, _74, _75, _76, _77, _78, _79, _80, _81, _82, _83, _84, _85, _86, _87, _88, _89, _90, _91, _92, _93, _94, _95, _96, _97, _98, _99, _100, N, ...) N
#define RF__VA_COUNT(...) RF__VA_PICK(__VA_ARGS__, 100, 99, 98, 97, 96, 95, 94, 93, 92, 91, 90, 89, 88, 87, 86, 85, 84, 83, 82, 81, 80, 79, 78, 77, 76, 75, 74, 73, 72, 71, 70, 69, 68, 67, 66, 65, 64, 63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define RF__VA_CHECK(n, c) ((int)(n) == (c) ? (int)(n) : RF__VA_BAD - (c))
#define rf_in(a, n, ...) rf_in((a), RF__VA_CHECK((n), RF__VA_COUNT(x, ##__VA_ARGS__) - 1), ##__VA_ARGS__)
#define rf_case(otherwise, n_pairs, ...) \
    rf_case((otherwise), (2 * (int)(n_pairs) == RF__VA_COUNT(x, ##__VA_ARGS__) - 1) ? (int)(n_pairs) : RF__VA_BAD - (RF__VA_COUNT(x, ##__VA_ARGS__) - 1), ##__VA_ARGS__)
#define rf_fn(name, n, ...) rf_fn((name), RF__VA_CHECK((n), RF__VA_COUNT(x, ##__VA_ARGS__) - 1), ##__VA_ARGS__)
#define rf_concat(n, ...) rf_concat(RF__VA_CHECK((n), RF__VA_COUNT(x, ##__VA_ARGS__) - 1), ##__VA_ARGS__)
#define rf_df_select(df, n, ...) rf_df_select((df), RF__VA_CHECK((n), RF__VA_COUNT(x, ##__VA_ARGS__) - 1), ##__VA_ARGS__)
#define rf_df_group_count(df, n, ...) rf_df_group_count((df), RF__VA_CHECK((n), RF__VA_COUNT(x, ##__VA_ARGS__) - 1), ##__VA_ARGS__)
#define rf_df_order_by(df, n, ...) rf_df_order_by((df), RF__VA_CHECK((n), RF__VA_COUNT(x, ##__VA_ARGS__) - 1), ##__VA_ARGS__)

/* ---- actions (Collective through the session; rank 0 calls them) ---- */
int rf_df_count(rf_df *df, int64_t *out);
int rf_df_collect(rf_df *df, rf_result **out);            /* returned-owned */
int rf_df_take(rf_df *df, int64_t n, rf_result **out);
int rf_df_show(rf_df *df, int64_t n, FILE *f);             /* Spark's show() layout */
/* options: header (default true), mode error|overwrite|append (default error), delimiter */
int rf_df_write_csv(rf_df *df, const char *dir, const char *options);
/* Writes the rows as one HDF5 table file dir/part-00000.h5 (docs/FORMAT.md), all ranks together.
 * options: mode=error|overwrite|append, rowGroupRows=N (riffle.hdf5.rowGroupRows),
 * compression=none|deflate|deflate:1..9, collective=true|false (riffle.hdf5.collectiveWrite). */
int rf_df_write_hdf5(rf_df *df, const char *dir, const char *options);
int rf_df_explain(rf_df *df, FILE *f);                     /* logical, optimized, physical, stages */
/* EXPLAIN ANALYZE: runs df (its rows are collected and dropped) and prints the plan as it ran (the
 * final plan, after adaptive execution) with each operator's rows and own time summed over its tasks
 * and ranks, then each stage's tasks, rows, shuffle, spill, peak memory, seconds and its fastest and
 * slowest rank. Collective through the session. */
int rf_df_explain_analyze(rf_df *df, FILE *f);
const char *rf_df_error(const rf_df *df);                  /* NULL when the df is fine */
int rf_df_status(const rf_df *df);                         /* RF_OK or the sticky error code */
void rf_df_release(rf_df **pdf);

/* ---- SQL from C (docs/SQL.md) ---- */
/* Spark's spark.sql(): a query returns its DataFrame, lazily (errors name the SQL position); other
 * statements (CREATE TEMPORARY VIEW, CREATE TABLE, INSERT, SET, ...) run now and return an empty
 * DataFrame. The session's temporary views are visible, and views created here stay. */
rf_df *rf_sql(rf_session *s, const char *sql);
/* createOrReplaceTempView: name refers to df in later rf_sql calls. RF_OK or an error code. */
int    rf_df_create_temp_view(rf_df *df, const char *name);

/* ---- results (rank 0) ---- */
int64_t rf_result_rows(const rf_result *r);
int rf_result_cols(const rf_result *r);
const char *rf_result_name(const rf_result *r, int col);
rf_type rf_result_type(const rf_result *r, int col);
bool rf_result_is_null(const rf_result *r, int64_t row, int col);
int64_t rf_result_int(const rf_result *r, int64_t row, int col);     /* int, bigint, date, timestamp, bool */
double rf_result_double(const rf_result *r, int64_t row, int col);
const char *rf_result_str(const rf_result *r, int64_t row, int col, size_t *len); /* borrowed */
/* Formats one value as CSV/show would ("NULL" never: empty string for NULL). Returns bytes written. */
size_t rf_result_format(const rf_result *r, int64_t row, int col, char *buf, size_t cap);
void rf_result_destroy(rf_result **pr);

#endif
