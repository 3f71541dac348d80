/*
 * func_time.c — Spark's time windows: window(ts, size[, slide[, start]]) and its internals
 * __window_start (a tumbling window's start) and __windows (every sliding window holding a row, as
 * an array of {start, end}; rf_df_agg explodes it for a sliding GROUP BY key). Durations are
 * Spark's strings ("10 minutes", "1 hour 30 minutes") or INTERVALs, in microseconds.
 */
#include <string.h>
#include "expr/expr.h"
#include "expr/func_more.h"

static int cast_arg(rf_expr *e, int i, rf_type t)
{
    e->arg[i] = rf__expr_cast_to(e->arg[i], t);
    return e->arg[i] ? RF_OK : rf__err_set(RF_ERR_NOMEM, "out of memory");
}

/* A duration argument of window(): a string literal ("10 minutes") or an INTERVAL; -1 if neither. */
static int64_t duration_arg(const rf_expr *a)
{
    if (a->kind == RF_E_LIT && a->op == 1 && !a->lit.null && a->lit.v.i > 0 && a->lit.v.i < 100000000) return a->lit.v.i * 86400000000LL;   /* INTERVAL n DAY */
    if (a->kind == RF_E_FUNC && a->op == RF_F_IV_MICROS && a->n_arg == 1 && a->arg[0]->kind == RF_E_LIT && !a->arg[0]->lit.null)
        return a->arg[0]->lit.v.i;
    if (a->kind == RF_E_LIT && a->lit.type == RF_TYPE_STRING && !a->lit.null) return rf_parse_duration_us(a->lit.v.s.p, (size_t)a->lit.v.s.len);
    return -1;
}

static rf_expr *lit_i64(int64_t v)
{
    rf_expr *l = rf__expr_lit(&(rf_value){ .type = RF_TYPE_INT64, .v.i = v });
    if (l) l->resolved = true;
    return l;
}

static rf_expr *lit_name(const char *n)
{
    rf_expr *l = rf__expr_lit(&(rf_value){ .type = RF_TYPE_STRING, .v.s = { (char *)n, (int64_t)strlen(n) } });
    if (l) l->resolved = true;
    return l;
}

int rf__window_durations(const rf_expr *e, int64_t d[3])
{
    d[0] = d[1] = -1;
    d[2] = 0;
    for (int k = 1; k < e->n_arg; k++)
        if ((d[k - 1] = duration_arg(e->arg[k])) < 0)
            return rf__err_set(RF_ERR_ANALYSIS, "window(): argument %d is not a duration such as '10 minutes'", k + 1);
    if (e->n_arg < 3) d[1] = d[0];
    if (d[0] <= 0 || d[1] <= 0) return rf__err_set(RF_ERR_ANALYSIS, "window(): the window's duration must be positive");
    if (d[1] > d[0]) return rf__err_set(RF_ERR_ANALYSIS, "window(): the slide duration must be less than or equal to the window duration");
    return RF_OK;
}

/* window(ts, size[, slide[, start]]) (Spark's time window) becomes, in place,
 * named_struct('start', __window_start(ts, slide, start), 'end', __window_start(...) + size). A
 * window that slides (slide < size) puts a row in several windows: not a scalar, not supported. */
static int time_window(rf_expr *e)
{
    int64_t d[3];   /* size, slide, start */
    int rc0 = rf__window_durations(e, d);
    if (rc0) return rc0;
    if (d[1] != d[0])
        return rf__err_set(RF_ERR_ANALYSIS, "window(): a sliding window (slide shorter than the window) puts a row in several windows: it is "
                                            "supported as a grouping key (GROUP BY window(ts, size, slide)), not here");
    if (rf_type_base(e->arg[0]->type) != RF_TYPE_TIMESTAMP && e->arg[0]->type != RF_TYPE_DATE && e->arg[0]->type != RF_TYPE_STRING && e->arg[0]->type != RF_TYPE_NULL)
        return rf__err_set(RF_ERR_ANALYSIS, "window(): the time column must be a timestamp, not %s", rf_type_name(e->arg[0]->type));
    int rc = cast_arg(e, 0, RF_TYPE_TIMESTAMP);
    if (rc) return rc;
    rf_expr *ts2 = NULL;
    if ((rc = rf__expr_copy(e->arg[0], &ts2))) return rc;
    rf_expr *a1[3] = { e->arg[0], lit_i64(d[1]), lit_i64(d[2]) }, *a2[3] = { ts2, lit_i64(d[1]), lit_i64(d[2]) };
    e->arg[0] = NULL;
    rf_expr *ws = rf__expr_new(RF_E_FUNC, 3, a1), *ws2 = rf__expr_new(RF_E_FUNC, 3, a2);
    if (ws) { ws->op = RF_F_WINDOW_START; rc = rf__func_type(ws); ws->resolved = true; }
    if (ws2) { ws2->op = RF_F_WINDOW_START; if (!rc) rc = rf__func_type(ws2); ws2->resolved = true; }
    rf_expr *a3[2] = { ws2, lit_i64(d[0]) };
    rf_expr *we = rf__expr_new(RF_E_FUNC, 2, a3);
    if (we) { we->op = RF_F_TS_ADD_MICROS; if (!rc) rc = rf__func_type(we); we->resolved = true; }
    rf_expr **args = rf_calloc(4, sizeof *args);
    if (!rc && (!ws || !we || !args)) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    if (rc) { rf_expr_destroy(&ws); rf_expr_destroy(&we); rf_free(args); return rc; }
    for (int k = 0; k < e->n_arg; k++) rf_expr_destroy(&e->arg[k]);
    rf_free(e->arg);
    args[0] = lit_name("start");
    args[1] = ws;
    args[2] = lit_name("end");
    args[3] = we;
    e->arg = args;
    e->n_arg = 4;
    if (!args[0] || !args[2]) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    e->op = RF_F_NAMED_STRUCT;
    e->depth = we->depth + 1;
    if (!e->name && !(e->name = rf_strdup("window"))) return rf__err_set(RF_ERR_NOMEM, "out of memory");   /* Spark's column name */
    return rf__func_type(e);
}

int rf__func_type_window(rf_expr *e)
{
    int rc = RF_OK;
    switch (e->op) {
    case RF_F_WINDOW_START:
        rc = cast_arg(e, 0, RF_TYPE_TIMESTAMP);
        for (int k = 1; k < 3 && !rc; k++) rc = cast_arg(e, k, RF_TYPE_INT64);
        e->type = RF_TYPE_TIMESTAMP;
        break;
    case RF_F_WINDOWS: {
        const char *names[2] = { "start", "end" };
        const rf_type types[2] = { RF_TYPE_TIMESTAMP, RF_TYPE_TIMESTAMP };
        rc = cast_arg(e, 0, RF_TYPE_TIMESTAMP);
        for (int k = 1; k < 4 && !rc; k++) rc = cast_arg(e, k, RF_TYPE_INT64);
        e->type = rf_type_array(rf_type_struct(2, names, types));
        break;
    }
    case RF_F_TIME_WINDOW:
        return time_window(e);
    default:
        return rf__err_set(RF_ERR_INTERNAL, "not a time window function");
    }
    return rc;
}

int rf__func_row_window(const rf_expr *e, rf_column **a, int64_t i, rf_column *r)
{
    int rc = RF_OK;
    switch (e->op) {
    case RF_F_WINDOWS: {   /* the windows [s, s + size) holding ts, s = the last start <= ts, then back by slide */
        int64_t t = rf_col_i64(a[0], i), size = rf_col_i64(a[1], i), slide = rf_col_i64(a[2], i), off = rf_col_i64(a[3], i), last, lo, x;
        if (size <= 0 || slide <= 0) return rf__err_set(RF_ERR_INVALID, "window(): the durations must be positive");
        if (size / slide > 100000) return rf__err_set(RF_ERR_INVALID, "window(): a row would be in more than 100,000 windows (window / slide)");
        if (__builtin_sub_overflow(t, off, &x) || __builtin_sub_overflow(t, (x % slide + slide) % slide, &last) ||
            __builtin_sub_overflow(t, size, &lo) || __builtin_add_overflow(last, size, &x))
            return rf_column_append_null(r);   /* past the timestamps' range */
        int64_t first = last;
        while (first - slide > lo) first -= slide;
        for (int64_t st = first; st <= last && !rc; st += slide) {
            rc = rf_column_append_i64(r->child->kids[0], st);
            if (!rc) rc = rf_column_append_i64(r->child->kids[1], st + size);
            if (!rc) rc = rf_column_end_struct(r->child);
        }
        return rc ? rc : rf_column_end_list(r);
    }
    case RF_F_WINDOW_START: {   /* Spark's: ts - (ts - start + slide) % slide, floored for negatives */
        int64_t t = rf_col_i64(a[0], i), slide = rf_col_i64(a[1], i), off = rf_col_i64(a[2], i), x, m;
        if (slide <= 0) return rf__err_set(RF_ERR_INVALID, "window(): the durations must be positive");
        if (__builtin_sub_overflow(t, off, &x) || __builtin_add_overflow(x % slide, slide, &m)) return rf_column_append_null(r);
        return rf_column_append_i64(r, t - m % slide);
    }
    default:
        return rf__err_set(RF_ERR_INTERNAL, "not a time window function");
    }
}
