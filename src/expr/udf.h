/*
 * udf.h — the registry of user functions by name, the callback context, and the pieces of the
 * engine that call user code: scalar UDFs (expression evaluation), aggregate UDFs and the RDD
 * by-key combiner (aggregate functions of agg.h). See include/riffle/udf.h for the user's side.
 */
#ifndef RF_UDF_H
#define RF_UDF_H

#include "expr/agg.h"
#include "riffle/udf.h"

typedef enum rf_fnkind {
    RF_FN_MAP = 1, RF_FN_VALUE, RF_FN_REDUCE, RF_FN_FILTER, RF_FN_PARTITIONS, RF_FN_PARTITIONER, RF_FN_UDF, RF_FN_UDAF
} rf_fnkind;

typedef struct rf_regfn {
    char     *name;
    rf_fnkind kind;
    union {
        rf_map_fn map; rf_value_fn value; rf_reduce_fn reduce; rf_filter_fn filter; rf_partition_fn part;
        rf_partitioner_fn partitioner; rf_udf_fn udf;
    } f;
    rf_type   result;          /* UDF */
    int       nargs;
    rf_type   args[8];
    rf_udaf   udaf;            /* UDAF */
} rf_regfn;

const char *rf__fnkind_name(rf_fnkind k);
/* The function registered as name (NULL when none). Thread-safe. */
const rf_regfn *rf__fn_find(const char *name);
/* The function name registered as `kind`, or an error naming it, what it is, and this rank. */
int rf__fn_get(const char *name, rf_fnkind kind, const rf_regfn **out);

/* The context a callback gets. The engine sets the emit / next hooks for the operator at hand. */
struct rf_ctx {
    const char *fn;            /* the registered name */
    int64_t     task;
    int         rank;
    bool        failed;
    char        msg[480];
    int       (*emit)(rf_ctx *c, rf_val key, rf_val value);   /* NULL: this callback may not emit */
    bool      (*next)(rf_ctx *c, rf_rec *out);                /* NULL: not a partition function */
    void       *op;            /* the operator's state, for the hooks */
    int         hook_rc;       /* an error a hook met (emit / next), reported when the callback returns */
};
void rf__ctx_init(rf_ctx *c, const char *fn, int64_t task);
/* The job's error for a callback that returned rc (non-zero): its message, the function and rank. */
int  rf__ctx_error(rf_ctx *c, int rc);

/* The engine's scratch area for values (core/val.c): entered while a task runs; reset (only when
 * inside) between records. */
void rf__val_engine_enter(void);
void rf__val_engine_leave(void);
void rf__val_engine_reset(void);
/* Whether [p, p+n) is one well-formed value (core/val.c). */
bool rf__val_valid(const uint8_t *p, size_t n);
/* Appends v to the list in b (empty b: starts one). */
int  rf__val_list_append(rf_buf *b, rf_val v);

/* ---- scalar UDFs: RF_F_UDF expressions (qual: the name) ---- */
int rf__udf_type(rf_expr *e);   /* nargs, casts of the arguments, result type */
int rf__udf_eval(const rf_expr *e, rf_column **args, int64_t n, rf_column **out);

/* ---- aggregates: RF_A_UDAF (qual: the name) and RF_A_RDD (the RDD combiner) ----
 * An RF_A_RDD call's qual is "mode:f1:f2:f3" and arg[1] the zero value (a string literal of an
 * encoded value, or NULL). Modes: 'r' reduceByKey(f1); 'f' aggregateByKey / foldByKey (zero,
 * seq f1, comb f2); 'c' combineByKey (create f1, mergeValue f2, mergeCombiners f3); 'l' groupByKey
 * (a list of the values, no function). Input, state and result are encoded values (STRING). */
int rf__udaf_type(rf_expr *e);
int rf__rdd_agg_type(rf_expr *e);
const rf_aggfn *rf__udf_aggfn(const rf_expr *call);
bool rf__name_is_udaf(const char *name);
/* Registers the engine's own functions (__rf_one, __rf_inc, __rf_add: countByKey). */
void rf__udf_builtins(void);

#endif
