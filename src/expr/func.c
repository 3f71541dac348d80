/*
 * func.c — built-in scalar functions: the name table, typing rules and vectorized bodies.
 * String functions count characters as UTF-8 code points, as Spark does; lower/upper map every
 * letter Unicode gives a case partner (one code point to one; documented in docs/SQL.md).
 */
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <locale.h>
#include <pthread.h>
#include <time.h>
#include <wctype.h>
#include "expr/expr.h"
#include "expr/func_more.h"
#include "expr/udf.h"

static const struct { const char *name; int min, max; } fn_table[RF_F_COUNT_] = {
    [RF_F_LOWER] = { "lower", 1, 1 },          [RF_F_UPPER] = { "upper", 1, 1 },
    [RF_F_LENGTH] = { "length", 1, 1 },        [RF_F_SUBSTRING] = { "substring", 2, 3 },
    [RF_F_CONCAT] = { "concat", 1, INT32_MAX },       [RF_F_SPLIT] = { "split", 2, 2 },
    [RF_F_EXPLODE] = { "explode", 1, 1 },      [RF_F_TO_DATE] = { "to_date", 1, 2 },
    [RF_F_DATE_ADD] = { "date_add", 2, 2 },    [RF_F_DATE_SUB] = { "date_sub", 2, 2 },
    [RF_F_DATEDIFF] = { "datediff", 2, 2 },    [RF_F_YEAR] = { "year", 1, 1 },
    [RF_F_MONTH] = { "month", 1, 1 },          [RF_F_DAYOFMONTH] = { "dayofmonth", 1, 1 },
    [RF_F_CURRENT_DATE] = { "current_date", 0, 0 }, [RF_F_COALESCE] = { "coalesce", 1, INT32_MAX },
    [RF_F_TRIM] = { "trim", 1, 1 },            [RF_F_ABS] = { "abs", 1, 1 },
    [RF_F_ROUND] = { "round", 1, 2 },          [RF_F_LIKE] = { "like", 2, 2 },
    [RF_F_NULLIF] = { "nullif", 2, 2 },        [RF_F_DATE_TRUNC] = { "date_trunc", 2, 2 },
    [RF_F_SINGLE_ROW] = { "__single_row", 2, 2 }, [RF_F_CURRENT_TIMESTAMP] = { "current_timestamp", 0, 0 },
    [RF_F_ADD_MONTHS] = { "add_months", 2, 2 }, [RF_F_QUARTER] = { "quarter", 1, 1 },
    [RF_F_DAYOFWEEK] = { "dayofweek", 1, 1 },  [RF_F_DAYOFYEAR] = { "dayofyear", 1, 1 },
    [RF_F_WEEKOFYEAR] = { "weekofyear", 1, 1 }, [RF_F_HOUR] = { "hour", 1, 1 },
    [RF_F_MINUTE] = { "minute", 1, 1 },        [RF_F_SECOND] = { "second", 1, 1 },
    [RF_F_LAST_DAY] = { "last_day", 1, 1 },    [RF_F_IV_MONTHS] = { "__interval_months", 1, 1 },
    [RF_F_LTRIM] = { "ltrim", 1, 2 },          [RF_F_RTRIM] = { "rtrim", 1, 2 },
    [RF_F_BTRIM] = { "btrim", 1, 2 },          [RF_F_LPAD] = { "lpad", 2, 3 },
    [RF_F_RPAD] = { "rpad", 2, 3 },            [RF_F_LEFT] = { "left", 2, 2 },
    [RF_F_RIGHT] = { "right", 2, 2 },          [RF_F_REPEAT] = { "repeat", 2, 2 },
    [RF_F_REPLACE] = { "replace", 2, 3 },      [RF_F_REVERSE] = { "reverse", 1, 1 },
    [RF_F_INITCAP] = { "initcap", 1, 1 },      [RF_F_TRANSLATE] = { "translate", 3, 3 },
    [RF_F_SPLIT_PART] = { "split_part", 3, 3 }, [RF_F_CONCAT_WS] = { "concat_ws", 1, INT32_MAX },
    [RF_F_ASCII] = { "ascii", 1, 1 },          [RF_F_CHR] = { "chr", 1, 1 },
    [RF_F_INSTR] = { "instr", 2, 2 },          [RF_F_LOCATE] = { "locate", 2, 3 },
    [RF_F_STARTSWITH] = { "startswith", 2, 2 }, [RF_F_ENDSWITH] = { "endswith", 2, 2 },
    [RF_F_CONTAINS] = { "contains", 2, 2 },    [RF_F_HEX] = { "hex", 1, 1 },
    [RF_F_UNHEX] = { "unhex", 1, 1 },          [RF_F_RLIKE] = { "rlike", 2, 2 },
    [RF_F_REGEXP_REPLACE] = { "regexp_replace", 3, 3 }, [RF_F_REGEXP_EXTRACT] = { "regexp_extract", 2, 3 },
    [RF_F_FLOOR] = { "floor", 1, 1 },          [RF_F_CEIL] = { "ceil", 1, 1 },
    [RF_F_SQRT] = { "sqrt", 1, 1 },            [RF_F_EXP] = { "exp", 1, 1 },
    [RF_F_LN] = { "ln", 1, 1 },                [RF_F_LOG10] = { "log10", 1, 1 },
    [RF_F_LOG2] = { "log2", 1, 1 },            [RF_F_POWER] = { "power", 2, 2 },
    [RF_F_SIGN] = { "signum", 1, 1 },          [RF_F_LOG] = { "log", 2, 2 },
    [RF_F_CBRT] = { "cbrt", 1, 1 },            [RF_F_GREATEST] = { "greatest", 2, INT32_MAX },
    [RF_F_LEAST] = { "least", 2, INT32_MAX },  [RF_F_DATE_FORMAT] = { "date_format", 2, 2 },
    [RF_F_TO_TIMESTAMP] = { "to_timestamp", 1, 2 }, [RF_F_UNIX_TIMESTAMP] = { "unix_timestamp", 0, 2 },
    [RF_F_FROM_UNIXTIME] = { "from_unixtime", 1, 2 }, [RF_F_MAKE_DATE] = { "make_date", 3, 3 },
    [RF_F_EXPLODE_OUTER] = { "explode_outer", 1, 1 }, [RF_F_POSEXPLODE] = { "posexplode", 1, 1 },
    [RF_F_POSEXPLODE_OUTER] = { "posexplode_outer", 1, 1 },
    [RF_F_ISNAN] = { "isnan", 1, 1 },          [RF_F_ISNULL] = { "isnull", 1, 1 },
    [RF_F_ISNOTNULL] = { "isnotnull", 1, 1 },  [RF_F_NANVL] = { "nanvl", 2, 2 },
    [RF_F_PMOD] = { "pmod", 2, 2 },            [RF_F_MODF] = { "mod", 2, 2 },
    [RF_F_PI] = { "pi", 0, 0 },                [RF_F_E] = { "e", 0, 0 },
    [RF_F_TYPEOF] = { "typeof", 1, 1 },        [RF_F_LEVENSHTEIN] = { "levenshtein", 2, 2 },
    [RF_F_SOUNDEX] = { "soundex", 1, 1 },      [RF_F_SUBSTRING_INDEX] = { "substring_index", 3, 3 },
    [RF_F_OVERLAY] = { "overlay", 3, 4 },      [RF_F_OCTET_LENGTH] = { "octet_length", 1, 1 },
    [RF_F_BIT_LENGTH] = { "bit_length", 1, 1 }, [RF_F_MONTHS_BETWEEN] = { "months_between", 2, 3 },
    [RF_F_NEXT_DAY] = { "next_day", 2, 2 },    [RF_F_TRUNC] = { "trunc", 2, 2 },
    [RF_F_WEEKDAY] = { "weekday", 1, 1 },      [RF_F_FORMAT_NUMBER] = { "format_number", 2, 2 },
    [RF_F_BASE64] = { "base64", 1, 1 },        [RF_F_UNBASE64] = { "unbase64", 1, 1 },
    [RF_F_BIN] = { "bin", 1, 1 },              [RF_F_DEGREES] = { "degrees", 1, 1 },
    [RF_F_RADIANS] = { "radians", 1, 1 },      [RF_F_SIN] = { "sin", 1, 1 },
    [RF_F_COS] = { "cos", 1, 1 },              [RF_F_TAN] = { "tan", 1, 1 },
    [RF_F_ASIN] = { "asin", 1, 1 },            [RF_F_ACOS] = { "acos", 1, 1 },
    [RF_F_ATAN] = { "atan", 1, 1 },            [RF_F_ATAN2] = { "atan2", 2, 2 },
    [RF_F_BROUND] = { "bround", 1, 2 },        [RF_F_RINT] = { "rint", 1, 1 },
    [RF_F_HYPOT] = { "hypot", 2, 2 },         [RF_F_GET_JSON_OBJECT] = { "get_json_object", 2, 2 },
    [RF_F_SIZE] = { "size", 1, 1 },            [RF_F_ELEMENT_AT] = { "element_at", 2, 2 },
    [RF_F_ARRAY_CONTAINS] = { "array_contains", 2, 2 }, [RF_F_ARRAY_JOIN] = { "array_join", 2, 3 },
    [RF_F_TRY_ADD] = { "try_add", 2, 2 },      [RF_F_TRY_SUBTRACT] = { "try_subtract", 2, 2 },
    [RF_F_TRY_MULTIPLY] = { "try_multiply", 2, 2 }, [RF_F_TRY_DIVIDE] = { "try_divide", 2, 2 },
    [RF_F_IV_MICROS] = { "__interval_micros", 1, 1 }, [RF_F_TS_ADD_MICROS] = { "__timestamp_add", 2, 2 },
    [RF_F_ARRAY] = { "array", 0, INT32_MAX },  [RF_F_MAP] = { "map", 0, INT32_MAX },
    [RF_F_STRUCT] = { "struct", 1, INT32_MAX }, [RF_F_NAMED_STRUCT] = { "named_struct", 2, INT32_MAX },
    [RF_F_TIME_WINDOW] = { "window", 2, 4 },   [RF_F_WINDOW_START] = { "__window_start", 3, 3 },
    [RF_F_WINDOWS] = { "__windows", 4, 4 },
    [RF_F_UDF] = { "__udf", 0, 8 },
    [RF_F_GET_FIELD] = { "__get_field", 2, 2 }, [RF_F_SUBSCRIPT] = { "__subscript", 2, 2 },
    [RF_F_SORT_ARRAY] = { "sort_array", 1, 2 }, [RF_F_ARRAY_SORT] = { "array_sort", 1, 2 },
    [RF_F_ARRAY_DISTINCT] = { "array_distinct", 1, 1 }, [RF_F_ARRAY_MAX] = { "array_max", 1, 1 },
    [RF_F_ARRAY_MIN] = { "array_min", 1, 1 },  [RF_F_ARRAY_POSITION] = { "array_position", 2, 2 },
    [RF_F_ARRAY_REMOVE] = { "array_remove", 2, 2 }, [RF_F_SLICE] = { "slice", 3, 3 },
    [RF_F_FLATTEN] = { "flatten", 1, 1 },      [RF_F_SEQUENCE] = { "sequence", 2, 3 },
    [RF_F_ARRAYS_OVERLAP] = { "arrays_overlap", 2, 2 }, [RF_F_ARRAY_UNION] = { "array_union", 2, 2 },
    [RF_F_ARRAY_INTERSECT] = { "array_intersect", 2, 2 }, [RF_F_ARRAY_EXCEPT] = { "array_except", 2, 2 },
    [RF_F_ARRAY_REPEAT] = { "array_repeat", 2, 2 }, [RF_F_ARRAYS_ZIP] = { "arrays_zip", 1, INT32_MAX },
    [RF_F_ARRAY_APPEND] = { "array_append", 2, 2 }, [RF_F_ARRAY_COMPACT] = { "array_compact", 1, 1 },
    [RF_F_MAP_KEYS] = { "map_keys", 1, 1 },    [RF_F_MAP_VALUES] = { "map_values", 1, 1 },
    [RF_F_MAP_ENTRIES] = { "map_entries", 1, 1 }, [RF_F_MAP_FROM_ARRAYS] = { "map_from_arrays", 2, 2 },
    [RF_F_MAP_FROM_ENTRIES] = { "map_from_entries", 1, 1 }, [RF_F_MAP_CONCAT] = { "map_concat", 1, INT32_MAX },
    [RF_F_STR_TO_MAP] = { "str_to_map", 1, 3 }, [RF_F_MAP_CONTAINS_KEY] = { "map_contains_key", 2, 2 },
    [RF_F_INLINE] = { "inline", 1, 1 },        [RF_F_INLINE_OUTER] = { "inline_outer", 1, 1 },
    [RF_F_TRANSFORM] = { "transform", 2, 2 },  [RF_F_FILTER] = { "filter", 2, 2 },
    [RF_F_EXISTS] = { "exists", 2, 2 },        [RF_F_FORALL] = { "forall", 2, 2 },
    [RF_F_AGGREGATE] = { "aggregate", 3, 4 },  [RF_F_ZIP_WITH] = { "zip_with", 3, 3 },
    [RF_F_MAP_FILTER] = { "map_filter", 2, 2 }, [RF_F_TRANSFORM_KEYS] = { "transform_keys", 2, 2 },
    [RF_F_TRANSFORM_VALUES] = { "transform_values", 2, 2 },
    [RF_F_TO_JSON] = { "to_json", 1, 2 },      [RF_F_FROM_JSON] = { "from_json", 2, 3 },
    [RF_F_SCHEMA_OF_JSON] = { "schema_of_json", 1, 2 }, [RF_F_JSON_ARRAY_LENGTH] = { "json_array_length", 1, 1 },
    [RF_F_JSON_OBJECT_KEYS] = { "json_object_keys", 1, 1 },
};
static const char *agg_names[RF_A_COUNT_] = { "count", "sum", "avg", "min", "max", "var_samp", "var_pop", "stddev_samp",
                                               "stddev_pop", "skewness", "kurtosis", "bool_and", "bool_or", "covar_pop",
                                               "covar_samp", "corr", "regr_count", "regr_avgx", "regr_avgy", "regr_sxx",
                                               "regr_syy", "regr_sxy", "regr_slope", "regr_intercept", "regr_r2",
                                               "percentile", "percentile_approx", "median", "first", "last", "collect_list",
                                               "collect_set", "__udaf", "__rdd_combine" };

int rf__agg_lookup(const char *name)
{
    for (int i = 0; i < RF_A_UDAF; i++) if (strcasecmp(name, agg_names[i]) == 0) return i;
    static const struct { const char *alias; int a; } aliases[] = {
        { "mean", RF_A_AVG }, { "variance", RF_A_VAR_SAMP }, { "stddev", RF_A_STDDEV_SAMP }, { "std", RF_A_STDDEV_SAMP },
        { "every", RF_A_BOOL_AND }, { "some", RF_A_BOOL_OR }, { "any", RF_A_BOOL_OR },
        { "approx_percentile", RF_A_PERCENTILE_APPROX }, { "first_value", RF_A_FIRST }, { "last_value", RF_A_LAST },
        { "array_agg", RF_A_COLLECT_LIST },
    };
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) if (strcasecmp(name, aliases[i].alias) == 0) return aliases[i].a;
    return -1;
}

const char *rf__func_name(int f) { return f >= 0 && f < RF_F_COUNT_ ? fn_table[f].name : "?"; }
const char *rf__agg_name(int a) { return a >= 0 && a < RF_A_COUNT_ ? agg_names[a] : "?"; }

int rf__func_lookup(const char *name)
{
    if (!name) return -1;
    for (int i = 0; i < RF_F_UDF; i++) if (strcasecmp(name, fn_table[i].name) == 0) return i;
    if (strcasecmp(name, "substr") == 0) return RF_F_SUBSTRING;
    if (strcasecmp(name, "day") == 0) return RF_F_DAYOFMONTH;
    if (strcasecmp(name, "lcase") == 0) return RF_F_LOWER;
    if (strcasecmp(name, "ucase") == 0) return RF_F_UPPER;
    if (strcasecmp(name, "char_length") == 0) return RF_F_LENGTH;
    if (strcasecmp(name, "now") == 0) return RF_F_CURRENT_TIMESTAMP;
    static const struct { const char *alias; int f; } aliases[] = {
        { "ceiling", RF_F_CEIL }, { "pow", RF_F_POWER }, { "sign", RF_F_SIGN }, { "regexp_like", RF_F_RLIKE },
        { "regexp", RF_F_RLIKE }, { "position", RF_F_LOCATE }, { "char", RF_F_CHR }, { "ifnull", RF_F_COALESCE },
        { "nvl", RF_F_COALESCE }, { "starts_with", RF_F_STARTSWITH }, { "ends_with", RF_F_ENDSWITH },
        { "cardinality", RF_F_SIZE }, { "reduce", RF_F_AGGREGATE },
    };
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) if (strcasecmp(name, aliases[i].alias) == 0) return aliases[i].f;
    return -1;
}

static int cast_arg(rf_expr *e, int i, rf_type t)
{
    e->arg[i] = rf__expr_cast_to(e->arg[i], t);
    return e->arg[i] ? RF_OK : rf__err_set(RF_ERR_NOMEM, "out of memory");
}

int rf__func_type(rf_expr *e)
{
    if (e->op < 0 && e->qual && rf__fn_find(e->qual)) e->op = RF_F_UDF;   /* a registered function */
    if (e->op == RF_F_UDF) return rf__udf_type(e);
    if (e->op < 0) return rf__err_set(RF_ERR_ANALYSIS, "unknown function '%s'", e->qual ? e->qual : "?");
    int lo = fn_table[e->op].min, hi = fn_table[e->op].max;
    if (e->n_arg < lo || e->n_arg > hi) {
        char want[64];
        if (lo == hi) snprintf(want, sizeof want, "%d argument%s", lo, lo == 1 ? "" : "s");
        else if (hi == INT32_MAX) snprintf(want, sizeof want, "at least %d argument%s", lo, lo == 1 ? "" : "s");
        else snprintf(want, sizeof want, "%d to %d arguments", lo, hi);
        return rf__err_set(RF_ERR_ANALYSIS, "%s() takes %s, not %d", fn_table[e->op].name, want, e->n_arg);
    }
    int rc = RF_OK;
    if ((e->op == RF_F_CONCAT || e->op == RF_F_REVERSE) && e->n_arg && rf_type_base(e->arg[0]->type) == RF_TYPE_ARRAY) {
        e->type = e->arg[0]->type;   /* of arrays: func_nested.c */
        return rf__func_type_nested(e);
    }
    if (e->op >= RF_F_TO_JSON && e->op <= RF_F_JSON_OBJECT_KEYS) return rf__json_type(e);
    if (rf__func_is_nested(e)) return rf__func_type_nested(e);
    switch (e->op) {
    case RF_F_LOWER: case RF_F_UPPER: case RF_F_TRIM:
        rc = cast_arg(e, 0, RF_TYPE_STRING); e->type = RF_TYPE_STRING; break;
    case RF_F_LENGTH:
        rc = cast_arg(e, 0, RF_TYPE_STRING); e->type = RF_TYPE_INT32; break;
    case RF_F_SUBSTRING:
        rc = cast_arg(e, 0, RF_TYPE_STRING);
        for (int i = 1; i < e->n_arg && !rc; i++) rc = cast_arg(e, i, RF_TYPE_INT32);
        e->type = RF_TYPE_STRING;
        break;
    case RF_F_CONCAT:
        for (int i = 0; i < e->n_arg && !rc; i++) rc = cast_arg(e, i, RF_TYPE_STRING);
        e->type = RF_TYPE_STRING;
        break;
    case RF_F_SPLIT:
        rc = cast_arg(e, 0, RF_TYPE_STRING);
        if (!rc) rc = cast_arg(e, 1, RF_TYPE_STRING);
        e->type = RF_TYPE_ARRAY;
        break;
    case RF_F_EXPLODE: case RF_F_EXPLODE_OUTER: case RF_F_POSEXPLODE: case RF_F_POSEXPLODE_OUTER:
    case RF_F_INLINE: case RF_F_INLINE_OUTER: {
        rf_type t = e->arg[0]->type;
        bool inl = e->op == RF_F_INLINE || e->op == RF_F_INLINE_OUTER;
        if (inl ? !(rf_type_base(t) == RF_TYPE_ARRAY && rf_type_base(rf_type_elem(t)) == RF_TYPE_STRUCT)
                : rf_type_base(t) != RF_TYPE_ARRAY && rf_type_base(t) != RF_TYPE_MAP)
            return rf__err_set(RF_ERR_ANALYSIS, "%s() needs %s, not %s", rf__func_name(e->op), inl ? "an array of structs" : "an array or a map", rf_type_name(t));
        e->type = rf_type_elem(t);
        break;
    }
    case RF_F_TO_DATE:
        if (e->arg[0]->type == RF_TYPE_TIMESTAMP || e->arg[0]->type == RF_TYPE_DATE) rc = cast_arg(e, 0, RF_TYPE_DATE);
        else rc = cast_arg(e, 0, RF_TYPE_STRING);
        if (!rc && e->n_arg == 2) rc = cast_arg(e, 1, RF_TYPE_STRING);
        e->type = RF_TYPE_DATE;
        e->nullable = true;
        break;
    case RF_F_DATE_ADD: case RF_F_DATE_SUB:
        rc = cast_arg(e, 0, RF_TYPE_DATE);
        if (!rc) {
            if (!rf_type_is_numeric(e->arg[1]->type) && e->arg[1]->type != RF_TYPE_NULL && e->arg[1]->type != RF_TYPE_STRING)
                return rf__err_set(RF_ERR_ANALYSIS, "%s() needs a number of days, not %s", fn_table[e->op].name, rf_type_name(e->arg[1]->type));
            rc = cast_arg(e, 1, RF_TYPE_INT32);
        }
        e->type = RF_TYPE_DATE;
        break;
    case RF_F_DATEDIFF:
        rc = cast_arg(e, 0, RF_TYPE_DATE);
        if (!rc) rc = cast_arg(e, 1, RF_TYPE_DATE);
        e->type = RF_TYPE_INT32;
        break;
    case RF_F_YEAR: case RF_F_MONTH: case RF_F_DAYOFMONTH: case RF_F_QUARTER: case RF_F_DAYOFWEEK: case RF_F_DAYOFYEAR:
    case RF_F_WEEKOFYEAR:
        rc = cast_arg(e, 0, RF_TYPE_DATE);
        e->type = RF_TYPE_INT32;
        break;
    case RF_F_HOUR: case RF_F_MINUTE: case RF_F_SECOND:
        rc = cast_arg(e, 0, RF_TYPE_TIMESTAMP);
        e->type = RF_TYPE_INT32;
        break;
    case RF_F_LAST_DAY:
        rc = cast_arg(e, 0, RF_TYPE_DATE);
        e->type = RF_TYPE_DATE;
        break;
    case RF_F_ADD_MONTHS:
        rc = cast_arg(e, 0, RF_TYPE_DATE);
        if (!rc) {
            if (!rf_type_is_numeric(e->arg[1]->type) && e->arg[1]->type != RF_TYPE_NULL && e->arg[1]->type != RF_TYPE_STRING)
                return rf__err_set(RF_ERR_ANALYSIS, "add_months() needs a number of months, not %s", rf_type_name(e->arg[1]->type));
            rc = cast_arg(e, 1, RF_TYPE_INT32);
        }
        e->type = RF_TYPE_DATE;
        break;
    case RF_F_IV_MONTHS:
        e->type = RF_TYPE_INT32;
        break;
    case RF_F_CURRENT_DATE:
        e->type = RF_TYPE_DATE;
        e->nullable = false;
        break;
    case RF_F_CURRENT_TIMESTAMP:
        e->type = RF_TYPE_TIMESTAMP;
        e->nullable = false;
        break;
    case RF_F_COALESCE: {
        rf_type t = RF_TYPE_NULL;
        for (int i = 0; i < e->n_arg; i++) {
            rf_type a = e->arg[i]->type;
            if (a == RF_TYPE_NULL || a == t) continue;
            if (t == RF_TYPE_NULL) t = a;
            else if (rf_type_is_numeric(t) && rf_type_is_numeric(a)) t = rf_type_numeric_wider(t, a);
            else t = RF_TYPE_STRING;
        }
        if (t == RF_TYPE_NULL) t = RF_TYPE_STRING;
        for (int i = 0; i < e->n_arg && !rc; i++) rc = cast_arg(e, i, t);
        e->type = t;
        e->nullable = true;
        for (int i = 0; i < e->n_arg; i++) if (!e->arg[i]->nullable) e->nullable = false;
        break;
    }
    case RF_F_ABS:
        if (!rf_type_is_numeric(e->arg[0]->type)) rc = cast_arg(e, 0, RF_TYPE_DOUBLE);
        e->type = e->arg[0] ? e->arg[0]->type : RF_TYPE_DOUBLE;
        break;
    case RF_F_LIKE:
        rc = cast_arg(e, 0, RF_TYPE_STRING);
        if (!rc) rc = cast_arg(e, 1, RF_TYPE_STRING);
        e->type = RF_TYPE_BOOL;
        break;
    case RF_F_NULLIF: {
        rf_type t = e->arg[0]->type;
        if (t == RF_TYPE_NULL) t = e->arg[1]->type;
        if (rf_type_is_numeric(t) && rf_type_is_numeric(e->arg[1]->type) && e->arg[1]->type == RF_TYPE_DOUBLE) t = RF_TYPE_DOUBLE;
        rc = cast_arg(e, 0, t);
        if (!rc) rc = cast_arg(e, 1, t);
        e->type = t;
        e->nullable = true;
        break;
    }
    case RF_F_SINGLE_ROW:   /* (row count, value): the value, or an error past one row */
        e->type = e->arg[1]->type;
        e->nullable = true;
        break;
    case RF_F_DATE_TRUNC:
        rc = cast_arg(e, 0, RF_TYPE_STRING);
        if (!rc) rc = cast_arg(e, 1, RF_TYPE_TIMESTAMP);
        e->type = RF_TYPE_TIMESTAMP;
        e->nullable = true;
        break;
    case RF_F_ROUND: case RF_F_BROUND:
        if (!rf_type_is_numeric(e->arg[0]->type)) rc = cast_arg(e, 0, RF_TYPE_DOUBLE);
        if (!rc && e->n_arg == 2) rc = cast_arg(e, 1, RF_TYPE_INT32);
        e->type = e->arg[0] ? e->arg[0]->type : RF_TYPE_DOUBLE;
        if (!rc && rf_type_is_decimal(e->type)) {   /* Spark: decimal(p - s + 1 + min(s, d), min(s, d)) */
            int64_t d = 0;
            if (e->n_arg == 2) {
                const rf_expr *x = e->arg[1];
                while (x->kind == RF_E_CAST) x = x->arg[0];
                if (x->kind != RF_E_LIT || x->lit.null) return rf__err_set(RF_ERR_ANALYSIS, "round() of a decimal needs a constant number of digits");
                d = x->lit.v.i;
            }
            int p = rf_type_precision(e->type), sc = rf_type_scale(e->type), ip = p - sc + 1;
            if (d < 0) e->type = rf_type_decimal(ip > 1 - d ? (ip > 38 ? 38 : ip) : (1 - d > 38 ? 38 : (int)(1 - d)), 0);
            else {
                int ns = d < sc ? (int)d : sc;
                e->type = rf_type_decimal(ip + ns > 38 ? 38 : ip + ns, ns);
            }
            e->nullable = true;
        }
        break;
    default:
        if (e->op > RF_F_IV_MONTHS) rc = rf__func_type_more(e);
        break;
    }
    return rc;
}

/* ---------------------------------------------------------------- helpers */

static bool all_const(rf_column **a, int n)
{
    for (int i = 0; i < n; i++) if (!a[i]->is_const) return false;
    return true;
}

/* Appends part [s, s+len) of an array element. */
static int arr_push(rf_column *arr, const char *s, int64_t len)
{
    return rf_column_append_str(arr->child, s, len);
}

static int arr_close(rf_column *arr)
{
    int rc = rf_column_reserve(arr, 1, 0);
    if (rc) return rc;
    ((int64_t *)arr->data)[arr->len + 1] = arr->child->len;
    arr->len++;
    return RF_OK;
}

/* Translates Java regex shorthands (\s \d \w and their negations) into POSIX classes. */
static int java_to_posix(const char *re, char *out, size_t cap)
{
    size_t o = 0;
    for (const char *p = re; *p; p++) {
        const char *rep = NULL;
        char one[3] = { 0 };
        if (*p == '\\' && p[1]) {
            switch (p[1]) {
            case 's': rep = "[[:space:]]"; break;
            case 'S': rep = "[^[:space:]]"; break;
            case 'd': rep = "[0-9]"; break;
            case 'D': rep = "[^0-9]"; break;
            case 'w': rep = "[[:alnum:]_]"; break;
            case 'W': rep = "[^[:alnum:]_]"; break;
            case 't': rep = "\t"; break;
            case 'n': rep = "\n"; break;
            default: one[0] = '\\'; one[1] = p[1]; rep = one; break;
            }
            p++;
        } else {
            one[0] = *p;
            rep = one;
        }
        size_t l = strlen(rep);
        if (o + l + 1 > cap) return rf__err_set(RF_ERR_INVALID, "regular expression too long");
        memcpy(out + o, rep, l);
        o += l;
    }
    out[o] = '\0';
    return RF_OK;
}

/* Unicode case mapping (one code point to one, as towupper: ß stays ß where Java writes SS), from the
 * C.UTF-8 locale's tables; ASCII only where the C library has no such locale. */
static locale_t utf8_locale;
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;
static void utf8_init(void) { utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0); }

static int change_case(rf_column *r, const char *p, int64_t len, bool up)
{
    bool ascii = true;
    for (int64_t k = 0; k < len && ascii; k++) ascii = (unsigned char)p[k] < 0x80;
    if (!ascii) pthread_once(&utf8_once, utf8_init);
    if (ascii || !utf8_locale) {
        int rc = rf_column_append_str(r, p, len);
        if (rc) return rc;
        char *q = r->bytes + r->nbytes - len;
        for (int64_t k = 0; k < len; k++) {
            char c = q[k];
            if (!up && c >= 'A' && c <= 'Z') q[k] = (char)(c + 32);
            if (up && c >= 'a' && c <= 'z') q[k] = (char)(c - 32);
        }
        return RF_OK;
    }
    int rc = rf_column_reserve(r, 1, len * 2 + 4);   /* a code point's case partner is at most one byte longer */
    if (rc) return rc;
    unsigned char *q = (unsigned char *)r->bytes + r->nbytes;
    int64_t o = 0;
    for (int64_t k = 0; k < len;) {
        unsigned char c = (unsigned char)p[k];
        int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        uint32_t cp = n == 1 ? c : n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
        bool ok = n > 0 && k + n <= len;
        for (int j = 1; ok && j < n; j++) { ok = ((unsigned char)p[k + j] & 0xC0) == 0x80; cp = cp << 6 | ((unsigned char)p[k + j] & 0x3F); }
        if (!ok) { q[o++] = c; k++; continue; }   /* not UTF-8: the byte as it is */
        uint32_t m = (uint32_t)(up ? towupper_l((wint_t)cp, utf8_locale) : towlower_l((wint_t)cp, utf8_locale));
        if (m > 0x10FFFF || (m >= 0xD800 && m <= 0xDFFF)) m = cp;
        if (m < 0x80) q[o++] = (unsigned char)m;
        else if (m < 0x800) { q[o++] = (unsigned char)(0xC0 | m >> 6); q[o++] = (unsigned char)(0x80 | (m & 0x3F)); }
        else if (m < 0x10000) { q[o++] = (unsigned char)(0xE0 | m >> 12); q[o++] = (unsigned char)(0x80 | (m >> 6 & 0x3F)); q[o++] = (unsigned char)(0x80 | (m & 0x3F)); }
        else { q[o++] = (unsigned char)(0xF0 | m >> 18); q[o++] = (unsigned char)(0x80 | (m >> 12 & 0x3F)); q[o++] = (unsigned char)(0x80 | (m >> 6 & 0x3F)); q[o++] = (unsigned char)(0x80 | (m & 0x3F)); }
        k += n;
    }
    r->nbytes += o;
    ((int64_t *)r->data)[r->len + 1] = r->nbytes;
    r->len++;
    return RF_OK;
}

int rf__regex_compile(const char *p, int64_t n, regex_t *re, const char *fn)
{
    char pbuf[512];
    char *tmp = rf_strndup(p, (size_t)n);
    if (!tmp) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    int rc = java_to_posix(tmp, pbuf, sizeof pbuf);
    rf_free(tmp);
    if (rc) return rc;
    if (regcomp(re, pbuf, REG_EXTENDED)) return rf__err_set(RF_ERR_INVALID, "%s(): invalid regular expression '%.*s'", fn, (int)(n < 200 ? n : 200), p);
    return RF_OK;
}

static bool is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

static int split_eval(rf_column *s, rf_column *pat, int64_t n, rf_column **out)
{
    rf_column *r = NULL;
    regex_t re;
    bool have_re = false;
    int rc = RF_OK;
    int64_t plen = 0;
    const char *pp = rf_column_valid(pat, 0) ? rf_col_str(pat, 0, &plen) : NULL;
    char pbuf[512];
    if (!pat->is_const) return rf__err_set(RF_ERR_INVALID, "split(): the pattern must be a literal");
    /* fast paths: whitespace runs, or one literal character */
    int mode = 2;
    if (pp && ((plen == 3 && memcmp(pp, "\\s+", 3) == 0) || (plen == 11 && memcmp(pp, "[[:space:]]+", 11) == 0))) mode = 0;
    else if (pp && plen == 1 && !strchr(".[]()*+?{}|^$\\", pp[0])) mode = 1;
    else if (pp && plen == 2 && pp[0] == '\\' && strchr(".[]()*+?{}|^$\\", pp[1])) { mode = 1; pp++; }
    else if (pp && plen == 0) mode = 3;   /* Spark: every character on its own */
    if (mode == 2 && pp) {
        char *tmp = rf_strndup(pp, (size_t)plen);
        if (!tmp) return rf__err_set(RF_ERR_NOMEM, "out of memory");
        rc = java_to_posix(tmp, pbuf, sizeof pbuf);
        rf_free(tmp);
        if (rc) return rc;
        if (regcomp(&re, pbuf, REG_EXTENDED)) return rf__err_set(RF_ERR_INVALID, "split(): invalid regular expression '%.*s'", (int)plen, pp);
        have_re = true;
    }
    RF_TRY(rf_column_create(RF_TYPE_ARRAY, n, &r));
    for (int64_t i = 0; i < n; i++) {
        if (!pp || !rf_column_valid(s, i)) { RF_TRY(rf_column_append_null(r)); continue; }
        int64_t len;
        const char *p = rf_col_str(s, i, &len);
        int64_t start = 0;
        if (mode == 0) {
            int64_t k = 0;
            while (k < len) {
                if (is_space((unsigned char)p[k])) {
                    RF_TRY(arr_push(r, p + start, k - start));
                    while (k < len && is_space((unsigned char)p[k])) k++;
                    start = k;
                } else k++;
            }
            RF_TRY(arr_push(r, p + start, len - start));
        } else if (mode == 3) {
            for (int64_t k = 0; k < len;) {
                int64_t e2 = k + 1;
                while (e2 < len && ((unsigned char)p[e2] & 0xC0) == 0x80) e2++;
                RF_TRY(arr_push(r, p + k, e2 - k));
                k = e2;
            }
            if (len == 0) RF_TRY(arr_push(r, p, 0));
        } else if (mode == 1) {
            for (int64_t k = 0; k < len; k++)
                if (p[k] == pp[0]) { RF_TRY(arr_push(r, p + start, k - start)); start = k + 1; }
            RF_TRY(arr_push(r, p + start, len - start));
        } else {
            char *z = rf_strndup(p, (size_t)len);
            if (!z) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); goto done; }
            regmatch_t m;
            int64_t pos = 0;
            while (pos <= len && regexec(&re, z + pos, 1, &m, pos ? REG_NOTBOL : 0) == 0 && m.rm_eo > 0) {
                RF_TRY(arr_push(r, z + pos, m.rm_so));
                pos += m.rm_eo;
            }
            rc = arr_push(r, z + pos, len - pos);
            rf_free(z);
            if (rc) goto done;
        }
        RF_TRY(arr_close(r));
    }
done:
    if (have_re) regfree(&re);
    if (rc) rf_column_release(&r);
    *out = r;
    return rc;
}

/* Parses s with a Java-style date pattern subset (yyyy MM dd HH mm ss, other chars literal). */
static bool parse_with_format(const char *s, int64_t n, const char *f, int64_t fl, int32_t *out)
{
    int y = 1970, mo = 1, d = 1;
    int64_t i = 0, k = 0;
    while (k < fl) {
        char c = f[k];
        int64_t run = 1;
        while (k + run < fl && f[k + run] == c) run++;
        if (c == 'y' || c == 'M' || c == 'd' || c == 'H' || c == 'm' || c == 's') {
            int v = 0, digs = 0, maxd = run >= 2 ? (int)run : 2;
            if (c == 'y') maxd = 4;
            while (i < n && digs < maxd && s[i] >= '0' && s[i] <= '9') v = v * 10 + (s[i++] - '0'), digs++;
            if (!digs) return false;
            if (c == 'y') y = v; else if (c == 'M') mo = v; else if (c == 'd') d = v;
        } else {
            for (int64_t r = 0; r < run; r++, i++) if (i >= n || s[i] != c) return false;
        }
        k += run;
    }
    if (i != n || mo < 1 || mo > 12 || d < 1 || d > 31) return false;
    int32_t first = rf_days_from_civil(y, (unsigned)mo, 1), next = rf_days_from_civil(mo == 12 ? y + 1 : y, mo == 12 ? 1 : (unsigned)mo + 1, 1);
    if (d > next - first) return false;   /* 02-29 of a year without it (1970 when the pattern has no year): NULL, as Spark */
    *out = rf_days_from_civil(y, (unsigned)mo, (unsigned)d);
    return true;
}

/* SQL LIKE: % any run, _ one character (UTF-8 aware), backslash escapes. Iterative with one
 * backtrack point, so no pattern can recurse or blow up. */
static bool like_match(const char *s, int64_t ns, const char *p, int64_t np)
{
    int64_t i = 0, j = 0, star_j = -1, star_i = 0;
    while (i < ns) {
        if (j < np && p[j] == '\\' && j + 1 < np) {
            if (s[i] == p[j + 1]) { i++; j += 2; continue; }
        } else if (j < np && p[j] == '_') {
            i++;
            while (i < ns && ((unsigned char)s[i] & 0xC0) == 0x80) i++;
            j++;
            continue;
        } else if (j < np && p[j] == '%') {
            star_j = j++;
            star_i = i;
            continue;
        } else if (j < np && p[j] == s[i]) { i++; j++; continue; }
        if (star_j < 0) return false;
        j = star_j + 1;
        i = ++star_i;
    }
    while (j < np && p[j] == '%') j++;
    return j == np;
}

/* Spark's round(): HALF_UP on the shortest decimal spelling of the double (so 2.675 rounds to 2.68
 * although the double is 2.67499999...). Works on the digit string, then parses the result back. */
static double round_half_up(double x, int d)
{
    if (x != x || isinf(x) || d > 15) return x;
    char buf[40], dig[40];
    int prec = 1;
    for (; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec - 1, x);
        if (strtod(buf, NULL) == x) break;
    }
    /* buf: [-]D.DDDDe[+-]XX */
    bool neg = buf[0] == '-';
    const char *p = buf + neg;
    int nd = 0;
    for (; *p && *p != 'e'; p++) if (*p >= '0' && *p <= '9') dig[nd++] = *p;
    int exp10 = atoi(p + 1);
    /* value = 0.dig * 10^(exp10 + 1); keep digits up to 10^-d: that is exp10 + 1 + d digits */
    int keep = exp10 + 1 + d;
    if (keep < 0) return copysign(0.0, x);
    if (keep >= nd) return x;
    bool up = dig[keep] >= '5';
    char out[64];
    int o = 0;
    int carry = up;
    for (int i = keep - 1; i >= 0 && carry; i--) {
        if (dig[i] == '9') dig[i] = '0';
        else { dig[i]++; carry = 0; }
    }
    if (neg) out[o++] = '-';
    out[o++] = '0';
    out[o++] = '.';
    if (carry) { out[o++] = '1'; exp10++; }
    for (int i = 0; i < keep; i++) out[o++] = dig[i];
    if (keep == 0 && !carry) out[o++] = '0';
    snprintf(out + o, sizeof out - (size_t)o, "e%d", exp10 + 1);
    return strtod(out, NULL);
}

int rf__func_eval(const rf_expr *e, rf_column **a, int64_t n, rf_column **out)
{
    bool cst = all_const(a, e->n_arg) && e->op != RF_F_SPLIT;
    int64_t m = cst ? 1 : n;
    rf_column *r = NULL;
    int rc = RF_OK;
    *out = NULL;
    if (e->op == RF_F_SPLIT) return split_eval(a[0], a[1], n, out);
    if (e->op == RF_F_UDF) return rf__udf_eval(e, a, n, out);
    if (e->op >= RF_F_TO_JSON && e->op <= RF_F_JSON_OBJECT_KEYS) return rf__json_eval(e, a, n, out);
    if (rf__func_is_nested(e)) return rf__func_eval_nested(e, a, n, out);
    if (e->op == RF_F_RLIKE || e->op == RF_F_REGEXP_REPLACE || e->op == RF_F_REGEXP_EXTRACT) {
        if (cst) {   /* one row, then constant */
            int rc1 = rf__func_eval_regex(e, a, 1, out);
            if (!rc1) { (*out)->is_const = true; (*out)->len = n; }
            return rc1;
        }
        return rf__func_eval_regex(e, a, n, out);
    }
    if (rf__is_generator(e->op)) return rf__err_set(RF_ERR_ANALYSIS, "%s() is only allowed as a top-level select item or in LATERAL VIEW", rf__func_name(e->op));
    RF_TRY(rf_column_create(e->type, m, &r));
    for (int64_t i = 0; i < m; i++) {
        bool any_null = false;
        if (e->op == RF_F_SINGLE_ROW) {
            if (rf_column_valid(a[0], i) && rf_column_get_int(a[0], i) > 1) {
                rc = rf__err_set(RF_ERR_INVALID, "a scalar subquery returned more than one row (%lld)",
                                 (long long)rf_column_get_int(a[0], i));
                goto done;
            }
            RF_TRY(rf_column_append_from(r, a[1], i));
            continue;
        }
        if (e->op == RF_F_NULLIF) any_null = !rf_column_valid(a[0], i);
        else if (e->op != RF_F_COALESCE && e->op != RF_F_CONCAT && !rf__func_null_tolerant(e->op))
            for (int k = 0; k < e->n_arg; k++) any_null |= !rf_column_valid(a[k], i);
        if (any_null) { RF_TRY(rf_column_append_null(r)); continue; }
        switch (e->op) {
        case RF_F_LOWER: case RF_F_UPPER: {
            int64_t len;
            const char *p = rf_col_str(a[0], i, &len);
            RF_TRY(change_case(r, p, len, e->op == RF_F_UPPER));
            break;
        }
        case RF_F_TRIM: {
            int64_t len;
            const char *p = rf_col_str(a[0], i, &len);
            while (len && *p == ' ') p++, len--;
            while (len && p[len - 1] == ' ') len--;
            RF_TRY(rf_column_append_str(r, p, len));
            break;
        }
        case RF_F_LENGTH: {
            int64_t len;
            const char *p = rf_col_str(a[0], i, &len);
            RF_TRY(rf_column_append_i64(r, rf__u8_len(p, len)));
            break;
        }
        case RF_F_SUBSTRING: {
            int64_t len;
            const char *p = rf_col_str(a[0], i, &len);
            int64_t chars = rf__u8_len(p, len);
            int64_t pos = rf_col_i32(a[1], i), cnt = e->n_arg > 2 ? rf_col_i32(a[2], i) : INT32_MAX;
            int64_t start = pos > 0 ? pos - 1 : pos < 0 ? chars + pos : 0;   /* Spark: pos 0 acts as 1 */
            int64_t end = cnt < 0 ? start : start + cnt;
            if (start < 0) start = 0;
            if (end > chars) end = chars;
            if (end < start) end = start;
            int64_t bs = rf__u8_off(p, len, start), be = rf__u8_off(p, len, end);
            RF_TRY(rf_column_append_str(r, p + bs, be - bs));
            break;
        }
        case RF_F_CONCAT: {
            bool nul = false;
            for (int k = 0; k < e->n_arg; k++) nul |= !rf_column_valid(a[k], i);
            if (nul) { RF_TRY(rf_column_append_null(r)); break; }
            int64_t total = 0, len;
            for (int k = 0; k < e->n_arg; k++) { rf_col_str(a[k], i, &len); total += len; }
            RF_TRY(rf_column_reserve(r, 1, total));
            int64_t *o = r->data;
            for (int k = 0; k < e->n_arg; k++) {
                const char *p = rf_col_str(a[k], i, &len);
                memcpy(r->bytes + r->nbytes, p, (size_t)len);
                r->nbytes += len;
            }
            o[r->len + 1] = r->nbytes;
            r->len++;
            break;
        }
        case RF_F_TO_DATE: {
            if (a[0]->type == RF_TYPE_DATE) { RF_TRY(rf_column_append_i64(r, rf_col_i32(a[0], i))); break; }
            int64_t len, fl = 0;
            const char *p = rf_col_str(a[0], i, &len);
            int32_t d;
            bool ok;
            if (e->n_arg == 2) {
                const char *f = rf_col_str(a[1], i, &fl);
                ok = parse_with_format(p, len, f, fl, &d);
            } else {
                ok = rf_parse_date(p, (size_t)len, &d);
            }
            RF_TRY(ok ? rf_column_append_i64(r, d) : rf_column_append_null(r));
            break;
        }
        case RF_F_DATE_ADD: case RF_F_DATE_SUB: {
            int64_t d = rf_col_i32(a[0], i), k = rf_col_i32(a[1], i);
            RF_TRY(rf_column_append_i64(r, e->op == RF_F_DATE_ADD ? d + k : d - k));
            break;
        }
        case RF_F_DATEDIFF:
            RF_TRY(rf_column_append_i64(r, (int64_t)rf_col_i32(a[0], i) - rf_col_i32(a[1], i)));
            break;
        case RF_F_YEAR: case RF_F_MONTH: case RF_F_DAYOFMONTH: {
            int64_t y;
            unsigned mo, d;
            rf_civil_from_days(rf_col_i32(a[0], i), &y, &mo, &d);
            RF_TRY(rf_column_append_i64(r, e->op == RF_F_YEAR ? y : e->op == RF_F_MONTH ? (int64_t)mo : (int64_t)d));
            break;
        }
        case RF_F_QUARTER: case RF_F_DAYOFYEAR: case RF_F_WEEKOFYEAR: case RF_F_DAYOFWEEK: case RF_F_LAST_DAY: {
            int64_t y, z = rf_col_i32(a[0], i), v;
            unsigned mo, d;
            rf_civil_from_days(z, &y, &mo, &d);
            if (e->op == RF_F_QUARTER) v = (mo + 2) / 3;
            else if (e->op == RF_F_DAYOFYEAR) v = z - rf_days_from_civil(y, 1, 1) + 1;
            else if (e->op == RF_F_DAYOFWEEK) v = ((z % 7 + 7 + 4) % 7) + 1;   /* 1 = Sunday; 1970-01-01 was a Thursday */
            else if (e->op == RF_F_LAST_DAY) v = rf_days_from_civil(mo == 12 ? y + 1 : y, mo == 12 ? 1 : mo + 1, 1) - 1;
            else {   /* ISO 8601 week: the week with the year's first Thursday is week 1 */
                int64_t wd = ((z % 7 + 7 + 3) % 7);   /* 0 = Monday */
                int64_t thu = z - wd + 3, ty;
                unsigned tm, td;
                rf_civil_from_days(thu, &ty, &tm, &td);
                v = (thu - rf_days_from_civil(ty, 1, 1)) / 7 + 1;
            }
            RF_TRY(rf_column_append_i64(r, v));
            break;
        }
        case RF_F_HOUR: case RF_F_MINUTE: case RF_F_SECOND: {
            int64_t us = rf_column_get_int(a[0], i), sec = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
            int64_t sod = ((sec % 86400) + 86400) % 86400;
            RF_TRY(rf_column_append_i64(r, e->op == RF_F_HOUR ? sod / 3600 : e->op == RF_F_MINUTE ? sod / 60 % 60 : sod % 60));
            break;
        }
        case RF_F_ADD_MONTHS: {   /* Spark: the same day of the month, or the month's last day when it has fewer */
            int64_t y, z = rf_col_i32(a[0], i), k = rf_col_i32(a[1], i);
            unsigned mo, d;
            rf_civil_from_days(z, &y, &mo, &d);
            int64_t m0 = y * 12 + (mo - 1) + k, ny = m0 >= 0 ? m0 / 12 : -((-m0 + 11) / 12);
            unsigned nm = (unsigned)(m0 - ny * 12) + 1;
            int32_t next = rf_days_from_civil(nm == 12 ? ny + 1 : ny, nm == 12 ? 1 : nm + 1, 1);
            int32_t first = rf_days_from_civil(ny, nm, 1);
            unsigned dim = (unsigned)(next - first);
            RF_TRY(rf_column_append_i64(r, first + (d < dim ? d : dim) - 1));
            break;
        }
        case RF_F_IV_MONTHS:
            rc = rf__err_set(RF_ERR_ANALYSIS, "an INTERVAL of months or years can only be added to or subtracted from a date");
            goto done;
        case RF_F_CURRENT_DATE: {   /* the statement's clock (folded on the driver): one value per statement */
            int64_t us = rf__clock_us();
            RF_TRY(rf_column_append_i64(r, us >= 0 ? us / 86400000000LL : -((-us + 86399999999LL) / 86400000000LL)));
            break;
        }
        case RF_F_CURRENT_TIMESTAMP:
            RF_TRY(rf_column_append_i64(r, rf__clock_us()));
            break;
        case RF_F_COALESCE: {
            int k = 0;
            while (k < e->n_arg && !rf_column_valid(a[k], i)) k++;
            RF_TRY(k < e->n_arg ? rf_column_append_from(r, a[k], i) : rf_column_append_null(r));
            break;
        }
        case RF_F_ABS:
            if (rf_type_is_decimal(e->type)) { rf_dec x = rf_col_dec(a[0], i); RF_TRY(rf_column_append_dec(r, x < 0 ? -x : x)); }
            else if (e->type == RF_TYPE_DOUBLE) RF_TRY(rf_column_append_f64(r, fabs(rf_col_f64(a[0], i))));
            else {
                int64_t v = rf_column_get_int(a[0], i);
                RF_TRY(rf_column_append_i64(r, v < 0 ? (int64_t)(0 - (uint64_t)v) : v));
            }
            break;
        case RF_F_ROUND: {
            int d = e->n_arg > 1 ? rf_col_i32(a[1], i) : 0;
            if (rf_type_is_decimal(e->type)) {
                int sx = rf_type_scale(a[0]->type), p = rf_type_precision(e->type);
                rf_dec z;
                bool ok = d >= 0 ? rf_dec_rescale(rf_col_dec(a[0], i), sx, rf_type_scale(e->type), p, &z)
                                 : rf_dec_rescale(rf_col_dec(a[0], i), sx - d > 76 ? 76 : sx - d, 0, p, &z) && rf_dec_rescale(z, 0, -d > 38 ? 38 : -d, p, &z);
                RF_TRY(ok ? rf_column_append_dec(r, z) : rf_column_append_null(r));
            } else if (e->type == RF_TYPE_DOUBLE) RF_TRY(rf_column_append_f64(r, round_half_up(rf_col_f64(a[0], i), d)));
            else {
                int64_t v = rf_column_get_int(a[0], i);
                if (d < 0) {
                    int64_t p = 1;
                    for (int k = 0; k < -d && p < INT64_MAX / 10; k++) p *= 10;
                    int64_t q = (v >= 0 ? v + p / 2 : v - p / 2) / p;
                    v = q * p;
                }
                RF_TRY(rf_column_append_i64(r, v));
            }
            break;
        }
        case RF_F_LIKE: {
            int64_t ls, lp;
            const char *str = rf_col_str(a[0], i, &ls), *pat = rf_col_str(a[1], i, &lp);
            RF_TRY(rf_column_append_i64(r, like_match(str, ls, pat, lp)));
            break;
        }
        case RF_F_NULLIF:
            if (rf_column_valid(a[1], i) && rf_column_eq(a[0], i, a[1], i)) RF_TRY(rf_column_append_null(r));
            else RF_TRY(rf_column_append_from(r, a[0], i));
            break;
        case RF_F_DATE_TRUNC: {
            int64_t ul, us = rf_col_i64(a[1], i);
            const char *u = rf_col_str(a[0], i, &ul);
            int64_t day = us >= 0 ? us / 86400000000LL : -((-us + 86399999999LL) / 86400000000LL), y;
            unsigned mo, d;
            rf_civil_from_days(day, &y, &mo, &d);
            int64_t out;
            if (ul == 4 && !strncasecmp(u, "year", 4)) out = (int64_t)rf_days_from_civil(y, 1, 1) * 86400000000LL;
            else if ((ul == 5 && !strncasecmp(u, "month", 5)) || (ul == 2 && !strncasecmp(u, "mm", 2))) out = (int64_t)rf_days_from_civil(y, mo, 1) * 86400000000LL;
            else if ((ul == 3 && !strncasecmp(u, "day", 3)) || (ul == 2 && !strncasecmp(u, "dd", 2))) out = day * 86400000000LL;
            else if (ul == 4 && !strncasecmp(u, "hour", 4)) out = us - ((us % 3600000000LL) + 3600000000LL) % 3600000000LL;
            else if (ul == 6 && !strncasecmp(u, "minute", 6)) out = us - ((us % 60000000LL) + 60000000LL) % 60000000LL;
            else if (ul == 4 && !strncasecmp(u, "week", 4)) out = (day - ((day + 3) % 7 + 7) % 7) * 86400000000LL;   /* Monday */
            else if (ul == 7 && !strncasecmp(u, "quarter", 7)) out = (int64_t)rf_days_from_civil(y, (mo - 1) / 3 * 3 + 1, 1) * 86400000000LL;
            else { RF_TRY(rf_column_append_null(r)); break; }
            RF_TRY(rf_column_append_i64(r, out));
            break;
        }
        default:
            RF_TRY(rf__func_row_more(e, a, i, r));
            break;
        }
    }
    if (cst) { r->is_const = true; r->len = n; }
done:
    if (rc) rf_column_release(&r);
    *out = r;
    return rc;
}
