/*
 * riffle/udf.h — user code inside riffle's stages: values and records, the callback context, and
 * the registry of functions by name (RDD callbacks, scalar and aggregate UDFs).
 *
 * Functions are registered by name on every rank BEFORE rf_session_open(): the plan rank 0
 * broadcasts names them, and each rank finds its own copy. A name registered after the session
 * opened exists on rank 0 only: a job that uses it fails with a message naming the function and
 * the rank that lacks it (never a crash). Registering a name twice replaces it.
 *
 * Callbacks run on every rank, many at once (one per task, on OpenMP threads): a callback must be
 * thread-safe, and keeps per-partition state in local variables of an rf_partition_fn
 * (mapPartitions). A callback returns 0, or the code rf_fail() returns: the job then fails with the
 * message, naming the function and the rank. Values passed to a callback are valid until it
 * returns (in an rf_partition_fn, until the next rf_next()).
 */
#ifndef RIFFLE_UDF_H
#define RIFFLE_UDF_H
#include <stdarg.h>
#include "riffle/types.h"

/* ---- values: typed byte strings ----
 * A value is bytes whose first byte says the kind. The encoding keeps order: two values of the same
 * kind compare as their bytes do (memcmp, shorter first), and that order is the natural one (ints
 * and doubles numerically, strings by bytes, tuples and lists element by element), so sortByKey
 * sorts the bytes. Kinds order as listed. docs/FORMAT.md describes the encoding. */
typedef enum rf_vkind {
    RF_V_ABSENT = 0,      /* no value (an rf_val with n == 0: a record without a key) */
    RF_V_NONE = 0x01,     /* None / null */
    RF_V_INT = 0x10,      /* int64 */
    RF_V_DOUBLE = 0x20,
    RF_V_STR = 0x30,      /* bytes meant as text (UTF-8) */
    RF_V_BYTES = 0x40,    /* opaque bytes */
    RF_V_TUPLE = 0x50,    /* fixed-arity tuple of values: join's (v, w), aggregateByKey's accumulators */
    RF_V_LIST = 0x60      /* list of values: groupByKey's, cogroup's */
} rf_vkind;
typedef struct rf_val { const uint8_t *p; size_t n; } rf_val;
typedef struct rf_rec { rf_val key, value; } rf_rec;   /* key.n == 0: a record without a key */

rf_vkind    rf_val_kind(rf_val v);
int64_t     rf_val_int(rf_val v);                      /* an int (a double truncated); 0 for other kinds */
double      rf_val_double(rf_val v);                   /* a double or an int; 0 for other kinds */
const char *rf_val_str(rf_val v, size_t *len);         /* a string's or bytes' bytes (not 0-terminated); NULL otherwise */
int         rf_val_count(rf_val v);                    /* elements of a tuple or list; -1 otherwise */
rf_val      rf_val_at(rf_val v, int i);                /* element i of a tuple or list (absent when out of range) */
/* Iterates a tuple's or list's elements: size_t pos = 0; rf_val e; while (rf_val_next(v, &pos, &e)) ... */
bool        rf_val_next(rf_val v, size_t *pos, rf_val *elem);
int         rf_val_cmp(rf_val a, rf_val b);            /* the order above: < 0, 0, > 0 */
bool        rf_val_eq(rf_val a, rf_val b);
/* The value as text (saveAsTextFile's): ints and doubles as Spark prints them, strings as they
 * are, None empty, tuples' elements joined by ',', lists as [a,b]. Appends to buf (at most cap
 * bytes, 0-terminated when cap > 0); returns the length the whole text needs. */
size_t      rf_val_format(rf_val v, char *buf, size_t cap);

/* Builders. The bytes live in a per-thread scratch area until the callback returns (in an
 * rf_partition_fn, until the next rf_next()); outside callbacks (building parallelize's records on
 * the driver), until rf_val_scratch_reset(). Out of memory: an absent value, which rf_emit refuses. */
rf_val rf_none(void);
rf_val rf_int(int64_t v);
rf_val rf_double(double v);
rf_val rf_str(const char *s);                          /* 0-terminated */
rf_val rf_strn(const char *s, size_t n);
rf_val rf_bytes(const void *p, size_t n);
rf_val rf_tuple(int n, ...);                           /* n rf_val arguments */
rf_val rf_tuplev(int n, const rf_val *elems);
rf_val rf_list(int n, const rf_val *elems);
rf_val rf_val_copy(rf_val v);                          /* v's bytes copied into the scratch area */
void   rf_val_scratch_reset(void);                     /* frees this thread's scratch values (driver code) */

/* ---- the callback context ---- */
typedef struct rf_ctx rf_ctx;
/* Records the callback's error (printf format); returns the code the callback returns (non-zero). */
int     rf_fail(rf_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Emits a record to the transformation's output: a value (no key) or a (key, value) pair.
 * RF_OK, or an error the callback returns. */
int     rf_emit(rf_ctx *c, rf_val value);
int     rf_emit_pair(rf_ctx *c, rf_val key, rf_val value);
/* mapPartitions / foreachPartition: the partition's next record; false at the end (or after an
 * error reading it: the job fails with that error when the callback returns). */
bool    rf_next(rf_ctx *c, rf_rec *out);
int64_t rf_ctx_partition(const rf_ctx *c);             /* the task (partition) being computed */
int     rf_ctx_rank(const rf_ctx *c);
const char *rf_ctx_function(const rf_ctx *c);          /* the registered name being run */

/* ---- RDD callbacks ---- */
typedef int (*rf_map_fn)(rf_ctx *c, const rf_rec *r);                    /* emits records (map: exactly one) */
typedef int (*rf_value_fn)(rf_ctx *c, rf_val v, rf_val *out);            /* mapValues, keyBy, sortBy, createCombiner */
typedef int (*rf_reduce_fn)(rf_ctx *c, rf_val a, rf_val b, rf_val *out); /* reduce, fold, merge: *out may be a or b */
typedef int (*rf_filter_fn)(rf_ctx *c, const rf_rec *r, bool *keep);
typedef int (*rf_partition_fn)(rf_ctx *c);                               /* rf_next() then rf_emit() */
/* partitionBy: key's partition in [0, n_parts). */
typedef int (*rf_partitioner_fn)(rf_ctx *c, rf_val key, int64_t n_parts, int64_t *part);

int rf_register_map(const char *name, rf_map_fn fn);
int rf_register_value_fn(const char *name, rf_value_fn fn);
int rf_register_reduce(const char *name, rf_reduce_fn fn);
int rf_register_filter(const char *name, rf_filter_fn fn);
int rf_register_partitions(const char *name, rf_partition_fn fn);
int rf_register_partitioner(const char *name, rf_partitioner_fn fn);

/* ---- user-defined functions for DataFrames and SQL ----
 * A column as a UDF sees it (read-only). Fixed-width values in data: bool uint8_t, int and date
 * int32_t, bigint and timestamp int64_t (µs), double double; strings as n + 1 int64_t offsets into
 * bytes. valid: bit i of valid[i / 8] set when row i is not NULL; NULL when no row is NULL. */
typedef struct rf_vec {
    rf_type         type;
    int64_t         n;
    const uint8_t  *valid;
    const void     *data;
    const char     *bytes;
} rf_vec;
static inline bool rf_vec_is_null(const rf_vec *v, int64_t i) { return v->valid && !((v->valid[i >> 3] >> (i & 7)) & 1); }
static inline int64_t rf_vec_int(const rf_vec *v, int64_t i)
{
    switch (v->type) {
    case RF_TYPE_BOOL: return ((const uint8_t *)v->data)[i];
    case RF_TYPE_INT32: case RF_TYPE_DATE: return ((const int32_t *)v->data)[i];
    default: return ((const int64_t *)v->data)[i];
    }
}
static inline double rf_vec_double(const rf_vec *v, int64_t i) { return ((const double *)v->data)[i]; }
static inline const char *rf_vec_str(const rf_vec *v, int64_t i, size_t *len)
{
    const int64_t *o = (const int64_t *)v->data;
    *len = (size_t)(o[i + 1] - o[i]);
    return v->bytes + o[i];
}
/* A UDF's output column, rows set in increasing order (a row not set is NULL). The value must suit
 * the function's result type (an int for int / bigint / date / timestamp / bool; a double; a string). */
typedef struct rf_vec_out rf_vec_out;
int rf_out_int(rf_vec_out *o, int64_t row, int64_t v);
int rf_out_double(rf_vec_out *o, int64_t row, double v);
int rf_out_str(rf_vec_out *o, int64_t row, const char *s, size_t len);
int rf_out_null(rf_vec_out *o, int64_t row);

/* A scalar UDF: one call per batch of rows, args[k] the k-th argument (cast to the declared type),
 * all of args[0].n rows; fills out. */
typedef int (*rf_udf_fn)(rf_ctx *c, int nargs, const rf_vec *args, rf_vec_out *out);
/* Registers `name` for rf_fn(name, ...) and SQL: result type, nargs argument types (arguments are
 * cast to them as a built-in function's are). Deterministic functions only. */
int rf_register_udf(const char *name, rf_type result, int nargs, const rf_type *arg_types, rf_udf_fn fn);

/* An aggregate UDF over a fixed-size state (plain bytes: it crosses ranks and spill files as they
 * are, so no pointers). The engine keeps one zeroed state per group and calls init on it, folds
 * rows in with update (states[i] is row i's group's state), merges partial states computed
 * elsewhere (other threads, ranks, spill files) with merge, and makes the group's result with
 * finalize (write row `row` of out). Aggregate UDFs are used like built-in aggregates:
 * rf_df_agg(df, ..., rf_fn("my_agg", 1, rf_col("x"))) or SELECT my_agg(x) ... GROUP BY ... */
typedef struct rf_udaf {
    rf_type result;
    int     nargs;                     /* 1 or 2 */
    rf_type arg_types[2];
    size_t  state_size;                /* 1 .. 65536 bytes */
    void  (*init)(void *state);        /* may be NULL: the zeroed state */
    int   (*update)(rf_ctx *c, void *const *states, int nargs, const rf_vec *args);
    int   (*merge)(rf_ctx *c, void *state, const void *other);
    int   (*finalize)(rf_ctx *c, const void *state, rf_vec_out *out, int64_t row);
} rf_udaf;
int rf_register_udaf(const char *name, const rf_udaf *def);

#endif
