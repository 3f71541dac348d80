/*
 * agg.h — the aggregate function interface.
 *
 * An aggregate function keeps one state per group, for all the groups of a hash table at once
 * (struct of arrays, grown as groups arrive), and is driven in columns, never a call per row:
 *
 *   init       set up the states of call `call` (no groups yet);
 *   grow       room for groups [0, n); the new ones start empty;
 *   update     fold raw input values v[i] into groups gid[i], i < n;
 *   merge      fold serialized states (state columns, row i) into groups gid[i];
 *   serialize  the states of groups [0, ng) as state columns;
 *   finalize   the results of groups [0, ng) as one column of the call's type;
 *   bytes      memory the states hold (the caller reserves it from the execution pool);
 *   fini       frees the states.
 *
 * The serialized state is one format everywhere: what a partial aggregation emits, what a shuffle
 * moves and what a spill file holds (and what a checkpoint of streaming state or an RDD's
 * combineByKey will). Its columns are rf__agg_state_types(call). A partial state then merged gives
 * the result of updating with every value, whatever the split of the values across states.
 */
#ifndef RF_AGG_H
#define RF_AGG_H

#include "expr/expr.h"

#define RF_AGG_MAX_STATE 6   /* most state columns of one aggregate */
/* Aggregates of two arguments (the second column comes in rf_aggst.v2 during update). */
#define RF_A_TWO_ARGS(op) ((op) >= RF_A_COVAR_POP && (op) <= RF_A_REGR_R2)

typedef struct rf_aggfn rf_aggfn;

/* The states of one aggregate over a table's groups. The fields after `fn` belong to the function
 * (the built-ins use these arrays; a user function keeps its own in `user`). */
typedef struct rf_aggst {
    const rf_aggfn *fn;
    const rf_expr  *call;     /* borrowed: the AGG expression (op, argument, result type) */
    int64_t  cap;             /* groups with room */
    int      op;
    rf_type  vt;              /* value type of sum / min / max */
    bool     dec;             /* the input values are decimals */
    int64_t *cnt;
    int64_t *iv;
    double  *dv;
    rf_dec  *xv;              /* decimal sums and min / max */
    double  *mv[4];           /* central moments: mean, M2, M3, M4 (order k: mv[0..k)) */
    int      k;               /* moments kept: 2 (variance, stddev) or 4 (skewness, kurtosis) */
    double  *cv[5];           /* co-moments of (a, b): mean a, mean b, M2 a, M2 b, C ab */
    const rf_column *v2;      /* update of a two-argument aggregate: its second argument */
    char   **sv;              /* min / max strings, owned */
    int64_t *sl;
    int64_t  sbytes;          /* bytes of the strings held */
    void    *user;
} rf_aggst;

struct rf_aggfn {
    const char *name;
    int     (*init)(rf_aggst *a, const rf_expr *call);
    int     (*grow)(rf_aggst *a, int64_t n);
    int     (*update)(rf_aggst *a, const int64_t *gid, const rf_column *v, int64_t n);   /* v NULL: count(*) */
    int     (*merge)(rf_aggst *a, const int64_t *gid, rf_column *const *state, int64_t n);
    int     (*serialize)(const rf_aggst *a, int64_t ng, rf_column **state);
    int     (*finalize)(const rf_aggst *a, int64_t ng, rf_column **out);
    int64_t (*bytes)(const rf_aggst *a);
    void    (*fini)(rf_aggst *a);
};

/* The function that computes AGG expression call. */
const rf_aggfn *rf__aggfn_of(const rf_expr *call);
/* The types of call's serialized state columns (at most RF_AGG_MAX_STATE); returns how many. */
int rf__agg_state_types(const rf_expr *call, rf_type *types);
/* Sets up a->fn and the states for call (a zeroed before). */
int rf__agg_init(rf_aggst *a, const rf_expr *call);

#endif
