/*
 * riffle/types.h — value types and status codes shared by every public header.
 *
 * A column holds values of one rf_type. Dates are int32 days since 1970-01-01, timestamps int64
 * microseconds since the epoch (UTC), strings UTF-8 bytes.
 *
 * Nested types, as in Spark: array<T>, map<K,V> and struct<name:T,...>, to any depth. Their rf_type
 * values are interned descriptors (rf_type_array(), rf_type_map(), rf_type_struct()): one value per
 * distinct type within a process, so types compare with ==. The bare RF_TYPE_ARRAY is array<string>.
 * The values differ between processes: plans and shuffles carry nested types by name.
 *
 * DECIMAL(p,s) is exact, as in Spark: a 128-bit two's-complement unscaled integer u meaning
 * u / 10^s, with at most p <= 38 digits. A decimal type carries its precision and scale in the bits
 * above the base type (rf_type_decimal(10, 2)), so an rf_type value names a full type; compare
 * kinds with rf_type_base().
 */
#ifndef RIFFLE_TYPES_H
#define RIFFLE_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum rf_type {
    RF_TYPE_NULL = 0,   /* the type of an untyped NULL literal */
    RF_TYPE_BOOL,
    RF_TYPE_INT32,
    RF_TYPE_INT64,
    RF_TYPE_DOUBLE,
    RF_TYPE_STRING,
    RF_TYPE_DATE,       /* int32 days since 1970-01-01 */
    RF_TYPE_TIMESTAMP,  /* int64 microseconds since 1970-01-01 00:00:00 UTC */
    RF_TYPE_ARRAY,      /* array<T>: see rf_type_array(); the bare value is array<string> */
    RF_TYPE_DECIMAL,    /* decimal(p,s): see rf_type_decimal() */
    RF_TYPE_MAP,        /* map<K,V>: see rf_type_map() */
    RF_TYPE_STRUCT,     /* struct<a:T,...>: see rf_type_struct() */
    RF_TYPE_COUNT_
} rf_type;

#define RF_DECIMAL_MAX_PRECISION 38

/* decimal(p, s) with 1 <= p <= 38 and 0 <= s <= p (not checked here: rf_type_valid() does). */
static inline rf_type rf_type_decimal(int p, int s) { return (rf_type)(RF_TYPE_DECIMAL | (unsigned)p << 8 | (unsigned)s << 16); }
/* The kind of a type without its parameters (RF_TYPE_DECIMAL for every decimal). */
static inline rf_type rf_type_base(rf_type t) { return (rf_type)((unsigned)t & 0xffu); }
static inline int rf_type_precision(rf_type t) { return (int)(((unsigned)t >> 8) & 0xffu); }
static inline int rf_type_scale(rf_type t) { return (int)(((unsigned)t >> 16) & 0xffu); }
static inline bool rf_type_is_decimal(rf_type t) { return rf_type_base(t) == RF_TYPE_DECIMAL; }
static inline bool rf_type_is_nested(rf_type t)
{
    rf_type b = rf_type_base(t);
    return b == RF_TYPE_ARRAY || b == RF_TYPE_MAP || b == RF_TYPE_STRUCT;
}
/* Whether t is a type riffle knows (a base kind, a decimal with valid precision and scale, or an
 * interned nested type). */
bool rf_type_valid(rf_type t);

/* Nested types. Each returns the interned type, or RF_TYPE_NULL when out of memory or past the
 * limit of distinct nested types (an error is set). Not Collective; thread-safe. */
rf_type rf_type_array(rf_type elem);
rf_type rf_type_map(rf_type key, rf_type value);
rf_type rf_type_struct(int n, const char *const *names, const rf_type *types);
/* Parts: an array's element type; a map's key and value types, and its entry type
 * struct<key:K,value:V> (a map column is an array of entries); a struct's fields. */
rf_type rf_type_elem(rf_type t);
rf_type rf_type_map_key(rf_type t);
rf_type rf_type_map_value(rf_type t);
rf_type rf_type_map_entry(rf_type t);
int     rf_type_nfields(rf_type t);
rf_type rf_type_field(rf_type t, int i);
const char *rf_type_field_name(rf_type t, int i);
int     rf_type_field_index(rf_type t, const char *name);   /* case-insensitive; -1 absent, -2 ambiguous */

/* Status codes. Every fallible riffle function returns one; the message is in the session or df. */
enum {
    RF_OK = 0,
    RF_ERR_INVALID,    /* bad input: a malformed file, a bad option, a missing path */
    RF_ERR_ANALYSIS,   /* a plan that cannot be resolved: unknown column, type mismatch */
    RF_ERR_IO,         /* the file system said no */
    RF_ERR_NOMEM,      /* out of memory */
    RF_ERR_MPI,        /* an MPI call failed */
    RF_ERR_LIMIT,      /* a configured limit was exceeded (riffle.driver.maxResultSize, ...) */
    RF_ERR_INTERNAL,   /* a bug in riffle */
    RF_ERR_STOPPED,    /* stopped by SIGTERM / SIGINT at a safe point: nothing was published after the signal */
    RF_ERR_PREEMPTED   /* stopped by SIGUSR1 between stages with riffle.checkpoint.dir set: the stages done are
                        * checkpointed there; run the same job again to resume (riffle exits with 75) */
};

/* The SQL name of a type ("int", "bigint", "decimal(10,2)", "array<int>", "struct<a:int,b:string>").
 * The string is static (interned with a nested type), or for a decimal one of a few thread-local
 * buffers reused in turn. Not Collective. */
const char *rf_type_name(rf_type t);

#endif
