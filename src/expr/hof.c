/*
 * hof.c — higher-order functions: transform, filter, exists, forall, aggregate, zip_with,
 * map_filter, transform_keys, transform_values, with lambdas (x -> ..., (acc, x) -> ...).
 *
 * A lambda's body is an ordinary expression over an extended input: the operator's columns, then
 * one column per parameter. Analysis resolves it against that schema (a parameter hides an input
 * column of its name; parameters get attrs RF_LAMBDA_ATTR(k), which no plan uses); binding puts the
 * parameters after the input's columns. Evaluation builds one batch per lambda call with a row per
 * array element: the input columns the body reads, gathered by the element's row, and the
 * parameters (the elements themselves, their positions, ...), and evaluates the body over it once,
 * vectorized. aggregate() folds element by element: step j evaluates the merge over the rows that
 * have a j-th element.
 */
#include <stdlib.h>
#include <strings.h>
#include "expr/expr.h"
#include "expr/func_more.h"

#define NOMEM() rf__err_set(RF_ERR_NOMEM, "out of memory")

static const char *fname(const rf_expr *e) { return rf__func_name(e->op); }

/* in plus the parameters of lam (names, types given); an input column named like a parameter is
 * hidden. The fields are borrowed (only f is owned). */
static int extend(const rf_schema *in, rf_expr *lam, const rf_type *types, rf_schema *out)
{
    int np = lam->n_arg - 1, n = in ? in->n : 0;
    out->n = n + np;
    out->f = rf_calloc((size_t)(out->n ? out->n : 1), sizeof *out->f);
    if (!out->f) return NOMEM();
    for (int i = 0; i < n; i++) {
        out->f[i] = in->f[i];
        for (int j = 0; j < np; j++)
            if (out->f[i].name && !strcasecmp(out->f[i].name, lam->arg[1 + j]->name)) out->f[i].name = "\001hidden";
    }
    for (int j = 0; j < np; j++) {
        rf_expr *p = lam->arg[1 + j];
        p->attr = RF_LAMBDA_ATTR(n + j);
        p->index = n + j;
        p->type = types ? types[j] : p->type;
        p->nullable = true;
        p->resolved = true;
        out->f[n + j] = (rf_field){ .name = p->name, .type = p->type, .nullable = true, .id = p->attr };
    }
    return RF_OK;
}

static int resolve_lambda(const rf_expr *e, rf_expr *lam, const rf_schema *in, int np, const rf_type *types)
{
    if (lam->kind != RF_E_LAMBDA) return rf__err_set(RF_ERR_ANALYSIS, "%s() needs a lambda function (x -> ...) here", fname(e));
    if (lam->n_arg - 1 != np && !(np == 2 && lam->n_arg - 1 == 1 && (e->op == RF_F_TRANSFORM || e->op == RF_F_FILTER)))
        return rf__err_set(RF_ERR_ANALYSIS, "the lambda of %s() takes %d parameter%s, not %d", fname(e), np, np == 1 ? "" : "s", lam->n_arg - 1);
    rf_schema ext = { 0 };
    int rc = extend(in, lam, types, &ext);
    if (!rc) rc = rf__expr_resolve(lam->arg[0], &ext, false);
    rf_free(ext.f);
    if (!rc) {
        lam->type = lam->arg[0]->type;
        lam->resolved = true;
    }
    return rc;
}

/* Binding: the input's columns, then the parameters under the attrs analysis gave them (the input
 * may have fewer columns by now: pruning), so the body's references still find them. */
int rf__lambda_bind(rf_expr *lam, const rf_schema *in)
{
    int np = lam->n_arg - 1, n = in ? in->n : 0, rc;
    rf_schema ext = { .n = n + np, .f = rf_calloc((size_t)(n + np ? n + np : 1), sizeof(rf_field)) };
    if (!ext.f) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n; i++) ext.f[i] = in->f[i];
    for (int j = 0; j < np; j++) {
        rf_expr *p = lam->arg[1 + j];
        p->index = n + j;
        ext.f[n + j] = (rf_field){ .name = p->name, .type = p->type, .nullable = true, .id = p->attr };
    }
    rc = rf__expr_bind(lam->arg[0], &ext);
    rf_free(ext.f);
    return rc;
}

static int cast_body(rf_expr *lam, rf_type t)
{
    lam->arg[0] = rf__expr_cast_to(lam->arg[0], t);
    if (!lam->arg[0]) return NOMEM();
    lam->type = t;
    return RF_OK;
}

int rf__hof_resolve(rf_expr *e, const rf_schema *in, bool allow_agg)
{
    int rc = RF_OK, last = e->n_arg - 1;
    static const struct { int op, min, max; } ar[] = {
        { RF_F_TRANSFORM, 2, 2 }, { RF_F_FILTER, 2, 2 }, { RF_F_EXISTS, 2, 2 }, { RF_F_FORALL, 2, 2 }, { RF_F_AGGREGATE, 3, 4 },
        { RF_F_ZIP_WITH, 3, 3 }, { RF_F_MAP_FILTER, 2, 2 }, { RF_F_TRANSFORM_KEYS, 2, 2 }, { RF_F_TRANSFORM_VALUES, 2, 2 },
    };
    for (size_t k = 0; k < sizeof ar / sizeof ar[0]; k++)
        if (ar[k].op == e->op && (e->n_arg < ar[k].min || e->n_arg > ar[k].max))
            return rf__err_set(RF_ERR_ANALYSIS, "%s() takes %d%s arguments, not %d", fname(e), ar[k].min, ar[k].max > ar[k].min ? " or 4" : "", e->n_arg);
    /* the arguments that are not lambdas first */
    for (int i = 0; i <= last; i++) {
        if (e->arg[i]->kind == RF_E_LAMBDA) continue;
        if ((rc = rf__expr_resolve(e->arg[i], in, allow_agg))) return rc;
    }
    rf_type a = e->arg[0]->type;
    if (a == RF_TYPE_NULL) {
        e->arg[0] = rf__expr_cast_to(e->arg[0], RF_TYPE_ARRAY);
        if (!e->arg[0]) return NOMEM();
        a = RF_TYPE_ARRAY;
    }
    bool on_map = e->op == RF_F_MAP_FILTER || e->op == RF_F_TRANSFORM_KEYS || e->op == RF_F_TRANSFORM_VALUES;
    if (on_map ? rf_type_base(a) != RF_TYPE_MAP : rf_type_base(a) != RF_TYPE_ARRAY)
        return rf__err_set(RF_ERR_ANALYSIS, "%s() needs %s, not %s", fname(e), on_map ? "a map" : "an array", rf_type_name(a));
    rf_type el = rf_type_elem(a), ty[2];
    switch (e->op) {
    case RF_F_TRANSFORM: case RF_F_FILTER: case RF_F_EXISTS: case RF_F_FORALL: {
        ty[0] = el;
        ty[1] = RF_TYPE_INT32;
        int np = e->op == RF_F_TRANSFORM || e->op == RF_F_FILTER ? 2 : 1;
        if ((rc = resolve_lambda(e, e->arg[1], in, np, ty))) return rc;
        rf_type b = e->arg[1]->type;
        if (e->op == RF_F_TRANSFORM) {
            e->type = rf_type_array(b == RF_TYPE_NULL ? RF_TYPE_STRING : b);
            if (b == RF_TYPE_NULL && (rc = cast_body(e->arg[1], RF_TYPE_STRING))) return rc;
        } else {
            if (b == RF_TYPE_NULL && (rc = cast_body(e->arg[1], RF_TYPE_BOOL))) return rc;
            if (e->arg[1]->type != RF_TYPE_BOOL) return rf__err_set(RF_ERR_ANALYSIS, "the lambda of %s() must return a boolean, not %s", fname(e), rf_type_name(b));
            e->type = e->op == RF_F_FILTER ? a : RF_TYPE_BOOL;
        }
        break;
    }
    case RF_F_AGGREGATE: {
        rf_type z = e->arg[1]->type == RF_TYPE_NULL ? RF_TYPE_STRING : e->arg[1]->type;
        if (e->arg[1]->kind == RF_E_LAMBDA) return rf__err_set(RF_ERR_ANALYSIS, "aggregate(): the second argument is the start value, not a lambda");
        if (!(e->arg[1] = rf__expr_cast_to(e->arg[1], z))) return NOMEM();
        ty[0] = z;
        ty[1] = el;
        if ((rc = resolve_lambda(e, e->arg[2], in, 2, ty))) return rc;
        if (e->arg[2]->type != z) {
            rf_type w;
            if (rf__type_common(z, e->arg[2]->type, &w) || w != z)
                return rf__err_set(RF_ERR_ANALYSIS, "aggregate(): the merge lambda returns %s, but the start value is %s (cast the start value)",
                                   rf_type_name(e->arg[2]->type), rf_type_name(z));
            if ((rc = cast_body(e->arg[2], z))) return rc;
        }
        e->type = z;
        if (e->n_arg == 4) {
            if ((rc = resolve_lambda(e, e->arg[3], in, 1, ty))) return rc;
            e->type = e->arg[3]->type == RF_TYPE_NULL ? RF_TYPE_STRING : e->arg[3]->type;
            if ((rc = cast_body(e->arg[3], e->type))) return rc;
        }
        break;
    }
    case RF_F_ZIP_WITH: {
        rf_type b = e->arg[1]->type;
        if (rf_type_base(b) != RF_TYPE_ARRAY) return rf__err_set(RF_ERR_ANALYSIS, "zip_with() needs two arrays, not %s", rf_type_name(b));
        ty[0] = el;
        ty[1] = rf_type_elem(b);
        if ((rc = resolve_lambda(e, e->arg[2], in, 2, ty))) return rc;
        rf_type r = e->arg[2]->type == RF_TYPE_NULL ? RF_TYPE_STRING : e->arg[2]->type;
        if ((rc = cast_body(e->arg[2], r))) return rc;
        e->type = rf_type_array(r);
        break;
    }
    default: {   /* map_filter, transform_keys, transform_values */
        ty[0] = rf_type_map_key(a);
        ty[1] = rf_type_map_value(a);
        if ((rc = resolve_lambda(e, e->arg[1], in, 2, ty))) return rc;
        rf_type b = e->arg[1]->type;
        if (e->op == RF_F_MAP_FILTER) {
            if (b == RF_TYPE_NULL && (rc = cast_body(e->arg[1], RF_TYPE_BOOL))) return rc;
            if (e->arg[1]->type != RF_TYPE_BOOL) return rf__err_set(RF_ERR_ANALYSIS, "the lambda of map_filter() must return a boolean, not %s", rf_type_name(b));
            e->type = a;
        } else {
            if (b == RF_TYPE_NULL) { b = RF_TYPE_STRING; if ((rc = cast_body(e->arg[1], b))) return rc; }
            if (e->op == RF_F_TRANSFORM_KEYS && rf_type_base(b) == RF_TYPE_MAP) return rf__err_set(RF_ERR_ANALYSIS, "transform_keys(): keys cannot be maps");
            e->type = e->op == RF_F_TRANSFORM_KEYS ? rf_type_map(b, ty[1]) : rf_type_map(ty[0], b);
        }
        break;
    }
    }
    if (e->type == RF_TYPE_NULL) return rf__err_slot()->code ? rf__err_slot()->code : NOMEM();
    e->nullable = true;
    e->resolved = true;
    return RF_OK;
}

/* ---------------------------------------------------------------- evaluation */
/* Marks the input columns (index < n) that body reads. */
static void used_cols(const rf_expr *e, int n, bool *used)
{
    if (e->kind == RF_E_COL) { if (e->index >= 0 && e->index < n) used[e->index] = true; return; }
    for (int i = 0; i < e->n_arg; i++) used_cols(e->arg[i], n, used);
}

/* Evaluates lambda lam over m element rows: row k belongs to input row parent[k] of b; params are
 * the parameter columns (m rows each). *out has m physical rows. */
static int call(const rf_expr *lam, const rf_batch *b, const int64_t *parent, int64_t m, rf_column **params, rf_column **out)
{
    int nb = b ? b->ncols : 0, np = lam->n_arg - 1, rc;
    rf_batch *eb = NULL;
    bool *used = rf_calloc((size_t)nb + 1, sizeof *used);
    *out = NULL;
    if (!used) return NOMEM();
    used_cols(lam->arg[0], nb, used);
    RF_TRY(rf_batch_create(nb + np, m, &eb));
    for (int c = 0; c < nb; c++) if (used[c]) RF_TRY(rf_column_gather(b->cols[c], parent, 0, m, &eb->cols[c]));
    for (int j = 0; j < np; j++) eb->cols[nb + j] = rf_column_retain(params[j]);
    rf_column *r = NULL;
    RF_TRY(rf__expr_eval(lam->arg[0], eb, &r));
    rc = rf_column_expand(r, m, out);
    rf_column_release(&r);
done:
    rf_batch_destroy(&eb);
    rf_free(used);
    return rc;
}

/* The row of each element of array / map column x (n rows), and the positions within their rows. */
static int parents(const rf_column *x, int64_t n, int64_t **parent, rf_column **pos)
{
    int64_t m = x->child->len;
    const int64_t *o = x->data;
    *parent = rf_malloc((size_t)(m ? m : 1) * sizeof **parent);
    if (!*parent) return NOMEM();
    int rc = pos ? rf_column_create(RF_TYPE_INT32, m, pos) : RF_OK;
    for (int64_t i = 0; i < n && !rc; i++)
        for (int64_t k = o[i]; k < o[i + 1] && !rc; k++) {
            (*parent)[k] = i;
            if (pos) rc = rf_column_append_i64(*pos, k - o[i]);
        }
    return rc;
}

/* A new array / map column like x (offsets, validity) whose elements are el (consumed). */
static int rewrap(const rf_column *x, int64_t n, rf_type t, rf_column *el, rf_column **out)
{
    rf_column *r = NULL;
    int rc = rf_column_create(t, n, &r);
    if (!rc) rc = rf_column_reserve(r, n, 0);
    if (rc) { rf_column_release(&el); return rc; }
    rf_column_release(&r->child);
    r->child = el;
    memcpy(r->data, x->data, (size_t)(n + 1) * 8);
    r->len = n;
    for (int64_t i = 0; i < n; i++) if (!rf_column_valid(x, i)) rf_column_set_null(r, i);
    *out = r;
    return RF_OK;
}

/* Elements of x kept where keep[k] is true (a valid TRUE), as a column of type t. */
static int keep_where(const rf_column *x, int64_t n, rf_type t, const rf_column *keep, rf_column **out)
{
    rf_column *r = NULL;
    const int64_t *o = x->data;
    int rc = rf_column_create(t, n, &r);
    for (int64_t i = 0; i < n && !rc; i++) {
        if (!rf_column_valid(x, i)) { rc = rf_column_append_null(r); continue; }
        for (int64_t k = o[i]; k < o[i + 1] && !rc; k++)
            if (rf_column_valid(keep, k) && rf_col_bool(keep, k)) rc = rf_column_append_from(r->child, x->child, k);
        if (!rc) rc = rf_column_end_list(r);
    }
    if (rc) rf_column_release(&r);
    *out = r;
    return rc;
}

static int aggregate(const rf_expr *e, const rf_batch *b, const rf_column *x, int64_t n, rf_column **out)
{
    /* Step j folds the j-th elements of the rows that have one (the active rows, a shrinking set):
     * acc holds their accumulators in the order of rows[]; a row whose array ends drops its final
     * value into done (position done_at[row]), so the work is the elements plus the rows. */
    rf_column *z = NULL, *acc = NULL, *done = NULL, *xs = NULL, *res = NULL, *keep = NULL, *fin = NULL;
    int64_t *rows = NULL, *els = NULL, *done_at = NULL, *sel = NULL, m = 0;
    const int64_t *o = x->data;
    int rc = rf__expr_eval(e->arg[1], b, &z);
    if (rc) return rc;
    rows = rf_malloc((size_t)(n ? n : 1) * sizeof *rows);
    els = rf_malloc((size_t)(n ? n : 1) * sizeof *els);
    sel = rf_malloc((size_t)(n ? n : 1) * sizeof *sel);
    done_at = rf_malloc((size_t)(n ? n : 1) * sizeof *done_at);
    RF_CHECK(rows && els && sel && done_at, RF_ERR_NOMEM, "out of memory");
    for (int64_t i = 0; i < n; i++) { rows[m++] = i; done_at[i] = -1; }
    RF_TRY(rf_column_gather(z, rows, 0, m, &acc));   /* the start value of every row */
    RF_TRY(rf_column_create(acc->type, n, &done));
    for (int64_t j = 0; m > 0; j++) {
        int64_t k = 0, a = 0;
        for (int64_t q = 0; q < m; q++) {   /* rows without a j-th element are done */
            int64_t i = rows[q];
            if (rf_column_valid(x, i) && o[i + 1] - o[i] > j) { sel[k] = q; rows[k] = i; els[k++] = o[i] + j; }
            else { done_at[i] = done->len; RF_TRY(rf_column_append_from(done, acc, q)); a++; }
        }
        (void)a;
        if (!k) break;
        RF_TRY(rf_column_gather(acc, sel, 0, k, &keep));
        RF_TRY(rf_column_gather(x->child, els, 0, k, &xs));
        rf_column *params[2] = { keep, xs };
        RF_TRY(call(e->arg[2], b, rows, k, params, &res));
        rf_column_release(&acc);
        acc = res;
        res = NULL;
        rf_column_release(&keep);
        rf_column_release(&xs);
        m = k;
    }
    for (int64_t i = 0; i < n; i++) rows[i] = done_at[i];
    RF_TRY(rf_column_gather(done, rows, 0, n, &fin));   /* back in row order */
    if (e->n_arg == 4) {   /* finish(acc) over every row */
        for (int64_t i = 0; i < n; i++) rows[i] = i;
        rf_column *params[1] = { fin };
        RF_TRY(call(e->arg[3], b, rows, n, params, &res));
        rf_column_release(&fin);
        fin = res;
        res = NULL;
    }
    RF_TRY(rf_column_create(e->type, n, out));   /* NULL where the array is */
    for (int64_t i = 0; i < n && !rc; i++)
        rc = rf_column_valid(x, i) ? rf_column_append_from(*out, fin, i) : rf_column_append_null(*out);
done:
    rf_column_release(&z);
    rf_column_release(&acc);
    rf_column_release(&done);
    rf_column_release(&xs);
    rf_column_release(&res);
    rf_column_release(&keep);
    rf_column_release(&fin);
    rf_free(rows);
    rf_free(els);
    rf_free(sel);
    rf_free(done_at);
    if (rc) rf_column_release(out);
    return rc;
}

static int zip_with(const rf_expr *e, const rf_batch *b, const rf_column *x, const rf_column *y, int64_t n, rf_column **out)
{
    rf_column *xs = NULL, *ys = NULL, *res = NULL, *r = NULL;
    int64_t *parent = NULL, m = 0, cap = 0;
    const int64_t *ox = x->data, *oy = y->data;
    int rc = rf_column_create(x->child->type, 16, &xs);
    if (!rc) rc = rf_column_create(y->child->type, 16, &ys);
    if (!rc) rc = rf_column_create(e->type, n, &r);
    if (rc) goto done;
    for (int64_t i = 0; i < n && !rc; i++) {
        if (!rf_column_valid(x, i) || !rf_column_valid(y, i)) { rc = rf_column_append_null(r); continue; }
        int64_t lx = ox[i + 1] - ox[i], ly = oy[i + 1] - oy[i], len = lx > ly ? lx : ly;
        RF_TRY(rf__grow((void **)&parent, &cap, m + len + 1, sizeof *parent));
        for (int64_t q = 0; q < len && !rc; q++) {
            parent[m++] = i;
            rc = q < lx ? rf_column_append_from(xs, x->child, ox[i] + q) : rf_column_append_null(xs);
            if (!rc) rc = q < ly ? rf_column_append_from(ys, y->child, oy[i] + q) : rf_column_append_null(ys);
        }
        if (!rc) { RF_TRY(rf_column_reserve(r, 1, 0)); ((int64_t *)r->data)[r->len + 1] = m; r->len++; }
    }
    if (rc) goto done;
    rf_column *params[2] = { xs, ys };
    RF_TRY(call(e->arg[2], b, parent, m, params, &res));
    rf_column_release(&r->child);
    r->child = res;
    res = NULL;
done:
    rf_column_release(&xs);
    rf_column_release(&ys);
    rf_column_release(&res);
    rf_free(parent);
    if (rc) rf_column_release(&r);
    *out = r;
    return rc;
}

/* transform_keys / transform_values: the map's entries with one side replaced by side (consumed). */
static int map_with(const rf_expr *e, const rf_column *x, int64_t n, rf_column *side, rf_column **out)
{
    bool keys = e->op == RF_F_TRANSFORM_KEYS;
    rf_type et = rf_type_map_entry(e->type);
    rf_column *en = NULL;
    int64_t m = x->child->len;
    int rc = rf_column_create(et, m, &en);
    if (!rc) rc = rf_column_reserve(en, m, 0);
    if (rc) { rf_column_release(&side); return rc; }
    rf_column_release(&en->kids[0]);
    rf_column_release(&en->kids[1]);
    en->kids[keys ? 0 : 1] = side;
    en->kids[keys ? 1 : 0] = rf_column_retain(x->child->kids[keys ? 1 : 0]);
    memset(en->data, 1, (size_t)m);
    en->len = m;
    if (keys) {   /* no NULL keys, no duplicates within a map */
        const int64_t *o = x->data;
        for (int64_t k = 0; k < m && !rc; k++)
            if (!rf_column_valid(side, k)) rc = rf__err_set(RF_ERR_INVALID, "transform_keys(): a map key cannot be NULL");
        for (int64_t i = 0; i < n && !rc; i++)
            for (int64_t p = o[i]; p < o[i + 1] && !rc; p++)
                for (int64_t q = o[i]; q < p && !rc; q++)
                    if (rf_column_eq(side, p, side, q)) rc = rf__err_set(RF_ERR_INVALID, "transform_keys(): duplicate map key");
    }
    if (rc) { rf_column_release(&en); return rc; }
    return rewrap(x, n, e->type, en, out);
}

int rf__hof_eval(const rf_expr *e, const rf_batch *b, rf_column **out)
{
    int64_t n = b ? b->nrows : 1, *parent = NULL;
    rf_column *x0 = NULL, *x = NULL, *y = NULL, *pos = NULL, *res = NULL;
    int rc = rf__stack_check("a lambda function");
    *out = NULL;
    if (rc) return rc;
    RF_TRY(rf__expr_eval(e->arg[0], b, &x0));
    {   /* physical rows whose elements are exactly the child's (elements are indexed by row) */
        const int64_t *o = x0->is_const ? NULL : x0->data;
        if (o && o[0] == 0 && o[n] == x0->child->len) x = rf_column_retain(x0);
        else RF_TRY(rf_column_gather(x0, NULL, 0, n, &x));
    }
    if (e->op == RF_F_AGGREGATE) { rc = aggregate(e, b, x, n, out); goto done; }
    if (e->op == RF_F_ZIP_WITH) {
        rf_column *y0 = NULL;
        RF_TRY(rf__expr_eval(e->arg[1], b, &y0));
        rc = rf_column_gather(y0, NULL, 0, n, &y);
        rf_column_release(&y0);
        if (!rc) rc = zip_with(e, b, x, y, n, out);
        goto done;
    }
    const rf_expr *lam = e->arg[1];
    bool on_map = e->op == RF_F_MAP_FILTER || e->op == RF_F_TRANSFORM_KEYS || e->op == RF_F_TRANSFORM_VALUES;
    RF_TRY(parents(x, n, &parent, lam->n_arg > 2 && !on_map ? &pos : NULL));
    rf_column *params[2];
    if (on_map) { params[0] = x->child->kids[0]; params[1] = x->child->kids[1]; }
    else { params[0] = x->child; params[1] = pos; }
    RF_TRY(call(lam, b, parent, x->child->len, params, &res));
    switch (e->op) {
    case RF_F_TRANSFORM: rc = rewrap(x, n, e->type, res, out); res = NULL; break;
    case RF_F_FILTER: case RF_F_MAP_FILTER: rc = keep_where(x, n, e->type, res, out); break;
    case RF_F_TRANSFORM_KEYS: case RF_F_TRANSFORM_VALUES: rc = map_with(e, x, n, res, out); res = NULL; break;
    default: {   /* exists: any true (else NULL if any NULL); forall: all true (else false if any false, else NULL) */
        const int64_t *o = x->data;
        RF_TRY(rf_column_create(RF_TYPE_BOOL, n, out));
        for (int64_t i = 0; i < n && !rc; i++) {
            if (!rf_column_valid(x, i)) { rc = rf_column_append_null(*out); continue; }
            bool any_t = false, any_f = false, any_n = false;
            for (int64_t k = o[i]; k < o[i + 1]; k++) {
                if (!rf_column_valid(res, k)) any_n = true;
                else if (rf_col_bool(res, k)) any_t = true;
                else any_f = true;
            }
            if (e->op == RF_F_EXISTS) rc = any_t ? rf_column_append_i64(*out, 1) : any_n ? rf_column_append_null(*out) : rf_column_append_i64(*out, 0);
            else rc = any_f ? rf_column_append_i64(*out, 0) : any_n ? rf_column_append_null(*out) : rf_column_append_i64(*out, 1);
        }
        break;
    }
    }
done:
    rf_column_release(&x0);
    rf_column_release(&x);
    rf_column_release(&y);
    rf_column_release(&pos);
    rf_column_release(&res);
    rf_free(parent);
    if (rc) rf_column_release(out);
    return rc;
}
