/*
 * expr.h — expression trees: construction, analysis (name resolution and typing) and vectorized
 * evaluation over batches.
 *
 * The same rf_expr serves the logical plan (columns named, then resolved to attribute ids) and the
 * physical plan (columns bound to an index in the operator's input batch). Analysis inserts CASTs so
 * that the evaluator only ever sees operands of one type.
 */
#ifndef RF_EXPR_H
#define RF_EXPR_H

#include "core/core.h"
#include "riffle/dataframe.h"

typedef enum rf_ekind {
    RF_E_COL = 0, RF_E_LIT,
    RF_E_ADD, RF_E_SUB, RF_E_MUL, RF_E_DIV, RF_E_MOD, RF_E_NEG,
    RF_E_EQ, RF_E_NE, RF_E_LT, RF_E_LE, RF_E_GT, RF_E_GE,
    RF_E_AND, RF_E_OR, RF_E_NOT, RF_E_ISNULL, RF_E_ISNOTNULL,
    RF_E_IN, RF_E_CASE, RF_E_CAST, RF_E_FUNC, RF_E_AGG, RF_E_SORT,
    RF_E_SUBQUERY,   /* SQL only: a subquery, replaced by joins before a plan is built */
    RF_E_WINDOW,     /* fn(args) OVER (PARTITION BY ... ORDER BY ... frame): args, then partition, then orders */
    RF_E_EQNS,       /* a <=> b: null-safe equality, never NULL */
    RF_E_BETWEEN,    /* x BETWEEN lo AND hi (args x, lo, hi): x >= lo AND x <= hi with x evaluated once */
    RF_E_LAMBDA,     /* (x, y) -> body, an argument of a higher-order function: arg[0] the body, then one COL per
                      * parameter (func_nested.c) */
    RF_E_KIND_COUNT_
} rf_ekind;

typedef enum rf_func {
    RF_F_LOWER = 0, RF_F_UPPER, RF_F_LENGTH, RF_F_SUBSTRING, RF_F_CONCAT, RF_F_SPLIT, RF_F_EXPLODE,
    RF_F_TO_DATE, RF_F_DATE_ADD, RF_F_DATE_SUB, RF_F_DATEDIFF, RF_F_YEAR, RF_F_MONTH,
    RF_F_DAYOFMONTH, RF_F_CURRENT_DATE, RF_F_COALESCE, RF_F_TRIM, RF_F_ABS, RF_F_ROUND, RF_F_LIKE,
    RF_F_NULLIF, RF_F_DATE_TRUNC, RF_F_SINGLE_ROW, RF_F_CURRENT_TIMESTAMP,
    RF_F_ADD_MONTHS, RF_F_QUARTER, RF_F_DAYOFWEEK, RF_F_DAYOFYEAR, RF_F_WEEKOFYEAR, RF_F_HOUR, RF_F_MINUTE,
    RF_F_SECOND, RF_F_LAST_DAY,
    RF_F_IV_MONTHS,  /* INTERVAL 'n' MONTH / YEAR (n in months): only as date +/- interval, which becomes add_months */
    /* func_more.c */
    RF_F_LTRIM, RF_F_RTRIM, RF_F_BTRIM, RF_F_LPAD, RF_F_RPAD, RF_F_LEFT, RF_F_RIGHT, RF_F_REPEAT, RF_F_REPLACE,
    RF_F_REVERSE, RF_F_INITCAP, RF_F_TRANSLATE, RF_F_SPLIT_PART, RF_F_CONCAT_WS, RF_F_ASCII, RF_F_CHR, RF_F_INSTR,
    RF_F_LOCATE, RF_F_STARTSWITH, RF_F_ENDSWITH, RF_F_CONTAINS, RF_F_HEX, RF_F_UNHEX, RF_F_RLIKE, RF_F_REGEXP_REPLACE,
    RF_F_REGEXP_EXTRACT, RF_F_FLOOR, RF_F_CEIL, RF_F_SQRT, RF_F_EXP, RF_F_LN, RF_F_LOG10, RF_F_LOG2, RF_F_POWER,
    RF_F_SIGN, RF_F_LOG, RF_F_CBRT, RF_F_GREATEST, RF_F_LEAST, RF_F_DATE_FORMAT, RF_F_TO_TIMESTAMP,
    RF_F_UNIX_TIMESTAMP, RF_F_FROM_UNIXTIME, RF_F_MAKE_DATE,
    RF_F_EXPLODE_OUTER, RF_F_POSEXPLODE, RF_F_POSEXPLODE_OUTER,   /* like RF_F_EXPLODE: top-level select items */
    RF_F_ISNAN, RF_F_ISNULL, RF_F_ISNOTNULL, RF_F_NANVL, RF_F_PMOD, RF_F_MODF, RF_F_PI, RF_F_E, RF_F_TYPEOF,
    RF_F_LEVENSHTEIN, RF_F_SOUNDEX, RF_F_SUBSTRING_INDEX, RF_F_OVERLAY, RF_F_OCTET_LENGTH, RF_F_BIT_LENGTH,
    RF_F_MONTHS_BETWEEN, RF_F_NEXT_DAY, RF_F_TRUNC, RF_F_WEEKDAY, RF_F_FORMAT_NUMBER, RF_F_BASE64, RF_F_UNBASE64,
    RF_F_BIN, RF_F_DEGREES, RF_F_RADIANS, RF_F_SIN, RF_F_COS, RF_F_TAN, RF_F_ASIN, RF_F_ACOS, RF_F_ATAN, RF_F_ATAN2,
    RF_F_BROUND, RF_F_RINT, RF_F_HYPOT, RF_F_GET_JSON_OBJECT, RF_F_SIZE, RF_F_ELEMENT_AT, RF_F_ARRAY_CONTAINS,
    RF_F_ARRAY_JOIN,
    RF_F_TRY_ADD, RF_F_TRY_SUBTRACT, RF_F_TRY_MULTIPLY, RF_F_TRY_DIVIDE,   /* NULL on overflow / division by 0 */
    RF_F_IV_MICROS,      /* INTERVAL n HOUR / MINUTE / SECOND (in microseconds): only as timestamp +/- interval */
    RF_F_TS_ADD_MICROS,  /* timestamp + microseconds: what timestamp +/- an interval becomes */
    /* func_nested.c: arrays, maps, structs, higher-order functions, JSON */
    RF_F_ARRAY, RF_F_MAP, RF_F_STRUCT, RF_F_NAMED_STRUCT,
    RF_F_GET_FIELD,      /* s.f: arg[0] the struct, arg[1] the field's name (a string literal) */
    RF_F_SUBSCRIPT,      /* a[i] (from 0) and m[key] */
    RF_F_SORT_ARRAY, RF_F_ARRAY_SORT, RF_F_ARRAY_DISTINCT, RF_F_ARRAY_MAX, RF_F_ARRAY_MIN, RF_F_ARRAY_POSITION,
    RF_F_ARRAY_REMOVE, RF_F_SLICE, RF_F_FLATTEN, RF_F_SEQUENCE, RF_F_ARRAYS_OVERLAP, RF_F_ARRAY_UNION,
    RF_F_ARRAY_INTERSECT, RF_F_ARRAY_EXCEPT, RF_F_ARRAY_REPEAT, RF_F_ARRAYS_ZIP, RF_F_ARRAY_APPEND, RF_F_ARRAY_COMPACT,
    RF_F_MAP_KEYS, RF_F_MAP_VALUES, RF_F_MAP_ENTRIES, RF_F_MAP_FROM_ARRAYS, RF_F_MAP_FROM_ENTRIES, RF_F_MAP_CONCAT,
    RF_F_STR_TO_MAP, RF_F_MAP_CONTAINS_KEY,
    RF_F_INLINE, RF_F_INLINE_OUTER,                              /* generators, like RF_F_EXPLODE */
    RF_F_TRANSFORM, RF_F_FILTER, RF_F_EXISTS, RF_F_FORALL, RF_F_AGGREGATE, RF_F_ZIP_WITH, RF_F_MAP_FILTER,
    RF_F_TRANSFORM_KEYS, RF_F_TRANSFORM_VALUES,                  /* higher-order: lambdas among the arguments */
    RF_F_TO_JSON, RF_F_FROM_JSON, RF_F_SCHEMA_OF_JSON, RF_F_JSON_ARRAY_LENGTH, RF_F_JSON_OBJECT_KEYS,
    RF_F_TIME_WINDOW,    /* window(ts, size[, slide[, start]]): rewritten at analysis into
                          * named_struct('start', __window_start(ts, slide, start), 'end', ... + size) */
    RF_F_WINDOW_START,   /* __window_start(ts, slide_us, start_us): the last window start <= ts */
    RF_F_WINDOWS,        /* __windows(ts, size_us, slide_us, start_us): every sliding window holding ts, as an
                          * array of {start, end} (GROUP BY window(ts, size, slide) explodes it: rf_df_agg) */
    RF_F_UDF,            /* a registered scalar UDF (expr/udf.h): qual names it */
    RF_F_COUNT_
} rf_func;

typedef enum rf_agg {
    RF_A_COUNT = 0, RF_A_SUM, RF_A_AVG, RF_A_MIN, RF_A_MAX,
    RF_A_VAR_SAMP, RF_A_VAR_POP, RF_A_STDDEV_SAMP, RF_A_STDDEV_POP, RF_A_SKEWNESS, RF_A_KURTOSIS,   /* central moments */
    RF_A_BOOL_AND, RF_A_BOOL_OR,
    RF_A_COVAR_POP, RF_A_COVAR_SAMP, RF_A_CORR,                                                  /* (x, y) */
    RF_A_REGR_COUNT, RF_A_REGR_AVGX, RF_A_REGR_AVGY, RF_A_REGR_SXX, RF_A_REGR_SYY, RF_A_REGR_SXY,  /* (y, x) */
    RF_A_REGR_SLOPE, RF_A_REGR_INTERCEPT, RF_A_REGR_R2,
    RF_A_PERCENTILE, RF_A_PERCENTILE_APPROX, RF_A_MEDIAN,   /* (x, p): exact, holding a group's values */
    RF_A_FIRST, RF_A_LAST,                                   /* (x [, ignoreNulls]): in input (task) order */
    RF_A_COLLECT_LIST, RF_A_COLLECT_SET,                     /* arrays of strings */
    RF_A_UDAF,                                               /* a registered aggregate UDF (expr/udf.h): qual names it */
    RF_A_RDD,                                                /* the RDD by-key combiner (expr/udf.h) */
    RF_A_COUNT_
} rf_agg;
/* Aggregates that windows compute (the others are an error in OVER (...)). */
#define RF_A_WINDOWED(op) ((op) <= RF_A_MAX)

/* Window functions: the aggregates above, and these. */
enum { RF_W_ROW_NUMBER = 100, RF_W_RANK, RF_W_DENSE_RANK, RF_W_LAG, RF_W_LEAD,
       RF_W_FIRST_VALUE, RF_W_LAST_VALUE, RF_W_NTH_VALUE };
/* first_value / last_value / nth_value: the value of a row of the frame (computed like aggregates) */
#define RF_W_VALUE_FN(op) ((op) >= RF_W_FIRST_VALUE && (op) <= RF_W_NTH_VALUE)

/* Window frames. A RANGE frame's bounds are UNBOUNDED, CURRENT ROW (0: the row's peers) or offsets in
 * the units of its one ORDER BY key (numbers; days for a date; microseconds for a timestamp): the
 * rows whose key is within [key + lo, key + hi] (DESC: measured downwards). RF_FRAME_RANGE_IV is
 * what the parser makes of INTERVAL offsets (microseconds), until analysis knows the key's type. */
typedef enum rf_frame { RF_FRAME_DEFAULT = 0, RF_FRAME_ROWS, RF_FRAME_RANGE, RF_FRAME_RANGE_IV } rf_frame;
#define RF_UNBOUNDED INT64_MIN   /* frame bound: unbounded (preceding for lo, following for hi) */
/* A RANGE frame with a value offset (not only UNBOUNDED / CURRENT ROW bounds). */
static inline bool rf__frame_by_value(int frame, int64_t lo, int64_t hi)
{
    return (frame == RF_FRAME_RANGE || frame == RF_FRAME_RANGE_IV) &&
           ((lo != RF_UNBOUNDED && lo != 0) || (hi != INT64_MAX && hi != 0));
}

struct rf_expr {
    rf_ekind  kind;
    rf_type   type;         /* result type, valid once resolved */
    bool      nullable;
    bool      resolved;
    int       op;           /* rf_func for FUNC, rf_agg for AGG, -1 for an unknown function; CASE: 1 for the
                             * simple form CASE x WHEN v THEN r ... (arg[0] is x, then pairs, then ELSE) */
    bool      distinct;     /* AGG: count(DISTINCT x) */
    bool      desc, nulls_first;   /* SORT */
    int       n_arg;
    struct rf_expr **arg;   /* owned */
    char     *name;         /* COL: column name; FUNC: function name; others: alias or NULL */
    char     *qual;         /* COL: qualifier ("t" in t.x) or NULL; FUNC with op -1: the unknown name */
    int64_t   attr;         /* COL: resolved attribute id, -1 before */
    int       index;        /* COL: bound input column, -1 before */
    rf_value  lit;          /* LIT */
    int       line, col;    /* where the SQL text wrote it (1-based), 0 when built by the C API */
    int       depth;        /* height of the tree below, set when the node is made (RF_MAX_EXPR_DEPTH bounds it
                             * where expressions enter: the SQL parser and the DataFrame API) */
    void     *sub;          /* SUBQUERY: the parsed query (borrowed; op 0 scalar, 1 EXISTS, 2 IN) */
    int       n_part, n_order;   /* WINDOW: how many of arg[] are partition keys and sort orders (at the end) */
    int       frame;             /* WINDOW: rf_frame */
    int64_t   frame_lo, frame_hi;/* WINDOW: bounds relative to the row (-n preceding, +n following) or RF_UNBOUNDED */
};

/* Conjunctions built from many terms: a balanced AND tree, so a thousand conditions are ten
 * levels deep, not a thousand. */
typedef struct rf_conj { rf_expr **v; int64_t n, cap; int rc; } rf_conj;
void     rf__conj_add(rf_conj *c, rf_expr *e);          /* consumes e (NULL: skipped, an error is kept) */
rf_expr *rf__conj_build(rf_conj *c, bool resolved);     /* the AND of the terms (NULL when none or on error); resets c */
void     rf__conj_fini(rf_conj *c);

/* Allocation helpers (return NULL on OOM; consume args even then). */
rf_expr *rf__expr_new(rf_ekind k, int n_arg, rf_expr **args);
rf_expr *rf__expr_lit(const rf_value *v);
rf_expr *rf__expr_col_attr(int64_t attr, const char *name, rf_type t, bool nullable, int index);
int      rf__expr_copy(const rf_expr *e, rf_expr **out);
bool     rf__expr_equal(const rf_expr *a, const rf_expr *b);
/* As rf__expr_equal, but an unresolved column without a table name matches one with (x and t.x):
 * for matching grouping expressions, not for telling aggregates of different tables apart. */
bool     rf__expr_equal_loose(const rf_expr *a, const rf_expr *b);
const char *rf__expr_out_name(const rf_expr *e);   /* alias, column name, or a derived name */
int      rf__expr_display(const rf_expr *e, rf_buf *b);   /* SQL-ish text for EXPLAIN and names */
bool     rf__expr_has_agg(const rf_expr *e);
/* Collects the attribute ids referenced by e into *ids (grown array). */
int      rf__expr_attrs(const rf_expr *e, int64_t **ids, int64_t *n, int64_t *cap);
bool     rf__expr_refs_only(const rf_expr *e, const rf_schema *s);   /* all attrs in s */
const char *rf__func_name(int f);
bool     rf__expr_has_window(const rf_expr *e);
int      rf__agg_lookup(const char *name);
static inline bool rf__is_generator(int op)
{
    return op == RF_F_EXPLODE || op == RF_F_EXPLODE_OUTER || op == RF_F_POSEXPLODE || op == RF_F_POSEXPLODE_OUTER ||
           op == RF_F_INLINE || op == RF_F_INLINE_OUTER;
}
static inline bool rf__is_hof(int op) { return op >= RF_F_TRANSFORM && op <= RF_F_TRANSFORM_VALUES; }
/* Lambda variables: a parsed reference to a lambda's parameter has attr RF_LAMBDA_VAR (so that SQL
 * rewrites leave it alone); analysis gives parameters attrs <= RF_LAMBDA_ATTR(0), never a plan's. */
#define RF_LAMBDA_VAR (-2)
#define RF_LAMBDA_ATTR(k) (-1000 - (int64_t)(k))
/* func_nested.c: analysis of a higher-order function (its lambdas see `in` plus their parameters),
 * binding of a lambda, and evaluation of one over a batch. */
int rf__hof_resolve(rf_expr *e, const rf_schema *in, bool allow_agg);
int rf__lambda_bind(rf_expr *lambda, const rf_schema *in);
int rf__hof_eval(const rf_expr *e, const rf_batch *b, rf_column **out);
/* The columns a generator makes: how many, and the i-th one's default name and type. */
int rf__gen_ncols(const rf_expr *gen);
const char *rf__gen_col_name(const rf_expr *gen, int i);
rf_type rf__gen_col_type(const rf_expr *gen, int i);   /* RF_A_* for an aggregate's name or alias, -1 */
/* The window function's own arguments (not its partition keys and orders). */
static inline int rf__window_nargs(const rf_expr *e) { return e->n_arg - e->n_part - e->n_order; }
const char *rf__agg_name(int a);
int      rf__func_lookup(const char *name);

/*
 * Analysis: resolves column names against the input schema(s) (attribute ids, types) and types the
 * tree bottom-up, inserting casts. `in` is the operator's input schema; on error returns
 * RF_ERR_ANALYSIS with a message naming the column and suggesting the closest name.
 * allow_agg: aggregates may appear (Aggregate lists only).
 */
int rf__expr_resolve(rf_expr *e, const rf_schema *in, bool allow_agg);
/* The height of e's tree (walked, bounded by the stack guard); -1 with an error when too deep. */
int rf__expr_height(const rf_expr *e);
/* RF_OK when e is no deeper than RF_MAX_EXPR_DEPTH, else an error saying so (at e's position). */
int rf__expr_check_depth(const rf_expr *e);
/* Binds every column to its index in `in` by attribute id (physical plans). */
int rf__expr_bind(rf_expr *e, const rf_schema *in);
/* Wraps e in a cast to t unless it already has that type; consumes e. */
rf_expr *rf__expr_cast_to(rf_expr *e, rf_type t);
/* Constant folding of literal-only subtrees; may replace *pe. */
int rf__expr_fold(rf_expr **pe);
/* Evaluates a resolved, bound expression over b; *out is a new column reference (maybe constant). */
int rf__expr_eval(const rf_expr *e, const rf_batch *b, rf_column **out);
/* Evaluates a literal-only expression to a value (returned-owned strings). */
int rf__expr_eval_const(const rf_expr *e, rf_value *out);
/* The type two types widen to (numbers, dates, nested types element-wise); RF_ERR_ANALYSIS when none. */
int rf__type_common(rf_type a, rf_type b, rf_type *out);
/* Whether CAST(from AS to) is allowed (nested types cast element- / field-wise, or to a string). */
bool rf__cast_allowed(rf_type from, rf_type to);
/* Casts a whole column; *out new reference. */
int rf__cast_column(const rf_column *c, int64_t n, rf_type to, rf_column **out);
/* Evaluates a predicate and returns the selected row indexes (rows where it is true). */
int rf__expr_select(const rf_expr *pred, const rf_batch *b, int64_t **sel, int64_t *n);
/* Row i of c as JSON (to_json's form; json.c). */
int rf__json_value(rf_buf *b, const rf_column *c, int64_t i);
/* Function evaluation (func.c). */
int rf__func_eval(const rf_expr *e, rf_column **args, int64_t n, rf_column **out);
int rf__func_type(rf_expr *e);   /* sets e->type; inserts casts on args; RF_ERR_ANALYSIS on misuse */

#endif
