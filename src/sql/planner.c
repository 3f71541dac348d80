/*
 * planner.c — turns parsed queries into DataFrames by calling the DataFrame API, so SQL and the
 * C API produce the same logical plans. Handles scoping (views, CTEs, table aliases), '*'
 * expansion, GROUP BY by name, position or expression, aggregates anywhere in SELECT / HAVING /
 * ORDER BY, ORDER BY over select aliases or input columns (set operations: planner_setop.c).
 */

#include <stdlib.h>
#include <strings.h>
#include "sql/planner_int.h"
#include "runtime/runtime.h"


rf_expr *rf__sqlp_copy(const rf_expr *e)
{
    rf_expr *o = NULL;
    if (e) rf__expr_copy(e, &o);
    return o;
}

/* Error helper: sets the message at a source position and returns NULL. */
rf_df *rf__sqlp_err_at(int line, int col, int code, const char *fmt, const char *a, const char *b)
{
    rf__err_set(code, fmt, a, b);
    rf__err_at(line, col);
    return NULL;
}

rf_df *rf__sqlp_df_error(rf_df *d)
{
    if (!d) { rf__err_set(RF_ERR_NOMEM, "out of memory"); return NULL; }
    if (rf_df_status(d)) {
        const rf_error *e = rf__err_slot();
        int line = e->line, col = e->col;
        if (strcmp(e->msg, rf_df_error(d)) != 0) { rf__err_set(rf_df_status(d), "%s", rf_df_error(d)); rf__err_at(line, col); }
        return NULL;
    }
    return d;
}


rf_df *rf__sql_lookup(rf_sqlctx *c, const char *name)
{
    for (int i = c->n_ctes - 1; i >= 0; i--) if (!strcasecmp(c->ctes[i].name, name)) return c->ctes[i].df;
    for (int i = 0; i < c->n_views; i++) if (!strcasecmp(c->views[i].name, name)) return c->views[i].df;
    return NULL;
}


/* The common type of a VALUES column: NULL gives way, numbers widen, dates meet timestamps, anything
 * else mixed is a string (Spark's inline tables widen the same way). */
bool rf__sqlp_hint_is(const q_hint *h, const char *a, const char *b, const char *cc)
{
    return !strcasecmp(h->name, a) || (b && !strcasecmp(h->name, b)) || (cc && !strcasecmp(h->name, cc));
}

/* Result hints of a block: COALESCE(n), REPARTITION(n), REPARTITION(n, cols), REPARTITION(cols)
 * (Spark ignores hints it does not know, and so does riffle). */
static rf_df *result_hints(rf_df *d, const q_select *q)
{
    for (int i = 0; i < q->n_hints && d; i++) {
        const q_hint *h = &q->hints[i];
        if (rf__sqlp_hint_is(h, "COALESCE", NULL, NULL) && h->num > 0) d = rf__sqlp_df_error(rf_df_coalesce(d, (int)(h->num > INT32_MAX ? INT32_MAX : h->num)));
        else if (rf__sqlp_hint_is(h, "REPARTITION", NULL, NULL) && h->n_ids) {
            rf_expr **k = rf_calloc((size_t)h->n_ids, sizeof *k);
            if (!k) { rf__err_set(RF_ERR_NOMEM, "out of memory"); return NULL; }
            for (int j = 0; j < h->n_ids; j++) k[j] = rf_col(h->ids[j]);
            rf_df *r = rf_df_repartition_by(d, h->num > 0 ? (int)(h->num > INT32_MAX ? INT32_MAX : h->num) : 0, h->n_ids, k);
            rf_free(k);
            if (rf_df_status(r)) { rf__err_at(h->line, h->col); }
            d = rf__sqlp_df_error(r);
        } else if (rf__sqlp_hint_is(h, "REPARTITION", NULL, NULL) && h->num > 0) d = rf__sqlp_df_error(rf_df_repartition(d, (int)(h->num > INT32_MAX ? INT32_MAX : h->num)));
    }
    return d;
}


/* ---------------------------------------------------------------- aggregation rewrite */
typedef struct {
    rf_expr **aggs;  int n_aggs;    /* distinct aggregate calls, named _a<i> */
    rf_expr **keys;  int n_keys;    /* grouping expressions */
    char    **knames;               /* their output names */
    bool      expanded;             /* GROUPING SETS: keys are _gk<i> of the expanded input, unqualified */
} aggctx;

static int collect_aggs(aggctx *a, const rf_expr *e)
{
    if (!e) return RF_OK;
    if (e->kind == RF_E_AGG) {
        for (int i = 0; i < a->n_aggs; i++) if (rf__expr_equal(a->aggs[i], e)) return RF_OK;
        rf_expr **v = rf_realloc(a->aggs, (size_t)(a->n_aggs + 1) * sizeof *v);
        if (!v) return rf__err_set(RF_ERR_NOMEM, "out of memory");
        a->aggs = v;
        a->aggs[a->n_aggs++] = rf__sqlp_copy(e);
        return RF_OK;
    }
    for (int i = 0; i < e->n_arg; i++) { int rc = collect_aggs(a, e->arg[i]); if (rc) return rc; }
    return RF_OK;
}

/* An uncorrelated scalar subquery's value (subquery.c joins it to every row, table __svN) outside an
 * aggregate becomes max(value): the same in every group, so any row's is it. */
static int wrap_scalar_values(rf_expr **pe)
{
    rf_expr *e = *pe;
    if (!e || e->kind == RF_E_AGG || e->kind == RF_E_SUBQUERY) return RF_OK;
    if (e->kind == RF_E_COL && e->qual && !strncmp(e->qual, "__sv", 4)) {
        char *name = e->name && strcmp(e->name, "value") ? rf_strdup(e->name) : NULL;
        rf_expr *m = rf_max(e);
        if (!m) { *pe = NULL; rf_free(name); return rf__err_set(RF_ERR_NOMEM, "out of memory"); }
        if (name) { m = rf_as(m, name); rf_free(name); }
        *pe = m;
        return m ? RF_OK : rf__err_set(RF_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < e->n_arg; i++) { int rc = wrap_scalar_values(&e->arg[i]); if (rc) return rc; }
    return RF_OK;
}

static bool same_unaliased(const rf_expr *a, const rf_expr *b)
{
    return rf__expr_equal_loose(a, b);
}

/* Replaces aggregate calls and grouping expressions in *pe with references to the aggregation's
 * output; reports a column that is neither grouped nor aggregated. */
static int rewrite(aggctx *a, rf_expr **pe)
{
    rf_expr *e = *pe;
    if (!e || (e->kind == RF_E_COL && e->attr == RF_LAMBDA_VAR)) return RF_OK;   /* a lambda's parameter */
    char name[32];
    const char *to = NULL, *qual = NULL;
    if (e->kind == RF_E_AGG) {
        for (int i = 0; i < a->n_aggs && !to; i++) if (rf__expr_equal(a->aggs[i], e)) { snprintf(name, sizeof name, "_a%d", i); to = name; }
    } else if (e->kind != RF_E_LIT) {
        for (int i = 0; i < a->n_keys && !to; i++)
            if (same_unaliased(a->keys[i], e)) {
                to = a->knames[i];
                if (a->keys[i]->kind == RF_E_COL && !a->expanded) qual = a->keys[i]->qual;   /* a.s and b.s: both keys are named s */
            }
    }
    if (to) {
        rf_expr *r = rf_col(to);
        if (!r) return rf__err_set(RF_ERR_NOMEM, "out of memory");
        r->line = e->line;
        r->col = e->col;
        rf_free(r->qual);
        r->qual = qual ? rf_strdup(qual) : NULL;
        if (e->name && e->kind != RF_E_COL) { r = rf_as(r, e->name); }
        else if (a->expanded && e->kind == RF_E_COL && strcmp(to, e->name)) r = rf_as(r, e->name);   /* a key keeps its name */
        rf_expr_destroy(pe);
        *pe = r;
        return RF_OK;
    }
    if (e->kind == RF_E_COL && e->qual && e->attr < 0) {   /* s.f with s a grouped struct column: the key's field */
        for (int i = 0; i < a->n_keys; i++) {
            const rf_expr *k = a->keys[i];
            /* window.start with GROUP BY window(ts, ...): the window key's field, as Spark names that key */
            bool win = k->kind == RF_E_FUNC && k->op == RF_F_TIME_WINDOW && !strcasecmp(e->qual, "window");
            if (!win && (k->kind != RF_E_COL || !k->name || strcasecmp(k->name, e->qual))) continue;
            rf_expr *key = rf_col(win ? a->knames[i] : e->qual), *arr[2];
            if (!key) return rf__err_set(RF_ERR_NOMEM, "out of memory");
            int rc = win ? RF_OK : rewrite(a, &key);
            arr[0] = key;
            arr[1] = rf_lit_str(e->name);
            rf_expr *f = rc ? NULL : rf__expr_new(RF_E_FUNC, 2, arr);
            if (rc) { rf_expr_destroy(&key); return rc; }
            if (!f) return rf__err_set(RF_ERR_NOMEM, "out of memory");
            f->op = RF_F_GET_FIELD;
            f->line = e->line;
            f->col = e->col;
            rf_expr_destroy(pe);
            *pe = f;
            return RF_OK;
        }
    }
    if (e->kind == RF_E_COL) {
        rf__err_set(RF_ERR_ANALYSIS, "column '%s' must appear in GROUP BY or inside an aggregate function", e->name);
        rf__err_at(e->line, e->col);
        return RF_ERR_ANALYSIS;
    }
    for (int i = 0; i < e->n_arg; i++) { int rc = rewrite(a, &e->arg[i]); if (rc) return rc; }
    return RF_OK;
}

/* As rewrite(), but a column that is neither grouped nor aggregated is left as it is: in ORDER BY
 * it may name a select alias. */
static int rewrite_soft(aggctx *a, rf_expr **pe)
{
    rf_expr *e = *pe;
    if (!e) return RF_OK;
    if (e->kind == RF_E_COL) {
        for (int i = 0; i < a->n_keys; i++) if (same_unaliased(a->keys[i], e)) return rewrite(a, pe);
        return RF_OK;
    }
    if (e->kind == RF_E_AGG) return rewrite(a, pe);
    for (int i = 0; i < a->n_keys; i++) if (e->kind != RF_E_LIT && same_unaliased(a->keys[i], e)) return rewrite(a, pe);
    for (int i = 0; i < e->n_arg; i++) { int rc = rewrite_soft(a, &e->arg[i]); if (rc) return rc; }
    return RF_OK;
}

bool rf__sqlp_has_agg(const rf_expr *e) { return e && rf__expr_has_agg(e); }

char *rf__sqlp_display(const rf_expr *e)
{
    rf_buf b = { 0 };
    const rf_expr *x = (e->kind == RF_E_CAST && e->type == RF_TYPE_NULL && e->n_arg == 1) ? e->arg[0] : e;
    rf__expr_display(x, &b);
    char *s = b.data ? rf_strndup((const char *)b.data, b.len) : rf_strdup("col");
    rf_buf_fini(&b);
    return s;
}

/* s.* where s is a struct column (not a table): one field access per field of s, appended to v;
 * how many (0 when s is no struct column). */
static int struct_fields_star(const char *qual, const rf_schema *s, rf_expr **v, int *n, int line, int col)
{
    int at = -1;
    for (int k = 0; k < s->n; k++)
        if (!s->f[k].hidden && s->f[k].name && !strcasecmp(s->f[k].name, qual)) { if (at >= 0) return 0; at = k; }
    if (at < 0 || rf_type_base(s->f[at].type) != RF_TYPE_STRUCT) return 0;
    rf_type t = s->f[at].type;
    int nf = rf_type_nfields(t);
    for (int i = 0; i < nf; i++) {
        rf_expr *a[2] = { rf_col(s->f[at].name), rf_lit_str(rf_type_field_name(t, i)) };
        rf_expr *g = a[0] && a[1] ? rf__expr_new(RF_E_FUNC, 2, a) : NULL;
        if (!g) { rf_expr_destroy(&a[0]); rf_expr_destroy(&a[1]); rf__err_set(RF_ERR_NOMEM, "out of memory"); return -1; }
        g->op = RF_F_GET_FIELD;
        g->line = line;
        g->col = col;
        g->name = rf_strdup(rf_type_field_name(t, i));   /* the column is the field's name, as Spark names it */
        v[(*n)++] = g;
    }
    return nf;
}

/* The most fields any struct column of s has (room for an s.* expansion). */
int rf__sqlp_struct_width(const rf_schema *s)
{
    int w = 0;
    for (int k = 0; k < s->n; k++) if (rf_type_base(s->f[k].type) == RF_TYPE_STRUCT && rf_type_nfields(s->f[k].type) > w) w = rf_type_nfields(s->f[k].type);
    return w;
}

/* struct(*) and struct(t.*) inside an expression: the star becomes the columns it names (each a
 * field under its column's name), as Spark expands it; struct(s.*) of a struct column s, s's fields. */
static int struct_stars(rf_expr **pe, const rf_schema *s)
{
    rf_expr *e = *pe;
    int rc = rf__stack_check("an expression");
    if (rc) return rc;
    for (int i = 0; i < e->n_arg; i++) if ((rc = struct_stars(&e->arg[i], s))) return rc;
    if (e->kind != RF_E_FUNC || e->op != RF_F_STRUCT) return RF_OK;
    bool any = false;
    for (int i = 0; i < e->n_arg; i++) any |= e->arg[i]->kind == RF_E_COL && e->arg[i]->name && !strcmp(e->arg[i]->name, "*");
    if (!any) return RF_OK;
    int room = e->n_arg + 1;
    for (int i = 0; i < e->n_arg; i++) room += s->n;
    for (int k = 0; k < s->n; k++) if (rf_type_base(s->f[k].type) == RF_TYPE_STRUCT) room += rf_type_nfields(s->f[k].type) * e->n_arg;
    rf_expr **v = rf_calloc((size_t)room, sizeof *v);
    int n = 0;
    if (!v) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int i = 0; i < e->n_arg && !rc; i++) {
        rf_expr *a = e->arg[i];
        if (!(a->kind == RF_E_COL && a->name && !strcmp(a->name, "*"))) { v[n++] = a; e->arg[i] = NULL; continue; }
        int found = 0;
        for (int k = 0; k < s->n; k++) {
            const rf_field *f = &s->f[k];
            if (a->qual ? !f->qual || strcasecmp(f->qual, a->qual) : f->hidden) continue;
            rf_expr *c = rf__expr_col_attr(f->id, f->name, f->type, f->nullable, k);
            if (!c) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); break; }
            c->resolved = false;
            c->qual = rf_strdup(f->qual);
            v[n++] = c;
            found++;
        }
        if (!rc && !found && a->qual) {
            int m = struct_fields_star(a->qual, s, v, &n, a->line, a->col);
            if (m < 0) rc = RF_ERR_NOMEM;
            found = m;
        }
        if (!rc && !found) { rc = rf__err_set(RF_ERR_ANALYSIS, "'%s.*': no table or alias '%s' in FROM", a->qual ? a->qual : "", a->qual ? a->qual : ""); rf__err_at(a->line, a->col); }
    }
    rf_expr *r = rc ? NULL : rf__expr_new(RF_E_FUNC, n, v);
    if (!rc && !r) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    if (rc) { for (int i = 0; i < n; i++) rf_expr_destroy(&v[i]); rf_free(v); return rc; }
    rf_free(v);
    r->op = RF_F_STRUCT;
    r->line = e->line;
    r->col = e->col;
    if (e->name) { r->name = e->name; e->name = NULL; }
    rf_expr_destroy(pe);
    *pe = r;
    return RF_OK;
}

/* Expands '*' and 't.*' against df's columns. */
static int expand_items(const q_select *q, rf_df *d, rf_expr ***out, int *n_out)
{
    const rf_plan *p = ((struct rf_df *)d)->plan;
    int n = 0;
    rf_expr **v = rf_calloc((size_t)(q->n_items + p->schema->n * q->n_items + 1), sizeof *v);
    if (!v) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int i = 0; i < q->n_items; i++) {
        const rf_expr *it = q->items[i];
        if (it->kind == RF_E_COL && !strcmp(it->name, "*")) {
            int found = 0;
            for (int k = 0; k < p->schema->n; k++) {
                const rf_field *f = &p->schema->f[k];
                if (it->qual && (!f->qual || strcasecmp(f->qual, it->qual))) continue;
                if (f->hidden && !it->qual) continue;   /* a USING key's other copy: only in t.* */
                rf_expr *c = rf__expr_col_attr(f->id, f->name, f->type, f->nullable, k);
                if (c) { c->resolved = false; c->qual = rf_strdup(f->qual); c->line = it->line; c->col = it->col; }
                v[n++] = c;
                found++;
            }
            if (!found && it->qual) {   /* s.* of a struct column s: its fields */
                rf_expr **nv = rf_realloc(v, (size_t)(n + q->n_items + p->schema->n * q->n_items + 1 + rf__sqlp_struct_width(p->schema)) * sizeof *nv);
                if (nv) v = nv;
                int m = nv ? struct_fields_star(it->qual, p->schema, v, &n, it->line, it->col) : -1;
                if (m > 0) continue;
            }
            if (!found && it->qual) {
                for (int k = 0; k < n; k++) rf_expr_destroy(&v[k]);
                rf_free(v);
                rf__err_set(RF_ERR_ANALYSIS, "'%s.*': no table or alias '%s' in FROM", it->qual, it->qual);
                rf__err_at(it->line, it->col);
                return RF_ERR_ANALYSIS;
            }
        } else {
            v[n++] = rf__sqlp_copy(it);
            if (v[n - 1]) {
                int rc = struct_stars(&v[n - 1], p->schema);
                if (rc) { for (int k = 0; k < n; k++) rf_expr_destroy(&v[k]); rf_free(v); return rc; }
            }
        }
    }
    *out = v;
    *n_out = n;
    return RF_OK;
}

void rf__sqlp_free_v(rf_expr **v, int n)
{
    for (int i = 0; i < n; i++) rf_expr_destroy(&v[i]);
    rf_free(v);
}

/* ORDER BY 2 -> the second output column; ORDER BY alias stays a name. */
static rf_expr **order_list(const q_select *q, rf_df *projected, bool *ok)
{
    rf_expr **o = rf_calloc((size_t)q->n_order + 1, sizeof *o);
    const rf_schema *s = projected ? ((struct rf_df *)projected)->plan->schema : NULL;
    *ok = o != NULL;
    for (int i = 0; o && i < q->n_order; i++) {
        o[i] = rf__sqlp_copy(q->order[i]);
        rf_expr *x = o[i]->arg[0];
        if (s && x->kind == RF_E_LIT && (x->lit.type == RF_TYPE_INT32 || x->lit.type == RF_TYPE_INT64)) {
            int64_t k = x->lit.v.i;
            if (k < 1 || k > s->n) {
                rf__err_set(RF_ERR_ANALYSIS, "ORDER BY position %lld is not in the select list (1 to %d)", (long long)k, s->n);
                rf__err_at(x->line, x->col);
                *ok = false;
                break;
            }
            rf_expr *c = rf__expr_col_attr(s->f[k - 1].id, s->f[k - 1].name, s->f[k - 1].type, true, (int)k - 1);
            if (c) c->resolved = false;
            rf_expr_destroy(&o[i]->arg[0]);
            o[i]->arg[0] = c;
        }
    }
    return o;
}

/* ORDER BY over a select with window functions that names columns the select does not show: the
 * items (consumed, n of them, room for q->n_order more) projected from `pre` with each ORDER BY
 * expression as a hidden column (an ordinal stays a position), sorted, and the hidden columns dropped
 * (the result has `shown`'s columns). */
static rf_df *sort_hidden(const q_select *q, rf_df *pre, rf_expr **items, int n, rf_df *shown)
{
    int h = 0;
    rf_expr **o = rf_calloc((size_t)q->n_order + 1, sizeof *o);
    if (!o) { rf__sqlp_free_v(items, n); rf__err_set(RF_ERR_NOMEM, "out of memory"); return NULL; }
    for (int i = 0; i < q->n_order; i++) {
        o[i] = rf__sqlp_copy(q->order[i]);
        rf_expr *x = o[i] ? o[i]->arg[0] : NULL;
        if (!x || (x->kind == RF_E_LIT && (x->lit.type == RF_TYPE_INT32 || x->lit.type == RF_TYPE_INT64))) continue;
        char nm[32];
        snprintf(nm, sizeof nm, "__order%d", i);
        items[n + h++] = rf_as(x, nm);
        o[i]->arg[0] = rf_col(nm);
    }
    rf_df *r = rf__sqlp_df_error(rf_df_selectv(pre, n + h, items));
    rf_free(items);
    if (r) {
        const rf_schema *ps = r->plan->schema;
        for (int i = 0; i < q->n_order; i++) {   /* ordinals: positions among the shown columns */
            rf_expr *x = o[i] ? o[i]->arg[0] : NULL;
            if (x && x->kind == RF_E_LIT && (x->lit.type == RF_TYPE_INT32 || x->lit.type == RF_TYPE_INT64) && x->lit.v.i >= 1 && x->lit.v.i <= n) {
                const rf_field *f = &ps->f[x->lit.v.i - 1];
                rf_expr *c = rf__expr_col_attr(f->id, f->name, f->type, true, -1);
                if (c) c->resolved = false;
                rf_expr_destroy(&o[i]->arg[0]);
                o[i]->arg[0] = c;
            }
        }
        r = rf__sqlp_df_error(rf_df_order_byv(r, q->n_order, o));
    } else rf__sqlp_free_v(o, q->n_order);
    rf_free(o);
    if (!r) return NULL;
    rf_schema want = { .n = ((struct rf_df *)shown)->plan->schema->n, .f = r->plan->schema->f };
    return rf__sqlp_only_columns_of(r, &want);
}

static rf_df *order_and_limit(const q_select *q, rf_df *d)
{
    if (!d) return NULL;   /* the query failed: keep its error */
    if (q->n_order) {
        bool ok;
        rf_expr **o = order_list(q, d, &ok);
        if (!ok) { if (o) rf__sqlp_free_v(o, q->n_order); return NULL; }
        d = rf__sqlp_df_error(rf_df_order_byv(d, q->n_order, o));
        rf_free(o);
        if (!d) return NULL;
    }
    if (q->limit >= 0 && !q->n_dist && !q->n_sortw) d = rf__sqlp_df_error(rf_df_limit(d, q->limit));   /* else after SORT BY */
    return d;
}


/* Replaces select-alias references in e with the selected expression (item list after any
 * aggregation rewrite), unless the name is also an input column. */
static int subst_alias(rf_expr **pe, rf_expr **items, int n_items, const rf_schema *in)
{
    rf_expr *e = *pe;
    if (e->kind == RF_E_COL && !e->qual) {
        for (int i = 0; i < n_items; i++) {
            const rf_expr *it = items[i];
            if (!it->name || strcasecmp(it->name, e->name) || it->kind == RF_E_COL) continue;
            if (rf__expr_has_window(it)) continue;   /* computed after the sort: handled by sorting the output */
            if (it->kind == RF_E_FUNC && rf__is_generator(it->op)) continue;
            rf_expr *r = rf__sqlp_copy(it);
            if (!r) return rf__err_set(RF_ERR_NOMEM, "out of memory");
            if (r->kind == RF_E_CAST && r->type == RF_TYPE_NULL && r->n_arg == 1) { rf_expr *x = r->arg[0]; r->arg[0] = NULL; rf_expr_destroy(&r); r = x; }
            else RF_FREE(r->name);
            rf_expr_destroy(pe);
            *pe = r;
            return RF_OK;
        }
        return RF_OK;
    }
    for (int i = 0; i < e->n_arg; i++) { int rc = subst_alias(&e->arg[i], items, n_items, in); if (rc) return rc; }
    return RF_OK;
}

/* One ORDER BY key (a SORT node) made to read the pre-projection rows. */
static int order_key(rf_expr *o, rf_expr **items, int n_items, aggctx *a, const rf_schema *in)
{
    rf_expr *x = o->arg[0];
    if (x->kind == RF_E_LIT && (x->lit.type == RF_TYPE_INT32 || x->lit.type == RF_TYPE_INT64)) {
        if (x->lit.v.i < 1 || x->lit.v.i > n_items) {
            rf__err_set(RF_ERR_ANALYSIS, "ORDER BY position %lld is not in the select list (1 to %d)", (long long)x->lit.v.i, n_items);
            rf__err_at(x->line, x->col);
            return RF_ERR_ANALYSIS;
        }
        rf_expr *r = rf__sqlp_copy(items[x->lit.v.i - 1]);
        if (!r) return rf__err_set(RF_ERR_NOMEM, "out of memory");
        if (r->kind == RF_E_CAST && r->type == RF_TYPE_NULL && r->n_arg == 1) { rf_expr *y = r->arg[0]; r->arg[0] = NULL; rf_expr_destroy(&r); r = y; }
        else if (r->kind != RF_E_COL) RF_FREE(r->name);
        rf_expr_destroy(&o->arg[0]);
        o->arg[0] = r;
        return RF_OK;
    }
    if (a) {   /* aggregates and grouping expressions first, then aliases of the (rewritten) items */
        int rc = rewrite_soft(a, &o->arg[0]);
        if (rc) return rc;
    }
    return subst_alias(&o->arg[0], items, n_items, in);
}

/* GROUPING SETS / ROLLUP / CUBE, as Spark's Expand: one copy of each input row per grouping set, with
 * the set's keys (_gk<i>, NULL where the set leaves key i out) and the set's number (_gs); the input's
 * columns stay (aggregates read them), with their table names. Each set's copy reads the input again. */
static rf_df *expand_sets(rf_df *d, const q_select *q)
{
    const rf_schema *s = d->plan->schema;
    int nc = s->n, nk = q->n_group, ns = q->n_gsets;
    rf_df **br = rf_calloc((size_t)ns, sizeof *br);
    rf_expr **it = rf_calloc((size_t)(nc + nk + 1), sizeof *it);
    rf_type *kt = rf_calloc((size_t)(nk ? nk : 1), sizeof *kt);
    rf_df *u = NULL;
    if (!br || !it || !kt) { rf__err_set(RF_ERR_NOMEM, "out of memory"); goto out; }
    for (int k = 0; k < nk; k++) {   /* each key's type, for the NULL that stands for it */
        rf_expr *x = rf__sqlp_copy(q->group[k]);
        int rc = x ? rf__expr_resolve(x, s, false) : rf__err_set(RF_ERR_NOMEM, "out of memory");
        kt[k] = x ? x->type : RF_TYPE_NULL;
        rf_expr_destroy(&x);
        if (rc) goto out;
        if (rf__sqlp_has_agg(q->group[k])) { rf__sqlp_err_at(q->group[k]->line, q->group[k]->col, RF_ERR_ANALYSIS, "aggregate functions are not allowed in GROUP BY%s%s", "", ""); goto out; }
    }
    for (int j = 0; j < ns; j++) {
        int n = 0;
        for (int i = 0; i < nc; i++) {
            rf_expr *x = rf__expr_col_attr(s->f[i].id, s->f[i].name, s->f[i].type, s->f[i].nullable, -1);
            if (x) { x->resolved = false; if (s->f[i].qual) x->qual = rf_strdup(s->f[i].qual); }
            it[n++] = x;
        }
        for (int k = 0; k < nk; k++) {
            char nm[32];
            snprintf(nm, sizeof nm, "_gk%d", k);
            rf_expr *x = (q->gsets[j] >> k & 1) ? rf__sqlp_copy(q->group[k]) : rf_cast(rf_lit_null(), kt[k] == RF_TYPE_NULL ? RF_TYPE_STRING : kt[k]);
            if (x && x->name && x->kind != RF_E_COL) RF_FREE(x->name);
            it[n++] = rf_as(x, nm);
        }
        it[n++] = rf_as(rf_lit_int(j), "_gs");
        if (!(br[j] = rf__sqlp_df_error(rf_df_selectv(d, n, it)))) goto out;
    }
    if (!(u = rf__sqlp_df_error(rf__df_union_all_n(br, ns)))) goto out;
    {   /* the input's columns keep their table names (a union drops them) */
        const rf_schema *us = u->plan->schema;
        int n = 0;
        for (int i = 0; i < us->n; i++) {
            rf_expr *x = rf__expr_col_attr(us->f[i].id, us->f[i].name, us->f[i].type, us->f[i].nullable, -1);
            if (x) { x->resolved = false; if (i < nc && s->f[i].qual) x->qual = rf_strdup(s->f[i].qual); }
            it[n++] = x;
        }
        u = rf__sqlp_df_error(rf_df_selectv(u, n, it));
    }
out:
    rf_free(br);
    rf_free(it);
    rf_free(kt);
    return u;
}

/* grouping(x) and grouping_id() over the expanded input: from the set number _gs. grouping(x) is 1
 * where the row's set leaves x out; grouping_id() has bit (n - 1 - i) set for each key i left out. */
static int grouping_fns(rf_expr **pe, const q_select *q)
{
    rf_expr *e = *pe;
    if (!e) return RF_OK;
    if (e->kind == RF_E_FUNC && e->op < 0 && e->qual && (!strcasecmp(e->qual, "grouping") || !strcasecmp(e->qual, "grouping_id"))) {
        bool gid = !strcasecmp(e->qual, "grouping_id");
        int key = -1;
        if (!q->n_gsets) { rf__sqlp_err_at(e->line, e->col, RF_ERR_ANALYSIS, "%s() needs GROUPING SETS, ROLLUP or CUBE%s", e->qual, ""); return RF_ERR_ANALYSIS; }
        if (!gid) {
            if (e->n_arg != 1) { rf__err_set(RF_ERR_ANALYSIS, "grouping() takes one argument"); rf__err_at(e->line, e->col); return RF_ERR_ANALYSIS; }
            for (int k = 0; k < q->n_group && key < 0; k++) if (rf__expr_equal_loose(q->group[k], e->arg[0])) key = k;
            if (key < 0) { rf__err_set(RF_ERR_ANALYSIS, "grouping(): the argument is not a grouping expression"); rf__err_at(e->line, e->col); return RF_ERR_ANALYSIS; }
        } else if (e->n_arg) { rf__err_set(RF_ERR_ANALYSIS, "grouping_id() with arguments is not supported (it covers every grouping expression)"); rf__err_at(e->line, e->col); return RF_ERR_ANALYSIS; }
        if (q->n_gsets > 4096) return rf__err_set(RF_ERR_LIMIT, "too many grouping sets");
        rf_expr *r = rf_lit_int(0);   /* CASE _gs WHEN j THEN value ... ELSE 0 END */
        rf_expr **args = rf_calloc((size_t)(2 * q->n_gsets + 2), sizeof *args);   /* not on the stack: this function recurses */
        int na = 0;
        if (!args) { rf_expr_destroy(&r); return rf__err_set(RF_ERR_NOMEM, "out of memory"); }
        args[na++] = rf_col("_gs");
        for (int j = 0; j < q->n_gsets; j++) {
            int64_t v = 0;
            if (gid) { for (int k = 0; k < q->n_group; k++) if (!(q->gsets[j] >> k & 1)) v |= (int64_t)1 << (q->n_group - 1 - k); }
            else v = !(q->gsets[j] >> key & 1);
            if (v == 0) continue;
            args[na++] = rf_lit_int(j);
            args[na++] = rf_lit_int(v);
        }
        args[na++] = r;
        rf_expr *cs = rf__expr_new(RF_E_CASE, na, args);
        rf_free(args);
        if (!cs) return rf__err_set(RF_ERR_NOMEM, "out of memory");
        cs->op = 1;   /* simple CASE x WHEN v THEN r */
        cs->line = e->line;
        cs->col = e->col;
        char *nm = e->name ? rf_strdup(e->name) : rf__sqlp_display(e);
        cs->name = nm;
        rf_expr_destroy(pe);
        *pe = cs;
        return RF_OK;
    }
    if (e->kind == RF_E_SUBQUERY) return RF_OK;
    for (int i = 0; i < e->n_arg; i++) { int rc = grouping_fns(&e->arg[i], q); if (rc) return rc; }
    return RF_OK;
}

/* LATERAL VIEW: d's rows joined with their generator's elements (the new columns named by the view,
 * qualified by its table name). */
static rf_df *lateral_view(rf_df *d, const q_lateral *lv)
{
    const rf_schema *s = d->plan->schema;
    int nc = s->n;
    rf_expr *g = rf__sqlp_copy(lv->gen);
    if (!g) { rf__err_set(RF_ERR_NOMEM, "out of memory"); return NULL; }
    bool pos = g->op == RF_F_POSEXPLODE || g->op == RF_F_POSEXPLODE_OUTER, inl = g->op == RF_F_INLINE || g->op == RF_F_INLINE_OUTER;
    if (lv->outer) g->op = inl ? RF_F_INLINE_OUTER : pos ? RF_F_POSEXPLODE_OUTER : RF_F_EXPLODE_OUTER;
    rf_expr **it = rf_calloc((size_t)nc + 260, sizeof *it);
    if (!it) { rf_expr_destroy(&g); rf__err_set(RF_ERR_NOMEM, "out of memory"); return NULL; }
    for (int i = 0; i < nc; i++) {
        rf_expr *x = rf__expr_col_attr(s->f[i].id, s->f[i].name, s->f[i].type, s->f[i].nullable, -1);
        if (x) { x->resolved = false; if (s->f[i].qual) x->qual = rf_strdup(s->f[i].qual); }
        it[i] = x;
    }
    it[nc] = g;
    rf_df *r = rf__sqlp_df_error(rf_df_selectv(d, nc + 1, it));
    if (r) {   /* the generated columns: the view's names and table */
        const rf_schema *rs = r->plan->schema;
        if (rs->n - nc > 259) {
            rf_free(it);
            return rf__sqlp_err_at(lv->line, lv->col, RF_ERR_LIMIT, "LATERAL VIEW of more than 259 columns%s%s", "", "");
        }
        if (lv->n_cols && lv->n_cols != rs->n - nc) {
            rf_free(it);
            char have[16], want[16];
            snprintf(have, sizeof have, "%d", lv->n_cols);
            snprintf(want, sizeof want, "%d", rs->n - nc);
            return rf__sqlp_err_at(lv->line, lv->col, RF_ERR_ANALYSIS, "LATERAL VIEW names %s column(s), but its generator makes %s", have, want);
        }
        for (int i = 0; i < rs->n; i++) {
            bool mine = i >= nc;
            const char *nm = !mine || !lv->n_cols ? rs->f[i].name : lv->cols[i - nc];
            rf_expr *x = rf__expr_col_attr(rs->f[i].id, rs->f[i].name, rs->f[i].type, rs->f[i].nullable, -1);
            if (x) {
                x->resolved = false;
                const char *ql = mine ? lv->table : (i < nc ? s->f[i].qual : NULL);
                if (ql) x->qual = rf_strdup(ql);
                if (mine && strcmp(nm, rs->f[i].name)) x = rf_as(x, nm);
            }
            it[i] = x;
        }
        r = rf__sqlp_df_error(rf_df_selectv(r, rs->n, it));
        if (r) {   /* a renamed column has no table name: the view's */
            const rf_schema *s2 = r->plan->schema;
            for (int i = 0; i < s2->n; i++) {
                rf_expr *x = rf__expr_col_attr(s2->f[i].id, s2->f[i].name, s2->f[i].type, s2->f[i].nullable, -1);
                if (x) { x->resolved = false; const char *ql = i >= nc ? lv->table : s->f[i].qual; if (ql) x->qual = rf_strdup(ql); }
                it[i] = x;
            }
            r = rf__sqlp_df_error(rf_df_selectv(r, s2->n, it));
        }
    }
    rf_free(it);
    return r;
}

static rf_df *plan_block(rf_sqlctx *c, const q_select *q)
{
    rf_df *d = NULL, *proj = NULL;
    rf_expr **items = NULL;
    int n_items = 0;
    aggctx a = { 0 };
    if (q->n_from == 0) {
        if (!c->one_row) return rf__sqlp_err_at(q->line, q->col, RF_ERR_ANALYSIS, "SELECT without FROM is not supported yet%s%s", "", "");
        d = c->one_row;
    }
    const q_hint *outer_hints = c->hints;
    int outer_n = c->n_hints;
    c->hints = q->hints;   /* BROADCAST(t) names this block's FROM items */
    c->n_hints = q->n_hints;
    for (int i = 0; i < q->n_from && (i == 0 || d); i++) {
        rf_df *f = rf__sqlp_plan_from(c, q->from[i]);
        d = !f ? NULL : d ? rf__sqlp_df_error(rf_df_join_on(d, f, NULL, RF_JOIN_CROSS)) : f;
    }
    c->hints = outer_hints;
    c->n_hints = outer_n;
    if (!d) return NULL;
    for (int i = 0; i < q->n_laterals && d; i++) d = lateral_view(d, &q->laterals[i]);
    if (!d) return NULL;
    if (q->where) {
        if (rf__sqlp_has_agg(q->where)) return rf__sqlp_err_at(q->where->line, q->where->col, RF_ERR_ANALYSIS, "aggregate functions are not allowed in WHERE (use HAVING)%s%s", "", "");
        if (rf__sqlp_has_subquery(q->where)) d = rf__sqlp_where_with_subqueries(c, d, q->where);
        else d = rf__sqlp_df_error(rf_df_filter(d, rf__sqlp_copy(q->where)));
        if (!d) return NULL;
    }
    if (expand_items(q, d, &items, &n_items)) return NULL;
    for (int i = 0; i < n_items; i++)
        if (rf__sqlp_has_subquery(items[i])) {
            if (!items[i]->name && items[i]->kind != RF_E_COL) items[i]->name = rf__sqlp_display(items[i]);
            if (!(d = rf__sqlp_scalar_lift(c, d, &items[i]))) { rf__sqlp_free_v(items, n_items); return NULL; }
        }
    bool aggregate = q->n_group > 0 || q->n_gsets > 0 || q->having;   /* HAVING without GROUP BY: a global aggregate, as Spark */
    for (int i = 0; i < n_items; i++) aggregate |= rf__sqlp_has_agg(items[i]);
    for (int i = 0; i < q->n_order; i++) aggregate |= rf__sqlp_has_agg(q->order[i]);
    /* output names come from the expressions as written */
    for (int i = 0; i < n_items; i++) {
        rf_expr *it = items[i];
        if (!it->name && it->kind != RF_E_COL) it->name = rf__sqlp_display(it);
    }
    if (q->n_gsets) {   /* grouping(x), grouping_id(): from the set number */
        for (int i = 0; i < n_items; i++) if (grouping_fns(&items[i], q)) { rf__sqlp_free_v(items, n_items); return NULL; }
        if (!(d = expand_sets(d, q))) { rf__sqlp_free_v(items, n_items); return NULL; }
    }
    rf_expr *having = NULL;   /* HAVING may name select aliases (not input columns), as Spark resolves it */
    if (aggregate && q->having) {
        having = rf__sqlp_copy(q->having);
        if (!having || subst_alias(&having, items, n_items, d->plan->schema)) { rf_expr_destroy(&having); rf__sqlp_free_v(items, n_items); return NULL; }
    }
    if (aggregate) {
        int rc = RF_OK;
        a.keys = rf_calloc((size_t)q->n_group + 2, sizeof *a.keys);
        a.knames = rf_calloc((size_t)q->n_group + 2, sizeof *a.knames);
        rf_expr **kv = rf_calloc((size_t)q->n_group + 2, sizeof *kv);
        if (q->n_gsets) {   /* keys: the expanded input's _gk<i>, and _gs */
            a.expanded = true;
            for (int i = 0; i <= q->n_group; i++) {
                char nm[32];
                if (i < q->n_group) snprintf(nm, sizeof nm, "_gk%d", i); else snprintf(nm, sizeof nm, "_gs");
                a.keys[a.n_keys] = i < q->n_group ? rf__sqlp_copy(q->group[i]) : rf_col("_gs");
                a.knames[a.n_keys] = rf_strdup(nm);
                kv[a.n_keys] = rf_col(nm);
                a.n_keys++;
            }
        }
        for (int i = 0; i < q->n_group && !rc && !q->n_gsets; i++) {
            const rf_expr *g = q->group[i];
            rf_expr *k = NULL;
            if (g->kind == RF_E_LIT && (g->lit.type == RF_TYPE_INT32 || g->lit.type == RF_TYPE_INT64)) {   /* GROUP BY 1 */
                if (g->lit.v.i < 1 || g->lit.v.i > n_items) {
                    rc = rf__err_set(RF_ERR_ANALYSIS, "GROUP BY position %lld is not in the select list (1 to %d)", (long long)g->lit.v.i, n_items);
                    rf__err_at(g->line, g->col);
                    break;
                }
                k = rf__sqlp_copy(items[g->lit.v.i - 1]);
            } else if (g->kind == RF_E_COL && !g->qual && rf_schema_find(d->plan->schema, g->name) < 0) {   /* GROUP BY alias */
                for (int j = 0; j < n_items && !k; j++)
                    if (items[j]->name && !strcasecmp(items[j]->name, g->name) && items[j]->kind != RF_E_COL) k = rf__sqlp_copy(items[j]);
            }
            if (!k) k = rf__sqlp_copy(g);
            if (k && k->kind == RF_E_CAST && k->type == RF_TYPE_NULL && k->n_arg == 1) {   /* drop an alias wrapper */
                rf_expr *in = k->arg[0];
                k->arg[0] = NULL;
                rf_expr_destroy(&k);
                k = in;
            } else if (k && k->kind != RF_E_COL) RF_FREE(k->name);
            if (k && rf__sqlp_has_agg(k)) { rc = rf__err_set(RF_ERR_ANALYSIS, "aggregate functions are not allowed in GROUP BY"); rf__err_at(g->line, g->col); rf_expr_destroy(&k); break; }
            a.keys[a.n_keys] = k;
            char nm[32];
            snprintf(nm, sizeof nm, "_k%d", i);
            a.knames[a.n_keys] = rf_strdup(k && k->kind == RF_E_COL ? k->name : nm);
            kv[a.n_keys] = k && k->kind == RF_E_COL ? rf__sqlp_copy(k) : rf_as(rf__sqlp_copy(k), nm);
            a.n_keys++;
        }
        for (int i = 0; i < n_items && !rc; i++) rc = wrap_scalar_values(&items[i]);
        for (int i = 0; i < n_items && !rc; i++) rc = collect_aggs(&a, items[i]);
        if (!rc) rc = collect_aggs(&a, having);
        for (int i = 0; i < q->n_order && !rc; i++) rc = collect_aggs(&a, q->order[i]);
        if (rc) { rf__sqlp_free_v(kv, a.n_keys); goto fail; }
        rf_expr **av = rf_calloc((size_t)a.n_aggs + 1, sizeof *av);
        for (int i = 0; i < a.n_aggs; i++) {
            char nm[32];
            snprintf(nm, sizeof nm, "_a%d", i);
            av[i] = rf_as(rf__sqlp_copy(a.aggs[i]), nm);
        }
        d = rf_df_agg(d, a.n_keys, kv, a.n_aggs, av);
        rf_free(kv);
        rf_free(av);
        if (!rf__sqlp_df_error(d)) goto fail;
        for (int i = 0; i < n_items && !rc; i++) rc = rewrite(&a, &items[i]);
        if (rc) goto fail;
        if (having) {
            rf_expr *h = having;
            having = NULL;
            if (q->n_gsets && (rc = grouping_fns(&h, q))) { rf_expr_destroy(&h); goto fail; }
            if ((rc = rewrite(&a, &h))) { rf_expr_destroy(&h); goto fail; }
            if (rf__sqlp_has_subquery(h)) {   /* HAVING x > (SELECT ...), [NOT] IN / EXISTS: joins after the aggregation */
                d = rf__sqlp_where_with_subqueries(c, d, h);
                rf_expr_destroy(&h);
                if (!d) goto fail;
            } else if (!(d = rf__sqlp_df_error(rf_df_filter(d, h)))) goto fail;
        }
    }
    /* ORDER BY sorts the rows before the final projection (which keeps their order), so it may
     * name select aliases, aggregates, grouping expressions and unselected input columns. After
     * DISTINCT it sorts the distinct rows and may only name output columns. Window functions
     * reorder rows, so with them the projected rows are sorted too. */
    if (q->n_hints && !(d = result_hints(d, q))) goto fail;   /* under ORDER BY and LIMIT, as Spark applies them to the block */
    rf_error order_err = { 0 };
    bool order_after = false, windowed = false;
    for (int i = 0; i < n_items; i++) windowed |= rf__expr_has_window(items[i]);
    if (q->n_order && !q->distinct && windowed) order_after = true;
    else if (q->n_order && !q->distinct) {
        rf_expr **o = rf_calloc((size_t)q->n_order, sizeof *o);
        int rc = o ? RF_OK : rf__err_set(RF_ERR_NOMEM, "out of memory");
        for (int i = 0; i < q->n_order && !rc; i++) {
            o[i] = rf__sqlp_copy(q->order[i]);
            if (q->n_gsets) rc = grouping_fns(&o[i]->arg[0], q);
            if (!rc) rc = order_key(o[i], items, n_items, aggregate ? &a : NULL, d->plan->schema);
        }
        if (rc) { rf__sqlp_free_v(o, q->n_order); goto fail; }
        rf_df *sorted = rf_df_order_byv(d, q->n_order, o);
        rf_free(o);
        if (rf_df_status(sorted)) {   /* e.g. an alias of explode(): sort the projected rows instead */
            order_err = *rf__err_slot();
            order_after = true;
        } else d = sorted;
    }
    rf_expr **spare = NULL;   /* windowed and sorted: the items again, in case ORDER BY names unselected columns */
    if (order_after && windowed && !q->distinct && (spare = rf_calloc((size_t)n_items + (size_t)q->n_order + 1, sizeof *spare)))
        for (int i = 0; i < n_items; i++) spare[i] = rf__sqlp_copy(items[i]);
    rf_df *pre = d;
    proj = rf__sqlp_df_error(rf_df_selectv(d, n_items, items));
    rf_free(items);
    items = NULL;
    if (!proj) { if (spare) rf__sqlp_free_v(spare, n_items); goto fail; }
    if (q->distinct && !(proj = rf__sqlp_df_error(rf_df_distinct(proj)))) goto fail;
    if (q->n_order && (q->distinct || order_after)) {
        bool ok;
        rf_expr **o = order_list(q, proj, &ok);
        if (!ok) { if (o) rf__sqlp_free_v(o, q->n_order); if (spare) rf__sqlp_free_v(spare, n_items); goto fail; }
        rf_df *sorted = rf_df_order_byv(proj, q->n_order, o);
        rf_free(o);
        if (rf_df_status(sorted) && spare) sorted = sort_hidden(q, pre, spare, n_items, proj);   /* spare consumed */
        else if (spare) rf__sqlp_free_v(spare, n_items);
        if (rf_df_status(sorted) && order_after && order_err.code) { *rf__err_slot() = order_err; goto fail; }
        if (!(proj = rf__sqlp_df_error(sorted))) goto fail;
    } else if (spare) rf__sqlp_free_v(spare, n_items);
    if (q->limit >= 0 && !q->n_dist && !q->n_sortw && !(proj = rf__sqlp_df_error(rf_df_limit(proj, q->limit)))) goto fail;   /* else after SORT BY */
    for (int i = 0; i < a.n_keys; i++) { rf_expr_destroy(&a.keys[i]); rf_free(a.knames[i]); }
    rf__sqlp_free_v(a.aggs, a.n_aggs);
    rf_free(a.keys);
    rf_free(a.knames);
    rf_expr_destroy(&having);
    return proj;
fail:
    rf_expr_destroy(&having);
    if (items) rf__sqlp_free_v(items, n_items);
    for (int i = 0; i < a.n_keys; i++) { rf_expr_destroy(&a.keys[i]); rf_free(a.knames[i]); }
    rf__sqlp_free_v(a.aggs, a.n_aggs);
    rf_free(a.keys);
    rf_free(a.knames);
    return NULL;
}

rf_df *rf__sqlp_plan_query(rf_sqlctx *c, const q_select *q)
{
    int base = c->n_ctes;
    rf_df *d = NULL;
    for (int i = 0; i < q->n_ctes; i++) {
        rf_df *cd = rf__sqlp_plan_query(c, q->ctes[i].q);
        if (cd && q->ctes[i].n_cols) cd = rf__sql_rename(cd, q->ctes[i].n_cols, q->ctes[i].cols, q->ctes[i].name, q->ctes[i].q->line, q->ctes[i].q->col);
        if (!cd) goto out;
        rf_sqlview *nv = rf_realloc(c->ctes, (size_t)(c->n_ctes + 1) * sizeof *nv);
        if (!nv) { rf__err_set(RF_ERR_NOMEM, "out of memory"); goto out; }
        c->ctes = nv;
        c->ctes[c->n_ctes].name = rf_strdup(q->ctes[i].name);
        c->ctes[c->n_ctes].df = cd;
        c->n_ctes++;
    }
    if (q->op != Q_PLAIN) d = order_and_limit(q, rf__sqlp_set_op(c, q));
    else d = plan_block(c, q);
    if (d && q->n_dist) {   /* DISTRIBUTE BY: hash partitioned by the keys */
        rf_expr **k = rf_calloc((size_t)q->n_dist, sizeof *k);
        if (!k) { rf__err_set(RF_ERR_NOMEM, "out of memory"); d = NULL; goto out; }
        for (int i = 0; i < q->n_dist; i++) k[i] = rf__sqlp_copy(q->dist[i]);
        d = rf__sqlp_df_error(rf_df_repartition_by(d, 0, q->n_dist, k));
        rf_free(k);
    }
    if (d && q->n_sortw) {   /* SORT BY: each partition sorted */
        rf_expr **o = rf_calloc((size_t)q->n_sortw, sizeof *o);
        if (!o) { rf__err_set(RF_ERR_NOMEM, "out of memory"); d = NULL; goto out; }
        for (int i = 0; i < q->n_sortw; i++) o[i] = rf__sqlp_copy(q->sortw[i]);
        d = rf__sqlp_df_error(rf_df_sort_within_partitions(d, q->n_sortw, o));
        rf_free(o);
    }
    if (d && q->limit >= 0 && (q->n_dist || q->n_sortw)) d = rf__sqlp_df_error(rf_df_limit(d, q->limit));
out:
    while (c->n_ctes > base) rf_free(c->ctes[--c->n_ctes].name);
    return d;
}

rf_df *rf__sql_plan(rf_sqlctx *c, const q_select *q) { return rf__sqlp_plan_query(c, q); }
