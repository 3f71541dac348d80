/*
 * expr.c — building expressions (the public rf_col/rf_lit/... constructors), copying, naming,
 * and analysis: resolving column names to attributes and typing the tree with Spark's implicit
 * casts. Evaluation lives in eval.c, built-in functions in func.c.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include "expr/expr.h"
#include "expr/udf.h"

/* ---------------------------------------------------------------- construction */
rf_expr *rf__expr_new(rf_ekind k, int n_arg, rf_expr **args)
{
    rf_expr *e = rf_calloc(1, sizeof *e);
    bool bad = !e;
    for (int i = 0; i < n_arg; i++) bad |= args[i] == NULL;
    if (!bad && n_arg && !(e->arg = rf_calloc((size_t)n_arg, sizeof *e->arg))) bad = true;
    if (bad) {
        for (int i = 0; i < n_arg; i++) rf_expr_destroy(&args[i]);
        if (e) rf_free(e->arg);
        rf_free(e);
        return NULL;
    }
    e->kind = k;
    e->n_arg = n_arg;
    e->attr = -1;
    e->index = -1;
    int d = 0;
    for (int i = 0; i < n_arg; i++) {
        e->arg[i] = args[i];
        if (args[i]->depth > d) d = args[i]->depth;
    }
    e->depth = d + 1;
    return e;
}

void rf__conj_add(rf_conj *c, rf_expr *e)
{
    if (!e) { if (!c->rc) c->rc = rf__err_slot()->code ? rf__err_slot()->code : RF_ERR_NOMEM; return; }
    if (rf__grow((void **)&c->v, &c->cap, c->n + 1, sizeof *c->v)) { rf_expr_destroy(&e); c->rc = RF_ERR_NOMEM; return; }
    c->v[c->n++] = e;
}

static rf_expr *conj_tree(rf_expr **v, int64_t lo, int64_t hi, bool resolved)
{
    if (hi - lo == 1) { rf_expr *e = v[lo]; v[lo] = NULL; return e; }
    int64_t mid = lo + (hi - lo) / 2;
    rf_expr *a[2] = { conj_tree(v, lo, mid, resolved), conj_tree(v, mid, hi, resolved) };
    if (!a[0] || !a[1]) { rf_expr_destroy(&a[0]); rf_expr_destroy(&a[1]); return NULL; }
    rf_expr *r = rf__expr_new(RF_E_AND, 2, a);
    if (r && resolved) { r->type = RF_TYPE_BOOL; r->resolved = true; r->nullable = a[0]->nullable || a[1]->nullable; }
    return r;
}

rf_expr *rf__conj_build(rf_conj *c, bool resolved)
{
    rf_expr *r = !c->rc && c->n ? conj_tree(c->v, 0, c->n, resolved) : NULL;
    rf__conj_fini(c);
    return r;
}

void rf__conj_fini(rf_conj *c)
{
    for (int64_t i = 0; i < c->n; i++) rf_expr_destroy(&c->v[i]);
    rf_free(c->v);
    memset(c, 0, sizeof *c);
}

rf_expr *rf__expr_lit(const rf_value *v)
{
    rf_expr *e = rf__expr_new(RF_E_LIT, 0, NULL);
    if (!e) return NULL;
    if (rf_value_copy(&e->lit, v)) { rf_free(e); return NULL; }
    e->type = v->type;
    e->nullable = v->null;
    e->resolved = true;
    return e;
}

rf_expr *rf__expr_col_attr(int64_t attr, const char *name, rf_type t, bool nullable, int index)
{
    rf_expr *e = rf__expr_new(RF_E_COL, 0, NULL);
    if (!e) return NULL;
    e->name = rf_strdup(name);
    e->attr = attr;
    e->type = t;
    e->nullable = nullable;
    e->index = index;
    e->resolved = true;
    return e;
}

void rf_expr_destroy(rf_expr **pe)
{
    rf_expr *e = *pe;
    *pe = NULL;
    if (!e) return;
    for (int i = 0; i < e->n_arg; i++) rf_expr_destroy(&e->arg[i]);
    rf_free(e->arg);
    rf_free(e->name);
    rf_free(e->qual);
    rf_value_fini(&e->lit);
    rf_free(e);
}

int rf__expr_copy(const rf_expr *e, rf_expr **out)
{
    rf_expr *c = rf_calloc(1, sizeof *c);
    *out = NULL;
    if (!c) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    *c = *e;
    c->arg = NULL;
    c->name = rf_strdup(e->name);
    c->qual = rf_strdup(e->qual);
    rf_value_copy(&c->lit, &e->lit);
    if (e->n_arg) {
        c->arg = rf_calloc((size_t)e->n_arg, sizeof *c->arg);
        if (!c->arg) { c->n_arg = 0; rf_expr_destroy(&c); return rf__err_set(RF_ERR_NOMEM, "out of memory"); }
        for (int i = 0; i < e->n_arg; i++) {
            int rc = rf__expr_copy(e->arg[i], &c->arg[i]);
            if (rc) { rf_expr_destroy(&c); return rc; }
        }
    }
    *out = c;
    return RF_OK;
}

static bool equal_(const rf_expr *a, const rf_expr *b, bool loose);

bool rf__expr_equal(const rf_expr *a, const rf_expr *b) { return equal_(a, b, false); }
bool rf__expr_equal_loose(const rf_expr *a, const rf_expr *b) { return equal_(a, b, true); }

/* s.f written as a column of table s, and the field access it resolves to when s is a struct column. */
static bool field_as_col(const rf_expr *c, const rf_expr *f)
{
    if (c->kind != RF_E_COL || !c->qual || c->attr >= 0 || f->kind != RF_E_FUNC || f->op != RF_F_GET_FIELD || f->n_arg != 2) return false;
    const rf_expr *s = f->arg[0], *n = f->arg[1];
    return s->kind == RF_E_COL && !s->qual && s->name && !strcasecmp(s->name, c->qual) && n->kind == RF_E_LIT &&
           n->lit.type == RF_TYPE_STRING && (int64_t)strlen(c->name) == n->lit.v.s.len && !strncasecmp(c->name, n->lit.v.s.p, (size_t)n->lit.v.s.len);
}

static bool equal_(const rf_expr *a, const rf_expr *b, bool loose)
{
    if (loose && (field_as_col(a, b) || field_as_col(b, a))) return true;
    if (a->kind != b->kind || a->op != b->op || a->n_arg != b->n_arg || a->distinct != b->distinct) return false;
    if (a->kind == RF_E_WINDOW && (a->n_part != b->n_part || a->n_order != b->n_order || a->frame != b->frame ||
                                   a->frame_lo != b->frame_lo || a->frame_hi != b->frame_hi)) return false;
    if (a->kind == RF_E_SORT && (a->desc != b->desc || a->nulls_first != b->nulls_first)) return false;
    if ((a->kind == RF_E_FUNC || a->kind == RF_E_AGG) && (a->op < 0 || a->op == RF_F_UDF || (a->kind == RF_E_AGG && a->op >= RF_A_UDAF)) &&
        (!a->qual != !b->qual || (a->qual && strcmp(a->qual, b->qual))))
        return false;   /* user functions (and unknown ones) are told apart by name */
    if (a->kind == RF_E_COL)
        return a->attr >= 0 ? a->attr == b->attr
                            : strcasecmp(a->name, b->name) == 0 &&
                              (loose ? !a->qual || !b->qual || !strcasecmp(a->qual, b->qual)
                                     : !a->qual == !b->qual && (!a->qual || !strcasecmp(a->qual, b->qual)));
    if (a->kind == RF_E_LIT) {
        if (a->lit.type != b->lit.type || a->lit.null != b->lit.null) return false;
        if (a->lit.null) return true;
        if (a->lit.type == RF_TYPE_STRING)
            return a->lit.v.s.len == b->lit.v.s.len && memcmp(a->lit.v.s.p, b->lit.v.s.p, (size_t)a->lit.v.s.len) == 0;
        if (a->lit.type == RF_TYPE_DOUBLE) return a->lit.v.d == b->lit.v.d;
        if (rf_type_is_decimal(a->lit.type)) return a->lit.v.x == b->lit.v.x;
        return a->lit.v.i == b->lit.v.i;
    }
    if (a->kind == RF_E_CAST && a->type != b->type) return false;
    for (int i = 0; i < a->n_arg; i++)
        if (!equal_(a->arg[i], b->arg[i], loose)) return false;
    return true;
}

/* ---------------------------------------------------------------- public constructors */
static rf_expr *mk1(rf_ekind k, rf_expr *a) { rf_expr *v[1] = { a }; return rf__expr_new(k, 1, v); }
static rf_expr *mk2(rf_ekind k, rf_expr *a, rf_expr *b) { rf_expr *v[2] = { a, b }; return rf__expr_new(k, 2, v); }

rf_expr *rf_col(const char *name)
{
    rf_expr *e = rf__expr_new(RF_E_COL, 0, NULL);
    if (!e || !name) { rf_expr_destroy(&e); return NULL; }
    const char *dot = strrchr(name, '.');
    if (dot && dot != name && dot[1]) {
        e->qual = rf_strndup(name, (size_t)(dot - name));
        e->name = rf_strdup(dot + 1);
    } else {
        e->name = rf_strdup(name);
    }
    if (!e->name) rf_expr_destroy(&e);
    return e;
}

static rf_expr *lit_of(rf_value v) { return rf__expr_lit(&v); }
rf_expr *rf_lit_int(int64_t v)
{
    rf_value x = { .type = (v >= INT32_MIN && v <= INT32_MAX) ? RF_TYPE_INT32 : RF_TYPE_INT64, .v.i = v };
    return lit_of(x);
}
rf_expr *rf_lit_double(double v) { rf_value x = { .type = RF_TYPE_DOUBLE, .v.d = v }; return lit_of(x); }
rf_expr *rf_lit_decimal(const char *text)
{
    /* the literal's own type, as Spark: precision = significant digits, scale = digits after the point */
    int digits = 0, scale = 0;
    bool point = false, lead = true;
    const char *q = text ? text : "";
    if (*q == '-' || *q == '+') q++;
    for (; *q; q++) {
        if (*q == '.' && !point) { point = true; continue; }
        if (*q < '0' || *q > '9') return NULL;
        if (*q != '0') lead = false;
        if (!lead || point) digits += !lead;
        if (point) scale++;
    }
    int p = digits > scale ? digits : scale;
    if (p < 1) p = 1;
    if (p > RF_DECIMAL_MAX_PRECISION) return NULL;
    rf_value x = { .type = rf_type_decimal(p, scale) };
    if (!rf_dec_parse(text, strlen(text), p, scale, &x.v.x)) return NULL;
    return lit_of(x);
}
rf_expr *rf_lit_bool(bool v) { rf_value x = { .type = RF_TYPE_BOOL, .v.b = v }; return lit_of(x); }
rf_expr *rf_lit_null(void) { rf_value x = { .type = RF_TYPE_NULL, .null = true }; return lit_of(x); }
rf_expr *rf_lit_str(const char *s)
{
    if (!s) return NULL;
    rf_value x = { .type = RF_TYPE_STRING, .v.s = { (char *)s, (int64_t)strlen(s) } };
    return lit_of(x);
}
rf_expr *rf_lit_date(const char *s)
{
    rf_value x = { .type = RF_TYPE_DATE };
    int32_t d;
    if (!s || !rf_parse_date(s, strlen(s), &d)) {   /* an invalid date literal: keep as a failing cast */
        return rf_cast(rf_lit_str(s ? s : ""), RF_TYPE_DATE);
    }
    x.v.i = d;
    return lit_of(x);
}
rf_expr *rf_add(rf_expr *a, rf_expr *b) { return mk2(RF_E_ADD, a, b); }
rf_expr *rf_sub(rf_expr *a, rf_expr *b) { return mk2(RF_E_SUB, a, b); }
rf_expr *rf_mul(rf_expr *a, rf_expr *b) { return mk2(RF_E_MUL, a, b); }
rf_expr *rf_div(rf_expr *a, rf_expr *b) { return mk2(RF_E_DIV, a, b); }
rf_expr *rf_mod(rf_expr *a, rf_expr *b) { return mk2(RF_E_MOD, a, b); }
rf_expr *rf_neg(rf_expr *a) { return mk1(RF_E_NEG, a); }
rf_expr *rf_eq(rf_expr *a, rf_expr *b) { return mk2(RF_E_EQ, a, b); }
rf_expr *rf_eq_null_safe(rf_expr *a, rf_expr *b) { return mk2(RF_E_EQNS, a, b); }
rf_expr *rf_ne(rf_expr *a, rf_expr *b) { return mk2(RF_E_NE, a, b); }
rf_expr *rf_lt(rf_expr *a, rf_expr *b) { return mk2(RF_E_LT, a, b); }
rf_expr *rf_le(rf_expr *a, rf_expr *b) { return mk2(RF_E_LE, a, b); }
rf_expr *rf_gt(rf_expr *a, rf_expr *b) { return mk2(RF_E_GT, a, b); }
rf_expr *rf_ge(rf_expr *a, rf_expr *b) { return mk2(RF_E_GE, a, b); }
rf_expr *rf_and(rf_expr *a, rf_expr *b) { return mk2(RF_E_AND, a, b); }
rf_expr *rf_or(rf_expr *a, rf_expr *b) { return mk2(RF_E_OR, a, b); }
rf_expr *rf_not(rf_expr *a) { return mk1(RF_E_NOT, a); }
rf_expr *rf_is_null(rf_expr *a) { return mk1(RF_E_ISNULL, a); }
rf_expr *rf_is_not_null(rf_expr *a) { return mk1(RF_E_ISNOTNULL, a); }

/* The n (count-checked, see dataframe.h) variadic expression arguments of `fn`, heap-allocated;
 * NULL with an error (and the arguments destroyed) when the count was wrong. */
static rf_expr **va_exprs(const char *fn, int n, int extra, va_list ap)
{
    if (n <= RF__VA_BAD) { rf__err_set(RF_ERR_INVALID, "%s: the count does not match the %d argument(s) written", fn, RF__VA_BAD - n); return NULL; }
    if (n < 0) { rf__err_set(RF_ERR_INVALID, "%s: a negative count (%d)", fn, n); return NULL; }
    rf_expr **v = rf_calloc((size_t)n + (size_t)extra + 1, sizeof *v);
    for (int i = 0; i < n; i++) {
        rf_expr *x = va_arg(ap, rf_expr *);
        if (v) v[i + extra] = x; else rf_expr_destroy(&x);
    }
    if (!v) rf__err_set(RF_ERR_NOMEM, "out of memory");
    return v;
}

rf_expr *(rf_in)(rf_expr *a, int n, ...)
{
    va_list ap;
    va_start(ap, n);
    rf_expr **v = va_exprs("rf_in", n, 1, ap);
    va_end(ap);
    if (!v) { rf_expr_destroy(&a); return NULL; }
    v[0] = a;
    rf_expr *e = rf__expr_new(RF_E_IN, n + 1, v);
    rf_free(v);
    return e;
}

rf_expr *(rf_case)(rf_expr *otherwise, int n_pairs, ...)
{
    va_list ap;
    if (n_pairs == 0) { rf_expr_destroy(&otherwise); rf__err_set(RF_ERR_INVALID, "rf_case: no (condition, value) pairs"); return NULL; }
    va_start(ap, n_pairs);
    rf_expr **v = va_exprs("rf_case", n_pairs > 0 && n_pairs < INT32_MAX / 2 ? 2 * n_pairs : n_pairs, 0, ap);
    va_end(ap);
    if (!v) { rf_expr_destroy(&otherwise); return NULL; }
    v[2 * n_pairs] = otherwise ? otherwise : rf_lit_null();
    rf_expr *e = rf__expr_new(RF_E_CASE, 2 * n_pairs + 1, v);
    rf_free(v);
    return e;
}

rf_expr *rf_cast(rf_expr *a, rf_type to)
{
    rf_expr *e = mk1(RF_E_CAST, a);
    if (e) e->type = to;
    return e;
}

static rf_expr *fn_v(const char *name, int n, rf_expr **v)
{
    rf_expr *e = rf__expr_new(RF_E_FUNC, n, v);
    if (!e) return NULL;
    e->op = rf__func_lookup(name);
    if (e->op < 0) e->qual = rf_strdup(name);   /* an unknown function's name, for the error, or a registered UDF's */
    if (e->op < 0 && rf__name_is_udaf(name)) { e->kind = RF_E_AGG; e->op = RF_A_UDAF; }
    return e;
}

rf_expr *rf_lambda(rf_expr *body, int n, ...)
{
    if (!body || n < 1 || n > 8) { rf_expr_destroy(&body); return NULL; }
    rf_expr *v[9] = { body };
    va_list ap;
    va_start(ap, n);
    bool bad = false;
    for (int i = 0; i < n; i++) {
        const char *nm = va_arg(ap, const char *);
        if (!nm || !(v[1 + i] = rf__expr_new(RF_E_COL, 0, NULL)) || !(v[1 + i]->name = rf_strdup(nm))) bad = true;
        else v[1 + i]->attr = RF_LAMBDA_VAR;
    }
    va_end(ap);
    if (bad) { for (int i = 0; i <= n; i++) rf_expr_destroy(&v[i]); return NULL; }
    return rf__expr_new(RF_E_LAMBDA, 1 + n, v);
}

rf_expr *(rf_fn)(const char *name, int n, ...)
{
    va_list ap;
    va_start(ap, n);
    rf_expr **v = va_exprs("rf_fn", n, 0, ap);
    va_end(ap);
    rf_expr *e = v ? fn_v(name, n, v) : NULL;
    rf_free(v);
    return e;
}

rf_expr *rf_lower(rf_expr *a) { return rf_fn("lower", 1, a); }
rf_expr *rf_upper(rf_expr *a) { return rf_fn("upper", 1, a); }
rf_expr *rf_length(rf_expr *a) { return rf_fn("length", 1, a); }
rf_expr *rf_substring(rf_expr *a, int pos, int len) { return rf_fn("substring", 3, a, rf_lit_int(pos), rf_lit_int(len)); }
rf_expr *(rf_concat)(int n, ...)
{
    va_list ap;
    va_start(ap, n);
    rf_expr **v = va_exprs("rf_concat", n, 0, ap);
    va_end(ap);
    rf_expr *e = v ? fn_v("concat", n, v) : NULL;
    rf_free(v);
    return e;
}
rf_expr *rf_split(rf_expr *a, const char *re) { return rf_fn("split", 2, a, rf_lit_str(re)); }
rf_expr *rf_explode(rf_expr *a) { return rf_fn("explode", 1, a); }
rf_expr *rf_to_date(rf_expr *a) { return rf_fn("to_date", 1, a); }
rf_expr *rf_date_add(rf_expr *d, rf_expr *n) { return rf_fn("date_add", 2, d, n); }
rf_expr *rf_date_sub(rf_expr *d, rf_expr *n) { return rf_fn("date_sub", 2, d, n); }
rf_expr *rf_datediff(rf_expr *a, rf_expr *b) { return rf_fn("datediff", 2, a, b); }
rf_expr *rf_year(rf_expr *d) { return rf_fn("year", 1, d); }
rf_expr *rf_month(rf_expr *d) { return rf_fn("month", 1, d); }
rf_expr *rf_current_date(void) { return rf_fn("current_date", 0); }

static rf_expr *agg(int op, rf_expr *a, bool distinct)
{
    rf_expr *e = a ? mk1(RF_E_AGG, a) : rf__expr_new(RF_E_AGG, 0, NULL);
    if (e) { e->op = op; e->distinct = distinct; }
    return e;
}
rf_expr *rf_count(rf_expr *a) { return agg(RF_A_COUNT, a, false); }
rf_expr *rf_count_distinct(rf_expr *a) { return a ? agg(RF_A_COUNT, a, true) : NULL; }
rf_expr *rf_sum(rf_expr *a) { return a ? agg(RF_A_SUM, a, false) : NULL; }
rf_expr *rf_avg(rf_expr *a) { return a ? agg(RF_A_AVG, a, false) : NULL; }
rf_expr *rf_min(rf_expr *a) { return a ? agg(RF_A_MIN, a, false) : NULL; }
rf_expr *rf_max(rf_expr *a) { return a ? agg(RF_A_MAX, a, false) : NULL; }
rf_expr *rf_first(rf_expr *a) { return a ? agg(RF_A_FIRST, a, false) : NULL; }

static rf_expr *wfn(int op, int n, rf_expr **v)
{
    rf_expr *e = rf__expr_new(RF_E_WINDOW, n, v);
    if (e) e->op = op;
    return e;
}
rf_expr *rf_row_number(void) { return wfn(RF_W_ROW_NUMBER, 0, NULL); }
rf_expr *rf_rank(void) { return wfn(RF_W_RANK, 0, NULL); }
rf_expr *rf_dense_rank(void) { return wfn(RF_W_DENSE_RANK, 0, NULL); }
rf_expr *rf_lag(rf_expr *a, int offset, rf_expr *dflt)
{
    rf_expr *v[3] = { a, rf_lit_int(offset), dflt };
    return wfn(RF_W_LAG, dflt ? 3 : 2, v);
}
rf_expr *rf_lead(rf_expr *a, int offset, rf_expr *dflt)
{
    rf_expr *v[3] = { a, rf_lit_int(offset), dflt };
    return wfn(RF_W_LEAD, dflt ? 3 : 2, v);
}

rf_expr *rf_over(rf_expr *fn, int n_part, rf_expr **part, int n_order, rf_expr **order)
{
    rf_expr *v[128];
    int n = 0;
    bool bad = !fn || n_part < 0 || n_order < 0 || n_part + n_order > 64;
    if (!bad && fn->kind != RF_E_WINDOW && fn->kind != RF_E_AGG) bad = true;
    if (!bad) for (int i = 0; i < fn->n_arg; i++) v[n++] = fn->arg[i];
    for (int i = 0; i < n_part && !bad; i++) v[n++] = part[i];
    for (int i = 0; i < n_order && !bad; i++) v[n++] = order[i] && order[i]->kind != RF_E_SORT ? rf_asc(order[i]) : order[i];
    if (bad) {
        rf_expr_destroy(&fn);
        for (int i = 0; i < n_part; i++) rf_expr_destroy(&part[i]);
        for (int i = 0; i < n_order; i++) rf_expr_destroy(&order[i]);
        return NULL;
    }
    rf_expr *e = rf__expr_new(RF_E_WINDOW, n, v);
    if (e) {
        e->op = fn->op;
        e->n_part = n_part;
        e->n_order = n_order;
        e->frame_lo = RF_UNBOUNDED;
        e->name = fn->name;
        fn->name = NULL;
    }
    fn->n_arg = 0;   /* its arguments moved into the window expression */
    rf_free(fn->arg);
    fn->arg = NULL;
    rf_expr_destroy(&fn);
    return e;
}

rf_expr *rf_rows_between(rf_expr *w, int64_t lo, int64_t hi)
{
    if (!w || w->kind != RF_E_WINDOW) { rf_expr_destroy(&w); return NULL; }
    w->frame = RF_FRAME_ROWS;
    w->frame_lo = lo;
    w->frame_hi = hi;
    return w;
}

rf_expr *rf_as(rf_expr *a, const char *alias)
{
    if (!a) return NULL;
    rf_free(a->kind == RF_E_COL ? NULL : a->name);
    if (a->kind == RF_E_COL) {   /* an alias over a column keeps the column: wrap in a no-op cast */
        rf_expr *c = rf__expr_new(RF_E_CAST, 1, &a);
        if (!c) return NULL;
        c->type = RF_TYPE_NULL;  /* "same type": resolved to the column's type */
        c->name = rf_strdup(alias);
        return c;
    }
    a->name = rf_strdup(alias);
    return a;
}

static rf_expr *sort(rf_expr *a, bool desc)
{
    rf_expr *e = mk1(RF_E_SORT, a);
    if (e) { e->desc = desc; e->nulls_first = !desc; }
    return e;
}
rf_expr *rf_asc(rf_expr *a) { return sort(a, false); }
rf_expr *rf_desc(rf_expr *a) { return sort(a, true); }

/* ---------------------------------------------------------------- names and display */
static const char *ops[] = { "", "", "+", "-", "*", "/", "%", "-", "=", "!=", "<", "<=", ">", ">=",
                             "AND", "OR", "NOT", "IS NULL", "IS NOT NULL" };

int rf__expr_display(const rf_expr *e, rf_buf *b)
{
    int rc = RF_OK;
    switch (e->kind) {
    case RF_E_COL:
        if (e->qual) rc = rf_buf_printf(b, "%s.", e->qual);
        return rc ? rc : rf_buf_printf(b, "%s", e->name);
    case RF_E_LIT: {
        if (e->lit.null) return rf_buf_printf(b, "NULL");
        if (e->op == 1 && (e->lit.type == RF_TYPE_INT32 || e->lit.type == RF_TYPE_INT64)) return rf_buf_printf(b, "INTERVAL '%lld' DAY", (long long)e->lit.v.i);
        if (e->lit.type == RF_TYPE_STRING) return rf_buf_printf(b, "'%.*s'", (int)e->lit.v.s.len, e->lit.v.s.p);
        if (e->lit.type == RF_TYPE_DATE) { char t[32]; rf_format_date((int32_t)e->lit.v.i, t, sizeof t); return rf_buf_printf(b, "DATE '%s'", t); }
        if (e->lit.type == RF_TYPE_TIMESTAMP) { char t[48]; rf_format_timestamp(e->lit.v.i, t, sizeof t); return rf_buf_printf(b, "TIMESTAMP '%s'", t); }
        if (e->lit.type == RF_TYPE_DOUBLE) { char t[48]; rf_format_double(e->lit.v.d, t, sizeof t); return rf_buf_printf(b, "%s", t); }
        if (rf_type_is_decimal(e->lit.type)) { char t[64]; rf_dec_format(e->lit.v.x, rf_type_scale(e->lit.type), t, sizeof t); return rf_buf_printf(b, "%s", t); }
        if (e->lit.type == RF_TYPE_BOOL) return rf_buf_printf(b, "%s", e->lit.v.b ? "true" : "false");
        return rf_buf_printf(b, "%lld", (long long)e->lit.v.i);
    }
    case RF_E_ADD: case RF_E_SUB: case RF_E_MUL: case RF_E_DIV: case RF_E_MOD:
    case RF_E_EQ: case RF_E_NE: case RF_E_LT: case RF_E_LE: case RF_E_GT: case RF_E_GE:
    case RF_E_AND: case RF_E_OR:
        rc = rf_buf_printf(b, "(");
        if (!rc) rc = rf__expr_display(e->arg[0], b);
        if (!rc) rc = rf_buf_printf(b, " %s ", ops[e->kind]);
        if (!rc) rc = rf__expr_display(e->arg[1], b);
        return rc ? rc : rf_buf_printf(b, ")");
    case RF_E_NEG: case RF_E_NOT:
        rc = rf_buf_printf(b, e->kind == RF_E_NEG ? "(- " : "(NOT ");
        if (!rc) rc = rf__expr_display(e->arg[0], b);
        return rc ? rc : rf_buf_printf(b, ")");
    case RF_E_ISNULL: case RF_E_ISNOTNULL:
        rc = rf__expr_display(e->arg[0], b);
        return rc ? rc : rf_buf_printf(b, " %s", ops[e->kind]);
    case RF_E_IN:
        rc = rf__expr_display(e->arg[0], b);
        if (!rc) rc = rf_buf_printf(b, " IN (");
        for (int i = 1; i < e->n_arg && !rc; i++) {
            if (i > 1) rc = rf_buf_printf(b, ", ");
            if (!rc) rc = rf__expr_display(e->arg[i], b);
        }
        return rc ? rc : rf_buf_printf(b, ")");
    case RF_E_EQNS:
        rc = rf_buf_printf(b, "(");
        if (!rc) rc = rf__expr_display(e->arg[0], b);
        if (!rc) rc = rf_buf_printf(b, " <=> ");
        if (!rc) rc = rf__expr_display(e->arg[1], b);
        return rc ? rc : rf_buf_printf(b, ")");
    case RF_E_BETWEEN:
        rc = rf_buf_printf(b, "(");
        if (!rc) rc = rf__expr_display(e->arg[0], b);
        if (!rc) rc = rf_buf_printf(b, " BETWEEN ");
        if (!rc) rc = rf__expr_display(e->arg[1], b);
        if (!rc) rc = rf_buf_printf(b, " AND ");
        if (!rc) rc = rf__expr_display(e->arg[2], b);
        return rc ? rc : rf_buf_printf(b, ")");
    case RF_E_CASE:
        rc = rf_buf_printf(b, "CASE");
        if (e->op == 1 && !rc) { rc = rf_buf_printf(b, " "); if (!rc) rc = rf__expr_display(e->arg[0], b); }
        for (int i = e->op == 1; i + 1 < e->n_arg && !rc; i += 2) {
            rc = rf_buf_printf(b, " WHEN ");
            if (!rc) rc = rf__expr_display(e->arg[i], b);
            if (!rc) rc = rf_buf_printf(b, " THEN ");
            if (!rc) rc = rf__expr_display(e->arg[i + 1], b);
        }
        if (!rc) rc = rf_buf_printf(b, " ELSE ");
        if (!rc) rc = rf__expr_display(e->arg[e->n_arg - 1], b);
        return rc ? rc : rf_buf_printf(b, " END");
    case RF_E_CAST:
        if (e->type == RF_TYPE_NULL && !e->resolved) return rf__expr_display(e->arg[0], b);
        rc = rf_buf_printf(b, "CAST(");
        if (!rc) rc = rf__expr_display(e->arg[0], b);
        return rc ? rc : rf_buf_printf(b, " AS %s)", rf_type_name(e->type));
    case RF_E_FUNC: case RF_E_AGG:
        if (e->kind == RF_E_FUNC && e->op == RF_F_IV_MICROS && e->n_arg == 1 && e->arg[0]->kind == RF_E_LIT) {
            int64_t u = e->arg[0]->lit.v.i;
            return u % 3600000000LL == 0 ? rf_buf_printf(b, "INTERVAL '%lld' HOUR", (long long)(u / 3600000000LL))
                 : u % 60000000LL == 0 ? rf_buf_printf(b, "INTERVAL '%lld' MINUTE", (long long)(u / 60000000LL))
                                       : rf_buf_printf(b, "INTERVAL '%lld' SECOND", (long long)(u / 1000000));
        }
        if (e->kind == RF_E_FUNC && e->op == RF_F_IV_MONTHS && e->n_arg == 1 && e->arg[0]->kind == RF_E_LIT) {
            int64_t m = e->arg[0]->lit.v.i;
            return m % 12 ? rf_buf_printf(b, "INTERVAL '%lld' MONTH", (long long)m) : rf_buf_printf(b, "INTERVAL '%lld' YEAR", (long long)(m / 12));
        }
        if (e->kind == RF_E_FUNC && (e->op == RF_F_SUBSCRIPT || e->op == RF_F_GET_FIELD) && e->n_arg == 2) {
            rc = rf__expr_display(e->arg[0], b);
            if (e->op == RF_F_GET_FIELD && !rc) return rf_buf_printf(b, ".%.*s", (int)e->arg[1]->lit.v.s.len, e->arg[1]->lit.v.s.p);
            if (!rc) rc = rf_buf_put_u8(b, '[');
            if (!rc) rc = rf__expr_display(e->arg[1], b);
            return rc ? rc : rf_buf_put_u8(b, ']');
        }
        rc = rf_buf_printf(b, "%s(%s", e->kind == RF_E_FUNC ? (e->op >= 0 && e->op != RF_F_UDF ? rf__func_name(e->op) : (e->qual ? e->qual : "?"))
                                       : (e->op == RF_A_UDAF || e->op == RF_A_RDD) && e->qual ? e->qual : rf__agg_name(e->op),
                           e->distinct ? "DISTINCT " : "");
        if (e->kind == RF_E_AGG && e->n_arg == 0) rc = rc ? rc : rf_buf_printf(b, "1");
        for (int i = 0; i < e->n_arg && !rc; i++) {
            if (i) rc = rf_buf_printf(b, ", ");
            if (!rc) rc = rf__expr_display(e->arg[i], b);
        }
        return rc ? rc : rf_buf_printf(b, ")");
    case RF_E_WINDOW: {
        static const char *wn[] = { "row_number", "rank", "dense_rank", "lag", "lead", "first_value", "last_value", "nth_value" };
        int na = rf__window_nargs(e);
        rc = rf_buf_printf(b, "%s(", e->op >= RF_W_ROW_NUMBER ? wn[e->op - RF_W_ROW_NUMBER] : rf__agg_name(e->op));
        if (e->op == RF_A_COUNT && na == 0 && !rc) rc = rf_buf_printf(b, "1");
        for (int i = 0; i < na && !rc; i++) { if (i) rc = rf_buf_printf(b, ", "); if (!rc) rc = rf__expr_display(e->arg[i], b); }
        if (!rc) rc = rf_buf_printf(b, ") OVER (");
        for (int i = 0; i < e->n_part && !rc; i++) {
            rc = rf_buf_printf(b, i ? ", " : "PARTITION BY ");
            if (!rc) rc = rf__expr_display(e->arg[na + i], b);
        }
        for (int i = 0; i < e->n_order && !rc; i++) {
            rc = rf_buf_printf(b, i ? ", " : (e->n_part ? " ORDER BY " : "ORDER BY "));
            if (!rc) rc = rf__expr_display(e->arg[na + e->n_part + i], b);
        }
        return rc ? rc : rf_buf_printf(b, ")");
    }
    case RF_E_LAMBDA:
        rc = rf_buf_printf(b, e->n_arg == 2 ? "" : "(");
        for (int i = 1; i < e->n_arg && !rc; i++) rc = rf_buf_printf(b, "%s%s", i > 1 ? ", " : "", e->arg[i]->name);
        if (!rc) rc = rf_buf_printf(b, e->n_arg == 2 ? " -> " : ") -> ");
        return rc ? rc : rf__expr_display(e->arg[0], b);
    case RF_E_SUBQUERY:
        if (e->op == 2 && e->n_arg) { rc = rf__expr_display(e->arg[0], b); if (!rc) rc = rf_buf_printf(b, " IN "); }
        return rc ? rc : rf_buf_printf(b, e->op == 1 ? "EXISTS (subquery)" : "(subquery)");
    case RF_E_SORT:
        rc = rf__expr_display(e->arg[0], b);
        return rc ? rc : rf_buf_printf(b, " %s NULLS %s", e->desc ? "DESC" : "ASC", e->nulls_first ? "FIRST" : "LAST");
    default:
        return rf_buf_printf(b, "?");
    }
}

const char *rf__expr_out_name(const rf_expr *e)
{
    if (e->kind == RF_E_SORT) return rf__expr_out_name(e->arg[0]);
    return e->name;
}

bool rf__expr_has_agg(const rf_expr *e)
{
    if (e->kind == RF_E_AGG) return true;
    for (int i = 0; i < e->n_arg; i++) if (rf__expr_has_agg(e->arg[i])) return true;
    return false;
}

bool rf__expr_has_window(const rf_expr *e)
{
    if (e->kind == RF_E_WINDOW) return true;
    for (int i = 0; i < e->n_arg; i++) if (rf__expr_has_window(e->arg[i])) return true;
    return false;
}


int rf__expr_attrs(const rf_expr *e, int64_t **ids, int64_t *n, int64_t *cap)
{
    if (e->kind == RF_E_COL && e->attr >= 0) {
        for (int64_t i = 0; i < *n; i++) if ((*ids)[i] == e->attr) return RF_OK;
        int rc = rf__grow((void **)ids, cap, *n + 1, sizeof **ids);
        if (rc) return rc;
        (*ids)[(*n)++] = e->attr;
        return RF_OK;
    }
    for (int i = 0; i < e->n_arg; i++) {
        int rc = rf__expr_attrs(e->arg[i], ids, n, cap);
        if (rc) return rc;
    }
    return RF_OK;
}

bool rf__expr_refs_only(const rf_expr *e, const rf_schema *s)
{
    if (e->kind == RF_E_COL && (e->attr == RF_LAMBDA_VAR || e->attr <= RF_LAMBDA_ATTR(0))) return true;   /* a lambda's own */
    if (e->kind == RF_E_COL) {
        for (int i = 0; i < s->n; i++) if (s->f[i].id == e->attr) return true;
        return false;
    }
    for (int i = 0; i < e->n_arg; i++) if (!rf__expr_refs_only(e->arg[i], s)) return false;
    return true;
}

int rf__expr_fold(rf_expr **pe)
{
    rf_expr *e = *pe;
    if (e->kind == RF_E_COL || e->kind == RF_E_LIT || e->kind == RF_E_AGG || e->kind == RF_E_WINDOW || e->kind == RF_E_SUBQUERY) return RF_OK;
    bool all_lit = true;
    for (int i = 0; i < e->n_arg; i++) {
        int rc = rf__expr_fold(&e->arg[i]);
        if (rc) return rc;
        all_lit &= e->arg[i]->kind == RF_E_LIT;
    }
    if (e->kind == RF_E_SORT || e->kind == RF_E_LAMBDA || (e->kind == RF_E_FUNC && (rf__is_generator(e->op) || rf__is_hof(e->op))) ||
        rf_type_is_nested(e->type))
        return RF_OK;
    for (int i = 0; i < e->n_arg; i++) if (rf_type_is_nested(e->arg[i]->type)) return RF_OK;   /* literals hold no nested values */
    /* boolean simplification with one literal side */
    if ((e->kind == RF_E_AND || e->kind == RF_E_OR) && !all_lit) {
        for (int i = 0; i < 2; i++) {
            rf_expr *l = e->arg[i];
            if (l->kind != RF_E_LIT || l->lit.null) continue;
            bool v = l->lit.v.b;
            if ((e->kind == RF_E_AND && v) || (e->kind == RF_E_OR && !v)) {   /* identity: keep the other side */
                rf_expr *keep = e->arg[1 - i];
                e->arg[1 - i] = NULL;
                if (e->name && !keep->name) { keep->name = e->name; e->name = NULL; }
                rf_expr_destroy(pe);
                *pe = keep;
                return RF_OK;
            }
        }
        return RF_OK;
    }
    if (!all_lit || !e->resolved) return RF_OK;
    rf_value v;
    if (rf__expr_eval_const(e, &v)) { rf__err_clear(); return RF_OK; }   /* e.g. a bad cast: leave it for run time */
    rf_expr *lit = rf__expr_lit(&v);
    rf_value_fini(&v);
    if (!lit) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    lit->type = e->type;
    lit->lit.type = e->type;
    lit->name = e->name;
    e->name = NULL;
    rf_expr_destroy(pe);
    *pe = lit;
    return RF_OK;
}
