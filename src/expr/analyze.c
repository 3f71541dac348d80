/*
 * analyze.c — analysis of expression trees: names resolved to attribute ids (with a suggestion for a
 * name that is not there, and s.f read as a struct field), types derived bottom-up with Spark's
 * coercions (CASTs inserted, so kernels see operands of one type; decimal arithmetic keeps each
 * operand's scale), aggregates and window functions checked, and binding to input positions.
 */
#include <ctype.h>
#include <stdlib.h>
#include <strings.h>
#include "expr/expr.h"
#include "expr/udf.h"

/* Operator spellings for messages (index: rf_ekind). */
static const char *ops[] = { "", "", "+", "-", "*", "/", "%", "-", "=", "!=", "<", "<=", ">", ">=",
                             "AND", "OR", "NOT", "IS NULL", "IS NOT NULL" };

/* ---------------------------------------------------------------- analysis */
static int edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64) return 99;
    int d[65][65];
    for (size_t i = 0; i <= la; i++) d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int c = d[i - 1][j - 1] + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
            if (d[i - 1][j] + 1 < c) c = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < c) c = d[i][j - 1] + 1;
            d[i][j] = c;
        }
    return d[la][lb];
}

static int unknown_column(const rf_expr *e, const rf_schema *in)
{
    rf_buf b = { 0 };
    const char *best = NULL;
    int bestd = 1 << 30;
    for (int i = 0; i < in->n; i++) {
        int d = edit_distance(e->name, in->f[i].name);
        if (d < bestd) { bestd = d; best = in->f[i].name; }
        if (i < 20) rf_buf_printf(&b, "%s%.64s", i ? ", " : "", in->f[i].name);   /* a readable list: 20 names at most */
        else if (i == 20) rf_buf_printf(&b, " and %d more", in->n - 20);
    }
    if (best && bestd <= 1 + (int)strlen(e->name) / 3)
        rf__err_set(RF_ERR_ANALYSIS, "column '%s%s%s' not found; did you mean '%s'? (available: %s)",
                    e->qual ? e->qual : "", e->qual ? "." : "", e->name, best, b.data ? (char *)b.data : "");
    else
        rf__err_set(RF_ERR_ANALYSIS, "column '%s%s%s' not found (available: %s)", e->qual ? e->qual : "",
                    e->qual ? "." : "", e->name, b.data ? (char *)b.data : "");
    rf_buf_fini(&b);
    return RF_ERR_ANALYSIS;
}

/* t.f where no table t has a column f, but a column t is a struct (or an array of structs) with a
 * field f: e becomes the field access (RF_OK, or an error); -1 when that is not the case. */
static int struct_field_ref(rf_expr *e, const rf_schema *in)
{
    int found = -1;
    for (int i = 0; i < in->n; i++)
        if (in->f[i].name && strcasecmp(in->f[i].name, e->qual) == 0) { if (found >= 0) return -1; found = i; }
    if (found < 0) return -1;
    rf_type t = in->f[found].type;
    if (rf_type_base(t) == RF_TYPE_ARRAY) t = rf_type_elem(t);
    if (rf_type_base(t) != RF_TYPE_STRUCT || rf_type_field_index(t, e->name) < 0) return -1;
    rf_expr *c = rf__expr_new(RF_E_COL, 0, NULL), *f = rf_lit_str(e->name);
    if (!c || !f) { rf_expr_destroy(&c); rf_expr_destroy(&f); return rf__err_set(RF_ERR_NOMEM, "out of memory"); }
    c->name = e->qual;
    e->qual = NULL;
    c->line = e->line;
    c->col = e->col;
    rf_expr **args = rf_calloc(2, sizeof *args);
    if (!args) { rf_expr_destroy(&c); rf_expr_destroy(&f); return rf__err_set(RF_ERR_NOMEM, "out of memory"); }
    args[0] = c;
    args[1] = f;
    e->kind = RF_E_FUNC;
    e->op = RF_F_GET_FIELD;
    e->arg = args;
    e->n_arg = 2;
    e->depth = 2;
    int rc = rf__expr_resolve(c, in, false);
    if (!rc) rc = rf__func_type(e);
    if (!rc) e->resolved = true;
    return rc;
}

static int resolve_col(rf_expr *e, const rf_schema *in)
{
    int found = -1;
    for (int i = 0; i < in->n; i++) {
        const rf_field *f = &in->f[i];
        bool match = e->attr >= 0 ? f->id == e->attr
                                  : (strcasecmp(f->name, e->name) == 0 && (!f->hidden || e->qual) &&
                                     (!e->qual || (f->qual && strcasecmp(f->qual, e->qual) == 0)));
        if (!match) continue;
        if (found >= 0 && in->f[found].id != f->id)
            return rf__err_set(RF_ERR_ANALYSIS, "column reference '%s' is ambiguous: qualify it (e.g. %s.%s)",
                               e->name, in->f[found].qual ? in->f[found].qual : "t", e->name);
        found = i;
    }
    if (found < 0) {
        if (e->attr >= 0)
            return rf__err_set(RF_ERR_ANALYSIS, "column '%s' does not belong to this DataFrame's input", e->name);
        int rc = e->qual ? struct_field_ref(e, in) : -1;   /* s.f: field f of struct column s */
        return rc >= 0 ? rc : unknown_column(e, in);
    }
    e->attr = in->f[found].id;
    e->type = in->f[found].type;
    e->nullable = in->f[found].nullable;
    e->index = found;
    if (!e->name || strcmp(e->name, in->f[found].name) != 0) {
        rf_free(e->name);
        e->name = rf_strdup(in->f[found].name);
    }
    e->resolved = true;
    return RF_OK;
}

rf_expr *rf__expr_cast_to(rf_expr *e, rf_type t)
{
    if (!e || e->type == t) return e;
    if (e->kind == RF_E_LIT && e->lit.null) { e->type = t; e->lit.type = t; return e; }
    rf_expr *c = rf__expr_new(RF_E_CAST, 1, &e);
    if (!c) return NULL;
    c->type = t;
    c->nullable = true;
    c->resolved = true;
    return c;
}

/* The common type two operands are coerced to for comparison / CASE / IN, as Spark does. */
static int common_type(rf_type a, rf_type b, rf_type *out) { return rf__type_common(a, b, out); }

int rf__type_common(rf_type a, rf_type b, rf_type *out)
{
    if (a == b) { *out = a; return RF_OK; }
    if (a == RF_TYPE_NULL) { *out = b; return RF_OK; }
    if (b == RF_TYPE_NULL) { *out = a; return RF_OK; }
    if (rf_type_is_nested(a) || rf_type_is_nested(b)) {   /* element- / field-wise, as Spark widens them */
        rf_type x, y;
        if (rf_type_base(a) != rf_type_base(b)) return RF_ERR_ANALYSIS;
        if (rf_type_base(a) == RF_TYPE_ARRAY) {
            if (rf__type_common(rf_type_elem(a), rf_type_elem(b), &x)) return RF_ERR_ANALYSIS;
            *out = rf_type_array(x);
        } else if (rf_type_base(a) == RF_TYPE_MAP) {
            if (rf__type_common(rf_type_map_key(a), rf_type_map_key(b), &x) || rf__type_common(rf_type_map_value(a), rf_type_map_value(b), &y))
                return RF_ERR_ANALYSIS;
            *out = rf_type_map(x, y);
        } else {
            int n = rf_type_nfields(a);
            if (n != rf_type_nfields(b) || n > 256) return RF_ERR_ANALYSIS;
            rf_type t[256];
            const char *nm[256];
            for (int i = 0; i < n; i++) {
                if (rf__type_common(rf_type_field(a, i), rf_type_field(b, i), &t[i])) return RF_ERR_ANALYSIS;
                nm[i] = rf_type_field_name(a, i);
            }
            *out = rf_type_struct(n, nm, t);
        }
        return *out == RF_TYPE_NULL ? RF_ERR_ANALYSIS : RF_OK;
    }
    if (rf_type_is_numeric(a) && rf_type_is_numeric(b)) {
        *out = rf_type_numeric_wider(a, b);
        return RF_OK;
    }
    if ((a == RF_TYPE_DATE && b == RF_TYPE_TIMESTAMP) || (b == RF_TYPE_DATE && a == RF_TYPE_TIMESTAMP)) { *out = RF_TYPE_TIMESTAMP; return RF_OK; }
    if (a == RF_TYPE_STRING && (b == RF_TYPE_DATE || b == RF_TYPE_TIMESTAMP)) { *out = b; return RF_OK; }
    if (b == RF_TYPE_STRING && (a == RF_TYPE_DATE || a == RF_TYPE_TIMESTAMP)) { *out = a; return RF_OK; }
    if (a == RF_TYPE_STRING && rf_type_is_numeric(b)) { *out = b == RF_TYPE_DOUBLE || rf_type_is_decimal(b) ? RF_TYPE_DOUBLE : RF_TYPE_INT64; return RF_OK; }
    if (b == RF_TYPE_STRING && rf_type_is_numeric(a)) { *out = a == RF_TYPE_DOUBLE || rf_type_is_decimal(a) ? RF_TYPE_DOUBLE : RF_TYPE_INT64; return RF_OK; }
    if (a == RF_TYPE_STRING && b == RF_TYPE_BOOL) { *out = RF_TYPE_BOOL; return RF_OK; }
    if (b == RF_TYPE_STRING && a == RF_TYPE_BOOL) { *out = RF_TYPE_BOOL; return RF_OK; }
    return RF_ERR_ANALYSIS;
}

static int mismatch(const rf_expr *e, rf_type a, rf_type b)
{
    rf_buf t = { 0 };
    rf__expr_display(e, &t);
    rf__err_set(RF_ERR_ANALYSIS, "type mismatch in %s: %s and %s cannot be compared or combined",
                t.data ? (char *)t.data : "?", rf_type_name(a), rf_type_name(b));
    rf_buf_fini(&t);
    return RF_ERR_ANALYSIS;
}

static int coerce_pair(rf_expr *e, int i, int j)
{
    rf_type t;
    if (common_type(e->arg[i]->type, e->arg[j]->type, &t)) return mismatch(e, e->arg[i]->type, e->arg[j]->type);
    e->arg[i] = rf__expr_cast_to(e->arg[i], t);
    e->arg[j] = rf__expr_cast_to(e->arg[j], t);
    if (!e->arg[i] || !e->arg[j]) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    return RF_OK;
}

/* An integer operand of decimal arithmetic: a literal becomes a decimal of its own digits (Spark's
 * DecimalType.fromLiteral), a column decimal(10,0) or decimal(20,0). */
static rf_type dec_operand(const rf_expr *x)
{
    if (rf_type_is_decimal(x->type)) return x->type;
    if (x->kind == RF_E_LIT && !x->lit.null && (x->type == RF_TYPE_INT32 || x->type == RF_TYPE_INT64)) {
        int d = 1;
        for (int64_t v = x->lit.v.i; v >= 10 || v <= -10; v /= 10) d++;
        return rf_type_decimal(d, 0);
    }
    return rf_dec_of_integer(x->type);
}

/* + - * / % with a decimal operand and no double: Spark's DecimalPrecision result types. */
static int type_decimal_arith(rf_expr *e)
{
    rf_type ta = dec_operand(e->arg[0]), tb = dec_operand(e->arg[1]);
    int p1 = rf_type_precision(ta), s1 = rf_type_scale(ta), p2 = rf_type_precision(tb), s2 = rf_type_scale(tb);
    int smax = s1 > s2 ? s1 : s2, i1 = p1 - s1, i2 = p2 - s2;
    switch (e->kind) {
    case RF_E_ADD: case RF_E_SUB: e->type = rf_dec_bounded((i1 > i2 ? i1 : i2) + smax + 1, smax); break;
    case RF_E_MUL: e->type = rf_dec_bounded(p1 + p2 + 1, s1 + s2); break;
    case RF_E_DIV: {
        int sc = s1 + p2 + 1 > 6 ? s1 + p2 + 1 : 6;
        e->type = rf_dec_bounded(p1 - s1 + s2 + sc, sc);
        break;
    }
    default: e->type = rf_dec_bounded((i1 < i2 ? i1 : i2) + smax, smax); break;
    }
    e->arg[0] = rf__expr_cast_to(e->arg[0], ta);
    e->arg[1] = rf__expr_cast_to(e->arg[1], tb);
    e->nullable = true;   /* overflow and x / 0 are NULL */
    return RF_OK;
}

static bool is_iv_months(const rf_expr *e) { return e->kind == RF_E_FUNC && e->op == RF_F_IV_MONTHS; }
static bool is_iv_micros(const rf_expr *e) { return e->kind == RF_E_FUNC && e->op == RF_F_IV_MICROS; }
static bool is_iv_days(const rf_expr *e) { return e->kind == RF_E_LIT && e->op == 1 && !e->lit.null; }

/* timestamp (or date) +/- INTERVAL n HOUR / MINUTE / SECOND, and timestamp +/- INTERVAL n DAY: a
 * timestamp plus microseconds (a date counts from its midnight, UTC). */
static int ts_plus_micros(rf_expr *e, bool days)
{
    int iv = (days ? is_iv_days(e->arg[0]) : is_iv_micros(e->arg[0])) ? 0 : 1;
    rf_expr *t = e->arg[1 - iv], *n = days ? e->arg[iv] : e->arg[iv]->arg[0];
    int64_t us = days ? n->lit.v.i * 86400000000LL : n->lit.v.i;
    if (!days) { e->arg[iv]->n_arg = 0; rf_expr_destroy(&e->arg[iv]); rf_expr_destroy(&n); }
    else rf_expr_destroy(&e->arg[iv]);
    rf_expr *lit = rf__expr_lit(&(rf_value){ .type = RF_TYPE_INT64, .v.i = e->kind == RF_E_SUB ? -us : us });
    if (!lit) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    lit->resolved = true;
    e->arg[0] = t;
    e->arg[1] = lit;
    e->kind = RF_E_FUNC;
    e->op = RF_F_TS_ADD_MICROS;
    return rf__func_type(e);
}

/* date +/- INTERVAL n MONTH (or INTERVAL + date): becomes add_months(date, +/-n), as Spark's
 * DateAddYMInterval (the month's last day when the day does not exist). */
static int date_plus_months(rf_expr *e)
{
    int iv = is_iv_months(e->arg[0]) ? 0 : 1;
    rf_expr *d = e->arg[1 - iv], *n = e->arg[iv]->arg[0];
    if (d->type == RF_TYPE_TIMESTAMP)
        return rf__err_set(RF_ERR_ANALYSIS, "adding an INTERVAL of months to a TIMESTAMP is not supported yet (cast it to DATE)");
    e->arg[iv]->n_arg = 0;
    rf_expr_destroy(&e->arg[iv]);
    if (e->kind == RF_E_SUB) n->lit.v.i = -n->lit.v.i;   /* the parser makes n a literal */
    e->arg[0] = d;
    e->arg[1] = n;
    e->kind = RF_E_FUNC;
    e->op = RF_F_ADD_MONTHS;
    return rf__func_type(e);
}

static int type_node(rf_expr *e, bool allow_agg)
{
    bool any_nullable = false;
    for (int i = 0; i < e->n_arg; i++) any_nullable |= e->arg[i]->nullable;
    e->nullable = any_nullable;
    switch (e->kind) {
    case RF_E_ADD: case RF_E_SUB: case RF_E_MUL: case RF_E_DIV: case RF_E_MOD: {
        rf_type a = e->arg[0]->type, b = e->arg[1]->type;
        if (a == RF_TYPE_STRING) { e->arg[0] = rf__expr_cast_to(e->arg[0], RF_TYPE_DOUBLE); a = RF_TYPE_DOUBLE; }
        if (b == RF_TYPE_STRING) { e->arg[1] = rf__expr_cast_to(e->arg[1], RF_TYPE_DOUBLE); b = RF_TYPE_DOUBLE; }
        if (a == RF_TYPE_NULL) a = b == RF_TYPE_NULL ? RF_TYPE_INT32 : b;
        if (b == RF_TYPE_NULL) b = a;
        if ((e->kind == RF_E_ADD || e->kind == RF_E_SUB) && is_iv_months(e->arg[1]) != is_iv_months(e->arg[0]) &&
            (e->kind == RF_E_ADD || is_iv_months(e->arg[1])))
            return date_plus_months(e);
        if ((e->kind == RF_E_ADD || e->kind == RF_E_SUB) && is_iv_micros(e->arg[1]) != is_iv_micros(e->arg[0]) &&
            (e->kind == RF_E_ADD || is_iv_micros(e->arg[1])))
            return ts_plus_micros(e, false);
        if ((e->kind == RF_E_ADD || e->kind == RF_E_SUB) && ((a == RF_TYPE_TIMESTAMP && is_iv_days(e->arg[1])) ||
                                                             (e->kind == RF_E_ADD && b == RF_TYPE_TIMESTAMP && is_iv_days(e->arg[0]))))
            return ts_plus_micros(e, true);
        if ((e->kind == RF_E_ADD || e->kind == RF_E_SUB) && a == RF_TYPE_DATE && (b == RF_TYPE_INT32 || b == RF_TYPE_INT64)) {
            e->type = RF_TYPE_DATE;   /* date +/- days */
            e->arg[1] = rf__expr_cast_to(e->arg[1], RF_TYPE_INT32);
            return RF_OK;
        }
        if (e->kind == RF_E_SUB && a == RF_TYPE_DATE && b == RF_TYPE_DATE) {
            e->type = RF_TYPE_INT32;   /* date - date = days */
            return RF_OK;
        }
        if (!rf_type_is_numeric(a) || !rf_type_is_numeric(b)) return mismatch(e, a, b);
        if (a != RF_TYPE_DOUBLE && b != RF_TYPE_DOUBLE && (rf_type_is_decimal(a) || rf_type_is_decimal(b)))
            return type_decimal_arith(e);
        rf_type t = (a == RF_TYPE_DOUBLE || b == RF_TYPE_DOUBLE) ? RF_TYPE_DOUBLE
                  : (a == RF_TYPE_INT64 || b == RF_TYPE_INT64) ? RF_TYPE_INT64 : RF_TYPE_INT32;
        if (e->kind == RF_E_DIV) { t = RF_TYPE_DOUBLE; e->nullable = true; }   /* x / 0 is NULL */
        if (e->kind == RF_E_MOD) e->nullable = true;
        e->arg[0] = rf__expr_cast_to(e->arg[0], t);
        e->arg[1] = rf__expr_cast_to(e->arg[1], t);
        e->type = t;
        return RF_OK;
    }
    case RF_E_NEG:
        if (!rf_type_is_numeric(e->arg[0]->type)) return mismatch(e, e->arg[0]->type, e->arg[0]->type);
        e->type = e->arg[0]->type;
        return RF_OK;
    case RF_E_EQ: case RF_E_NE: case RF_E_LT: case RF_E_LE: case RF_E_GT: case RF_E_GE: {
        int rc = coerce_pair(e, 0, 1);
        e->type = RF_TYPE_BOOL;
        if (!rc && rf_type_base(e->arg[0]->type) == RF_TYPE_MAP) return mismatch(e, e->arg[0]->type, e->arg[0]->type);
        return rc;
    }
    case RF_E_AND: case RF_E_OR: case RF_E_NOT:
        for (int i = 0; i < e->n_arg; i++) {
            if (e->arg[i]->type == RF_TYPE_NULL) e->arg[i] = rf__expr_cast_to(e->arg[i], RF_TYPE_BOOL);
            if (e->arg[i]->type != RF_TYPE_BOOL) {
                rf_buf t = { 0 };
                rf__expr_display(e->arg[i], &t);
                rf__err_set(RF_ERR_ANALYSIS, "%s needs boolean operands, but %s is %s", ops[e->kind],
                            t.data ? (char *)t.data : "?", rf_type_name(e->arg[i]->type));
                rf_buf_fini(&t);
                return RF_ERR_ANALYSIS;
            }
        }
        e->type = RF_TYPE_BOOL;
        return RF_OK;
    case RF_E_ISNULL: case RF_E_ISNOTNULL:
        e->type = RF_TYPE_BOOL;
        e->nullable = false;
        return RF_OK;
    case RF_E_EQNS: {
        int rc = coerce_pair(e, 0, 1);
        e->type = RF_TYPE_BOOL;
        e->nullable = false;
        if (!rc && rf_type_base(e->arg[0]->type) == RF_TYPE_MAP) return mismatch(e, e->arg[0]->type, e->arg[0]->type);
        return rc;
    }
    case RF_E_BETWEEN: {
        rf_type t = e->arg[0]->type;
        for (int i = 1; i < 3; i++)
            if (common_type(t, e->arg[i]->type, &t)) return mismatch(e, t, e->arg[i]->type);
        if (rf_type_base(t) == RF_TYPE_MAP) return mismatch(e, t, t);
        for (int i = 0; i < 3; i++)
            if (!(e->arg[i] = rf__expr_cast_to(e->arg[i], t))) return rf__err_set(RF_ERR_NOMEM, "out of memory");
        e->type = RF_TYPE_BOOL;
        return RF_OK;
    }
    case RF_E_IN: {
        rf_type t = e->arg[0]->type;
        for (int i = 1; i < e->n_arg; i++)
            if (common_type(t, e->arg[i]->type, &t)) return mismatch(e, t, e->arg[i]->type);
        for (int i = 0; i < e->n_arg; i++)
            if (!(e->arg[i] = rf__expr_cast_to(e->arg[i], t))) return rf__err_set(RF_ERR_NOMEM, "out of memory");
        e->type = RF_TYPE_BOOL;
        return RF_OK;
    }
    case RF_E_CASE: {
        rf_type t = RF_TYPE_NULL;
        if (e->op == 1) {   /* CASE x WHEN v ...: x and every v to one type */
            rf_type k = e->arg[0]->type;
            for (int i = 1; i + 1 < e->n_arg; i += 2)
                if (common_type(k, e->arg[i]->type, &k)) return mismatch(e, k, e->arg[i]->type);
            if (rf_type_base(k) == RF_TYPE_MAP) return mismatch(e, k, k);
            for (int i = 0; i + 1 < e->n_arg; i += i ? 2 : 1)
                if (!(e->arg[i] = rf__expr_cast_to(e->arg[i], k))) return rf__err_set(RF_ERR_NOMEM, "out of memory");
        }
        for (int i = 0; e->op != 1 && i + 1 < e->n_arg; i += 2) {   /* searched CASE: boolean conditions */
            if (e->arg[i]->type == RF_TYPE_NULL) e->arg[i] = rf__expr_cast_to(e->arg[i], RF_TYPE_BOOL);
            if (e->arg[i]->type != RF_TYPE_BOOL)
                return rf__err_set(RF_ERR_ANALYSIS, "CASE WHEN condition must be boolean, not %s", rf_type_name(e->arg[i]->type));
        }
        int first = e->op == 1 ? 2 : 1;   /* the THEN results */
        for (int i = first; i < e->n_arg - 1; i += 2)
            if (common_type(t, e->arg[i]->type, &t)) return mismatch(e, t, e->arg[i]->type);
        if (common_type(t, e->arg[e->n_arg - 1]->type, &t)) return mismatch(e, t, e->arg[e->n_arg - 1]->type);
        for (int i = first; i < e->n_arg - 1; i += 2)
            if (!(e->arg[i] = rf__expr_cast_to(e->arg[i], t))) return rf__err_set(RF_ERR_NOMEM, "out of memory");
        e->arg[e->n_arg - 1] = rf__expr_cast_to(e->arg[e->n_arg - 1], t);
        e->type = t == RF_TYPE_NULL ? RF_TYPE_STRING : t;
        e->nullable = true;
        return RF_OK;
    }
    case RF_E_CAST:
        if (e->type == RF_TYPE_NULL) e->type = e->arg[0]->type;   /* alias wrapper */
        if (!rf__cast_allowed(e->arg[0]->type, e->type)) {
            rf__err_set(RF_ERR_ANALYSIS, "cannot cast %s to %s", rf_type_name(e->arg[0]->type), rf_type_name(e->type));
            return RF_ERR_ANALYSIS;
        }
        e->nullable = true;
        return RF_OK;
    case RF_E_FUNC:
        return rf__func_type(e);
    case RF_E_AGG: {
        if (!allow_agg) {
            return rf__err_set(RF_ERR_ANALYSIS, "aggregate function %s() is not allowed here (use it in an aggregation)",
                               rf__agg_name(e->op));
        }
        for (int i = 0; i < e->n_arg; i++)
            if (rf__expr_has_agg(e->arg[i]))
                return rf__err_set(RF_ERR_ANALYSIS, "aggregate functions cannot be nested: %s(%s(...))",
                                   rf__agg_name(e->op), rf__agg_name(e->arg[i]->op));
        rf_type a = e->n_arg ? e->arg[0]->type : RF_TYPE_INT64;
        if (e->op == RF_A_UDAF) return rf__udaf_type(e);
        if (e->op == RF_A_RDD) return rf__rdd_agg_type(e);
        switch (e->op) {
        case RF_A_COUNT: e->type = RF_TYPE_INT64; e->nullable = false; break;
        case RF_A_SUM:
            if (a == RF_TYPE_STRING) { e->arg[0] = rf__expr_cast_to(e->arg[0], RF_TYPE_DOUBLE); a = RF_TYPE_DOUBLE; }
            if (!rf_type_is_numeric(a) && a != RF_TYPE_NULL)
                return rf__err_set(RF_ERR_ANALYSIS, "sum() needs a numeric argument, not %s", rf_type_name(a));
            e->type = a == RF_TYPE_DOUBLE ? RF_TYPE_DOUBLE : RF_TYPE_INT64;
            if (rf_type_is_decimal(a)) e->type = rf_type_decimal(rf_type_precision(a) + 10 > 38 ? 38 : rf_type_precision(a) + 10, rf_type_scale(a));
            e->arg[0] = rf__expr_cast_to(e->arg[0], e->type);
            e->nullable = true;
            break;
        case RF_A_AVG:
            if (!rf_type_is_numeric(a) && a != RF_TYPE_STRING && a != RF_TYPE_NULL)
                return rf__err_set(RF_ERR_ANALYSIS, "avg() needs a numeric argument, not %s", rf_type_name(a));
            if (rf_type_is_decimal(a)) {   /* decimal(p+4, s+4), from a decimal(p+10, s) sum */
                int p = rf_type_precision(a), sc = rf_type_scale(a);
                e->arg[0] = rf__expr_cast_to(e->arg[0], rf_type_decimal(p + 10 > 38 ? 38 : p + 10, sc));
                e->type = rf_type_decimal(p + 4 > 38 ? 38 : p + 4, sc + 4 > 38 ? 38 : sc + 4);
                e->nullable = true;
                break;
            }
            e->arg[0] = rf__expr_cast_to(e->arg[0], RF_TYPE_DOUBLE);
            e->type = RF_TYPE_DOUBLE;
            e->nullable = true;
            break;
        case RF_A_VAR_SAMP: case RF_A_VAR_POP: case RF_A_STDDEV_SAMP: case RF_A_STDDEV_POP: case RF_A_SKEWNESS: case RF_A_KURTOSIS:
            if (!rf_type_is_numeric(a) && a != RF_TYPE_STRING && a != RF_TYPE_NULL)
                return rf__err_set(RF_ERR_ANALYSIS, "%s() needs a numeric argument, not %s", rf__agg_name(e->op), rf_type_name(a));
            e->arg[0] = rf__expr_cast_to(e->arg[0], RF_TYPE_DOUBLE);
            e->type = RF_TYPE_DOUBLE;
            e->nullable = true;
            break;
        case RF_A_COVAR_POP: case RF_A_COVAR_SAMP: case RF_A_CORR: case RF_A_REGR_COUNT: case RF_A_REGR_AVGX: case RF_A_REGR_AVGY:
        case RF_A_REGR_SXX: case RF_A_REGR_SYY: case RF_A_REGR_SXY: case RF_A_REGR_SLOPE: case RF_A_REGR_INTERCEPT: case RF_A_REGR_R2:
            if (e->n_arg != 2) return rf__err_set(RF_ERR_ANALYSIS, "%s() takes 2 arguments", rf__agg_name(e->op));
            for (int i = 0; i < 2; i++) {
                rf_type t = e->arg[i]->type;
                if (!rf_type_is_numeric(t) && t != RF_TYPE_STRING && t != RF_TYPE_NULL)
                    return rf__err_set(RF_ERR_ANALYSIS, "%s() needs numeric arguments, not %s", rf__agg_name(e->op), rf_type_name(t));
                e->arg[i] = rf__expr_cast_to(e->arg[i], RF_TYPE_DOUBLE);
            }
            e->type = e->op == RF_A_REGR_COUNT ? RF_TYPE_INT64 : RF_TYPE_DOUBLE;
            e->nullable = e->op != RF_A_REGR_COUNT;
            break;
        case RF_A_COLLECT_LIST: case RF_A_COLLECT_SET:
            if (e->op == RF_A_COLLECT_SET && rf_type_base(a) == RF_TYPE_MAP)
                return rf__err_set(RF_ERR_ANALYSIS, "collect_set() of a map: maps cannot be compared");
            /* the state holds values as text (nested ones encoded); the result casts them back (exactly:
             * doubles print round-trip) */
            e->type = rf_type_array(a == RF_TYPE_NULL ? RF_TYPE_STRING : a);
            if (e->type == RF_TYPE_NULL) return RF_ERR_NOMEM;
            if (!rf_type_is_nested(a)) e->arg[0] = rf__expr_cast_to(e->arg[0], RF_TYPE_STRING);
            e->nullable = false;   /* no values: an empty array */
            break;
        case RF_A_FIRST: case RF_A_LAST:
            if (e->n_arg < 1 || e->n_arg > 2) return rf__err_set(RF_ERR_ANALYSIS, "%s() takes 1 or 2 arguments", rf__agg_name(e->op));
            if (e->n_arg == 2) {
                const rf_expr *c = e->arg[1];
                while (c->kind == RF_E_CAST) c = c->arg[0];
                if (c->kind != RF_E_LIT || c->lit.null || c->lit.type != RF_TYPE_BOOL)
                    return rf__err_set(RF_ERR_ANALYSIS, "%s(): ignoreNulls must be TRUE or FALSE", rf__agg_name(e->op));
            }
            if (rf_type_is_nested(a)) return rf__err_set(RF_ERR_ANALYSIS, "%s() of %s is not supported", rf__agg_name(e->op), rf_type_name(a));
            e->type = a == RF_TYPE_NULL ? RF_TYPE_STRING : a;
            e->nullable = true;
            break;
        case RF_A_PERCENTILE: case RF_A_PERCENTILE_APPROX: case RF_A_MEDIAN: {
            int lo = e->op == RF_A_MEDIAN ? 1 : 2, hi = e->op == RF_A_PERCENTILE_APPROX ? 3 : lo;
            if (e->n_arg < lo || e->n_arg > hi) return rf__err_set(RF_ERR_ANALYSIS, "%s() takes %d%s argument%s", rf__agg_name(e->op), lo, hi > lo ? " or 3" : "", hi > 1 ? "s" : "");
            if (!rf_type_is_numeric(a) && a != RF_TYPE_NULL)
                return rf__err_set(RF_ERR_ANALYSIS, "%s() needs a numeric argument, not %s", rf__agg_name(e->op), rf_type_name(a));
            for (int k = 1; k < e->n_arg; k++) {   /* the percentage (and accuracy): constants */
                const rf_expr *c = e->arg[k];
                while (c->kind == RF_E_CAST) c = c->arg[0];
                double v = c->kind == RF_E_LIT && !c->lit.null ? (c->lit.type == RF_TYPE_DOUBLE ? c->lit.v.d : rf_type_is_decimal(c->lit.type) ? rf_dec_to_double(c->lit.v.x, rf_type_scale(c->lit.type)) : (double)c->lit.v.i) : -1;
                if (c->kind != RF_E_LIT || c->lit.null || (k == 1 && (v < 0 || v > 1)))
                    return rf__err_set(RF_ERR_ANALYSIS, "%s(): the %s must be a constant%s", rf__agg_name(e->op), k == 1 ? "percentage" : "accuracy", k == 1 ? " between 0 and 1" : "");
            }
            /* percentile and median interpolate (DOUBLE); percentile_approx picks a value (the input's type) */
            e->type = e->op == RF_A_PERCENTILE_APPROX ? (a == RF_TYPE_NULL ? RF_TYPE_DOUBLE : a) : RF_TYPE_DOUBLE;
            e->arg[0] = rf__expr_cast_to(e->arg[0], RF_TYPE_DOUBLE);
            e->nullable = true;
            break;
        }
        case RF_A_BOOL_AND: case RF_A_BOOL_OR:
            if (a != RF_TYPE_BOOL && a != RF_TYPE_NULL)
                return rf__err_set(RF_ERR_ANALYSIS, "%s() needs a boolean argument, not %s", rf__agg_name(e->op), rf_type_name(a));
            e->arg[0] = rf__expr_cast_to(e->arg[0], RF_TYPE_BOOL);
            e->type = RF_TYPE_BOOL;
            e->nullable = true;
            break;
        default:
            if (rf_type_is_nested(a)) return rf__err_set(RF_ERR_ANALYSIS, "%s() of %s is not supported", rf__agg_name(e->op), rf_type_name(a));
            e->type = a == RF_TYPE_NULL ? RF_TYPE_STRING : a;
            e->nullable = true;
            break;
        }
        return RF_OK;
    }
    case RF_E_SORT:
        e->type = e->arg[0]->type;
        return RF_OK;
    case RF_E_WINDOW: {
        int na = rf__window_nargs(e);
        if ((e->op == RF_A_BOOL_AND || e->op == RF_A_BOOL_OR) && na == 1) {   /* over booleans: min / max (false < true) */
            if (e->arg[0]->type != RF_TYPE_BOOL && e->arg[0]->type != RF_TYPE_NULL)
                return rf__err_set(RF_ERR_ANALYSIS, "%s() needs a boolean argument, not %s", rf__agg_name(e->op), rf_type_name(e->arg[0]->type));
            if (!(e->arg[0] = rf__expr_cast_to(e->arg[0], RF_TYPE_BOOL))) return rf__err_set(RF_ERR_NOMEM, "out of memory");
            e->op = e->op == RF_A_BOOL_AND ? RF_A_MIN : RF_A_MAX;
        }
        if (e->op < RF_W_ROW_NUMBER && !RF_A_WINDOWED(e->op))
            return rf__err_set(RF_ERR_ANALYSIS, "%s() is not supported as a window function yet", rf__agg_name(e->op));
        for (int i = 0; i < e->n_arg; i++)
            if (rf__expr_has_window(e->arg[i])) return rf__err_set(RF_ERR_ANALYSIS, "window functions cannot be nested");
        for (int i = na; i < na + e->n_part; i++)
            if (rf_type_base(e->arg[i]->type) == RF_TYPE_MAP) return rf__err_set(RF_ERR_ANALYSIS, "cannot partition by a map");
        if (rf__frame_by_value(e->frame, e->frame_lo, e->frame_hi)) {   /* offsets in the key's units */
            if (e->n_order != 1) return rf__err_set(RF_ERR_ANALYSIS, "a RANGE frame with an offset needs exactly one ORDER BY expression, not %d", e->n_order);
            rf_type k = e->arg[e->n_arg - 1]->type;
            bool iv = e->frame == RF_FRAME_RANGE_IV;
            if (k == RF_TYPE_DATE && iv) {   /* whole days */
                for (int q = 0; q < 2; q++) {
                    int64_t *b = q ? &e->frame_hi : &e->frame_lo;
                    if (*b == RF_UNBOUNDED || *b == INT64_MAX) continue;
                    if (*b % 86400000000LL) return rf__err_set(RF_ERR_ANALYSIS, "a RANGE frame over a date moves in whole days");
                    *b /= 86400000000LL;
                }
            } else if (iv ? k != RF_TYPE_TIMESTAMP : !(rf_type_is_numeric(k) || k == RF_TYPE_DATE)) {
                return rf__err_set(RF_ERR_ANALYSIS, "a RANGE frame offset %s cannot measure an ORDER BY key of type %s%s", iv ? "INTERVAL" : "number",
                                   rf_type_name(k), k == RF_TYPE_TIMESTAMP ? " (use INTERVAL n HOUR / MINUTE / SECOND / DAY)" : "");
            }
        }
        if (e->frame == RF_FRAME_RANGE_IV) e->frame = RF_FRAME_RANGE;
        if (RF_W_VALUE_FN(e->op)) {
            const char *fn = e->op == RF_W_FIRST_VALUE ? "first_value" : e->op == RF_W_LAST_VALUE ? "last_value" : "nth_value";
            if (na != (e->op == RF_W_NTH_VALUE ? 2 : 1)) return rf__err_set(RF_ERR_ANALYSIS, "%s() takes %s", fn, e->op == RF_W_NTH_VALUE ? "2 arguments" : "1 argument");
            if (e->op == RF_W_NTH_VALUE) {
                const rf_expr *k = e->arg[1];
                if (k->kind != RF_E_LIT || (k->type != RF_TYPE_INT32 && k->type != RF_TYPE_INT64) || k->lit.null || k->lit.v.i < 1)
                    return rf__err_set(RF_ERR_ANALYSIS, "the offset of nth_value() must be an integer literal of 1 or more");
                bool from_start = e->frame == RF_FRAME_DEFAULT || e->frame_lo == RF_UNBOUNDED || (e->frame == RF_FRAME_RANGE && !e->n_order);
                if (!from_start) return rf__err_set(RF_ERR_ANALYSIS, "nth_value() over a frame that does not start at UNBOUNDED PRECEDING is not supported yet");
            }
            if (rf_type_is_nested(e->arg[0]->type)) return rf__err_set(RF_ERR_ANALYSIS, "%s() of %s is not supported", fn, rf_type_name(e->arg[0]->type));
            e->type = e->arg[0]->type == RF_TYPE_NULL ? RF_TYPE_STRING : e->arg[0]->type;
            e->nullable = true;
            return RF_OK;
        }
        if (e->op >= RF_W_ROW_NUMBER) {
            if (e->op <= RF_W_DENSE_RANK) {
                if (na) return rf__err_set(RF_ERR_ANALYSIS, "%s() takes no arguments", e->op == RF_W_ROW_NUMBER ? "row_number" : e->op == RF_W_RANK ? "rank" : "dense_rank");
                if (e->op != RF_W_ROW_NUMBER && !e->n_order) return rf__err_set(RF_ERR_ANALYSIS, "rank() and dense_rank() need ORDER BY in their window");
                e->type = RF_TYPE_INT32;
                e->nullable = false;
                return RF_OK;
            }
            if (na < 1 || na > 3) return rf__err_set(RF_ERR_ANALYSIS, "%s() takes 1 to 3 arguments", e->op == RF_W_LAG ? "lag" : "lead");
            if (na >= 2) {
                if (e->arg[1]->kind != RF_E_LIT || (e->arg[1]->type != RF_TYPE_INT32 && e->arg[1]->type != RF_TYPE_INT64))
                    return rf__err_set(RF_ERR_ANALYSIS, "the offset of %s() must be an integer literal", e->op == RF_W_LAG ? "lag" : "lead");
            }
            if (na == 3) {
                rf_type t;
                if (common_type(e->arg[0]->type, e->arg[2]->type, &t)) return mismatch(e, e->arg[0]->type, e->arg[2]->type);
                e->arg[0] = rf__expr_cast_to(e->arg[0], t);
                e->arg[2] = rf__expr_cast_to(e->arg[2], t);
            }
            e->type = e->arg[0]->type;
            e->nullable = true;
            return RF_OK;
        }
        /* an aggregate over a window: type it as the aggregate */
        rf_expr tmp = *e;
        tmp.kind = RF_E_AGG;
        tmp.n_arg = na;
        int rc = type_node(&tmp, true);
        if (na) e->arg[0] = tmp.arg[0];
        e->type = tmp.type;
        e->nullable = tmp.nullable;
        return rc;
    }
    default:
        return RF_OK;
    }
}

static int resolve(rf_expr *e, const rf_schema *in, bool allow_agg);

int rf__expr_height(const rf_expr *e)
{
    if (rf__stack_check("an expression")) return -1;
    if (e->n_arg > RF_MAX_EXPR_ARGS) { rf__err_set(RF_ERR_LIMIT, "an expression has %d arguments (at most %d)", e->n_arg, RF_MAX_EXPR_ARGS); return -1; }
    int h = 0;
    for (int i = 0; i < e->n_arg; i++) {
        if (!e->arg[i]) continue;
        int c = rf__expr_height(e->arg[i]);
        if (c < 0) return -1;
        if (c > h) h = c;
    }
    return h + 1;
}

int rf__expr_check_depth(const rf_expr *e)
{
    if (!e || e->depth <= RF_MAX_EXPR_DEPTH) return RF_OK;
    int rc = rf__err_set(RF_ERR_LIMIT, "expression nested too deeply (%d levels; riffle allows %d)", e->depth, RF_MAX_EXPR_DEPTH);
    rf__err_at(e->line, e->col);
    return rc;
}

int rf__expr_resolve(rf_expr *e, const rf_schema *in, bool allow_agg)
{
    int rc = rf__stack_check("an expression");
    if (!rc && e && e->depth > RF_MAX_EXPR_DEPTH) return rf__expr_check_depth(e);
    if (!rc) rc = resolve(e, in, allow_agg);
    if (rc && e) rf__err_at(e->line, e->col);
    return rc;
}

static int resolve(rf_expr *e, const rf_schema *in, bool allow_agg)
{
    int rc;
    if (!e) return rf__err_set(RF_ERR_INVALID, "invalid expression (NULL argument or out of memory)");
    if (e->kind == RF_E_SUBQUERY)
        return rf__err_set(RF_ERR_ANALYSIS, "this subquery is not supported here: subqueries may stand as WHERE conjuncts "
                                            "([NOT] EXISTS, [NOT] IN) or as uncorrelated scalar values");
    if (e->kind == RF_E_COL) return resolve_col(e, in);
    if (e->kind == RF_E_LIT) { e->resolved = true; return RF_OK; }
    if (e->kind == RF_E_LAMBDA) return rf__err_set(RF_ERR_ANALYSIS, "a lambda function (x -> ...) is only allowed as an argument of transform(), filter(), aggregate() and the like");
    if (e->kind == RF_E_FUNC && rf__is_hof(e->op)) return rf__hof_resolve(e, in, allow_agg);
    bool in_agg = e->kind == RF_E_AGG || e->kind == RF_E_WINDOW;
    for (int i = 0; i < e->n_arg; i++) {
        if (!e->arg[i]) return rf__err_set(RF_ERR_INVALID, "invalid expression (NULL argument)");
        if ((rc = rf__expr_resolve(e->arg[i], in, allow_agg && !in_agg))) return rc;
    }
    if (e->kind == RF_E_AGG && !allow_agg) return type_node(e, false);
    if ((rc = type_node(e, allow_agg))) return rc;
    for (int i = 0; i < e->n_arg; i++)
        if (!e->arg[i]) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    e->resolved = true;
    return RF_OK;
}

int rf__expr_bind(rf_expr *e, const rf_schema *in)
{
    if (e->kind == RF_E_LAMBDA) return rf__lambda_bind(e, in);
    if (e->kind == RF_E_COL) {
        for (int i = 0; i < in->n; i++)
            if (in->f[i].id == e->attr) { e->index = i; return RF_OK; }
        return rf__err_set(RF_ERR_INTERNAL, "cannot bind column '%s' (#%lld) to its input", e->name, (long long)e->attr);
    }
    for (int i = 0; i < e->n_arg; i++) {
        int rc = rf__expr_bind(e->arg[i], in);
        if (rc) return rc;
    }
    return RF_OK;
}

