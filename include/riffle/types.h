/*
 * riffle/types.h — value types and status codes shared by every public header.
 *
 * A column holds values of one rf_type. Dates are int32 days since 1970-01-01, timestamps int64
 * microseconds since the epoch (UTC), strings UTF-8 bytes. RF_TYPE_ARRAY is array<string>, the result
 * of split(); it exists so that explode() can turn it into rows.
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
    RF_TYPE_ARRAY,      /* array<string> */
    RF_TYPE_COUNT_
} rf_type;

/* Status codes. Every fallible riffle function returns one; the message is in the session or df. */
enum {
    RF_OK = 0,
    RF_ERR_INVALID,    /* bad input: a malformed file, a bad option, a missing path */
    RF_ERR_ANALYSIS,   /* a plan that cannot be resolved: unknown column, type mismatch */
    RF_ERR_IO,         /* the file system said no */
    RF_ERR_NOMEM,      /* out of memory */
    RF_ERR_MPI,        /* an MPI call failed */
    RF_ERR_LIMIT,      /* a configured limit was exceeded (riffle.driver.maxResultSize, ...) */
    RF_ERR_INTERNAL    /* a bug in riffle */
};

/* The SQL name of a type ("int", "bigint", "string", ...). Not Collective. */
const char *rf_type_name(rf_type t);

#endif
