/*
 * planner.c — turns parsed queries into DataFrames by calling the DataFrame API, so SQL and the
 * C API produce the same logical plans. Handles scoping (views, CTEs, table aliases), '*'
 * expansion, GROUP BY by name, position or expression, aggregates anywhere in SELECT / HAVING /
 * ORDER BY, ORDER BY over select aliases or input columns, and set operations.
 */
#include <ctype.h>
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

rf_df *rf__df_union_all_n(rf_df **d, int n);

rf_df *rf__sql_lookup(rf_sqlctx *c, const char *name)
{
    for (int i = c->n_ctes - 1; i >= 0; i--) if (!strcasecmp(c->ctes[i].name, name)) return c->ctes[i].df;
    for (int i = 0; i < c->n_views; i++) if (!strcasecmp(c->views[i].name, name)) return c->views[i].df;
    return NULL;
}


/* The common type of a VALUES column: NULL gives way, numbers widen, dates meet timestamps, anything
 * else mixed is a string (Spark's inline tables widen the same way). */
static rf_type values_type(rf_type a, rf_type b)
{
    if (a == RF_TYPE_NULL) return b;
    if (b == RF_TYPE_NULL || a == b) return a;
    if (rf_type_is_numeric(a) && rf_type_is_numeric(b)) return rf_type_numeric_wider(a, b);
    if ((a == RF_TYPE_DATE && b == RF_TYPE_TIMESTAMP) || (a == RF_TYPE_TIMESTAMP && b == RF_TYPE_DATE)) return RF_TYPE_TIMESTAMP;
    return RF_TYPE_STRING;
}

/* VALUES rows: each expression must be constant (folded to a literal on the driver), each column
 * takes the common type of its rows; columns are col1, col2, ... */
static rf_df *plan_values(rf_sqlctx *c, const q_from *f)
{
    int64_t n = f->vrows * f->vcols;
    rf_expr **lits = rf_calloc((size_t)(n ? n : 1), sizeof *lits);
    char **names = rf_calloc((size_t)(f->vcols ? f->vcols : 1), sizeof *names);
    rf_schema *none = NULL;
    rf_df *d = NULL;
    bool nested = false;   /* arrays, maps, structs: no literals of their own, so rows of one-row selects */
    int rc = lits && names ? rf_schema_create(0, &none) : rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int64_t i = 0; i < n && !rc; i++) {
        const rf_expr *src = f->vals[i];
        if (!(lits[i] = rf__sqlp_copy(src))) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); break; }
        if (rf__sqlp_has_subquery(lits[i]) || rf__sqlp_has_agg(lits[i])) {
            rc = rf__err_set(RF_ERR_ANALYSIS, "VALUES takes constant expressions (no subqueries, aggregates or columns)");
            rf__err_at(src->line, src->col);
            break;
        }
        if ((rc = rf__expr_resolve(lits[i], none, false))) {
            if (strstr(rf__err_slot()->msg, "not found")) {
                rc = rf__err_set(RF_ERR_ANALYSIS, "VALUES takes constant expressions, not columns");
                rf__err_at(src->line, src->col);
            }
            break;
        }
        rc = rf__expr_fold(&lits[i]);
        if (!rc && lits[i]->kind != RF_E_LIT && rf_type_is_nested(lits[i]->type)) nested = true;
        else if (!rc && lits[i]->kind != RF_E_LIT) { rc = rf__err_set(RF_ERR_ANALYSIS, "VALUES takes constant expressions"); rf__err_at(src->line, src->col); }
    }
    for (int k = 0; k < f->vcols && !rc; k++) {
        rf_type t = RF_TYPE_NULL;
        for (int64_t r = 0; r < f->vrows; r++) {
            rf_type x = lits[r * f->vcols + k]->type, w;
            t = rf_type_is_nested(x) || rf_type_is_nested(t) ? (rf__type_common(t, x, &w) ? RF_TYPE_STRING : w) : values_type(t, x);
        }
        for (int64_t r = 0; r < f->vrows && !rc; r++) {
            rf_expr **e = &lits[r * f->vcols + k];
            if ((*e)->type == t) continue;
            if (!(*e = rf__expr_cast_to(*e, t))) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); break; }
            rc = rf__expr_fold(e);
            if (!rc && (*e)->kind != RF_E_LIT && !nested) rc = rf__err_set(RF_ERR_ANALYSIS, "VALUES: a value does not convert to %s", rf_type_name(t));
        }
        char nm[32];
        snprintf(nm, sizeof nm, "col%d", k + 1);
        if (!rc && !(names[k] = rf_strdup(nm))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    }
    if (!rc && nested) {   /* each row a one-row select, the rows a union */
        for (int64_t r = 0; r < f->vrows && !rc; r++) {
            rf_expr **v = rf_calloc((size_t)f->vcols + 1, sizeof *v);
            if (!v) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); break; }
            for (int k = 0; k < f->vcols; k++) { v[k] = rf_as(lits[r * f->vcols + k], names[k]); lits[r * f->vcols + k] = NULL; }
            rf_df *row = rf__sqlp_df_error(rf_df_selectv(c->one_row, f->vcols, v));
            rf_free(v);
            if (!row) { rc = RF_ERR_ANALYSIS; break; }
            d = d ? rf__sqlp_df_error(rf_df_union_all(d, row)) : row;
            if (!d) rc = RF_ERR_ANALYSIS;
        }
        if (rc) d = NULL;
    } else if (!rc) { d = rf__sqlp_df_error(rf__df_values(c->s, f->vrows, f->vcols, (const char *const *)names, lits)); n = 0; }
    for (int64_t i = 0; i < n; i++) rf_expr_destroy(&lits[i]);
    for (int k = 0; names && k < f->vcols; k++) rf_free(names[k]);
    rf_free(lits);
    rf_free(names);
    rf_schema_destroy(&none);
    return d;
}

/* FROM item AS alias(c1, c2, ...), WITH t (c1, ...) AS, CREATE VIEW v (c1, ...) AS: d's columns
 * renamed, in order, under table name `alias` (NULL: none). */
rf_df *rf__sql_rename(rf_df *d, int n, char *const *names, const char *alias, int line, int col)
{
    const rf_schema *s = d->plan->schema;
    if (n != s->n) {
        rf__err_set(RF_ERR_ANALYSIS, "%s has %d column%s, but its column list names %d", alias ? alias : "the query", s->n, s->n == 1 ? "" : "s", n);
        rf__err_at(line, col);
        return NULL;
    }
    rf_expr **v = rf_calloc((size_t)(s->n ? s->n : 1), sizeof *v);
    if (!v) { rf__err_set(RF_ERR_NOMEM, "out of memory"); return NULL; }
    for (int i = 0; i < s->n; i++) {
        rf_expr *x = rf__expr_col_attr(s->f[i].id, s->f[i].name, s->f[i].type, s->f[i].nullable, -1);
        if (x) x->resolved = false;
        v[i] = rf_as(x, names[i]);
    }
    rf_df *r = rf__sqlp_df_error(rf_df_selectv(d, s->n, v));
    rf_free(v);
    return r && alias ? rf__sqlp_df_error(rf_df_alias(r, alias)) : r;
}

static rf_df *rename_columns(rf_df *d, const q_from *f)
{
    return rf__sql_rename(d, f->n_colnames, f->colnames, f->alias, f->line, f->col);
}

static rf_df *plan_from_(rf_sqlctx *c, const q_from *f);

/* A projection of every column of d, with its name and table name: a node of its own. */
static rf_df *project_all(rf_df *d)
{
    const rf_schema *s = d->plan->schema;
    rf_expr **v = rf_calloc((size_t)(s->n ? s->n : 1), sizeof *v);
    if (!v) { rf__err_set(RF_ERR_NOMEM, "out of memory"); return NULL; }
    for (int i = 0; i < s->n; i++) {
        if ((v[i] = rf__expr_col_attr(s->f[i].id, s->f[i].name, s->f[i].type, s->f[i].nullable, -1))) {
            v[i]->resolved = false;
            if (s->f[i].qual) v[i]->qual = rf_strdup(s->f[i].qual);
        }
    }
    rf_df *r = rf__sqlp_df_error(rf_df_selectv(d, s->n, v));
    rf_free(v);
    return r;
}

static bool hint_is(const q_hint *h, const char *a, const char *b, const char *cc)
{
    return !strcasecmp(h->name, a) || (b && !strcasecmp(h->name, b)) || (cc && !strcasecmp(h->name, cc));
}

/* Whether a BROADCAST hint of the block names this FROM item (by alias, else by table name). */
static bool broadcast_hinted(const rf_sqlctx *c, const q_from *f)
{
    const char *nm = f->alias ? f->alias : f->kind == Q_TABLE && !f->format ? f->name : NULL;
    for (int i = 0; nm && i < c->n_hints; i++)
        if (hint_is(&c->hints[i], "BROADCAST", "BROADCASTJOIN", "MAPJOIN"))
            for (int k = 0; k < c->hints[i].n_ids; k++) if (!strcasecmp(c->hints[i].ids[k], nm)) return true;
    return false;
}

rf_df *rf__sqlp_plan_from(rf_sqlctx *c, const q_from *f)
{
    rf_df *d = plan_from_(c, f);
    if (d && f->n_colnames) d = rename_columns(d, f);
    if (d && f->kind != Q_JOIN && broadcast_hinted(c, f)) {   /* estimated 0 bytes: built, and broadcast, by every join */
        d = project_all(d);
        if (d && d->plan && d->plan->refs == 1) d->plan->est_bytes = 0;
    }
    return d;
}

/* Result hints of a block: COALESCE(n), REPARTITION(n), REPARTITION(n, cols), REPARTITION(cols)
 * (Spark ignores hints it does not know, and so does riffle). */
static rf_df *result_hints(rf_df *d, const q_select *q)
{
    for (int i = 0; i < q->n_hints && d; i++) {
        const q_hint *h = &q->hints[i];
        if (hint_is(h, "COALESCE", NULL, NULL) && h->num > 0) d = rf__sqlp_df_error(rf_df_coalesce(d, (int)(h->num > INT32_MAX ? INT32_MAX : h->num)));
        else if (hint_is(h, "REPARTITION", NULL, NULL) && h->n_ids) {
            rf_expr **k = rf_calloc((size_t)h->n_ids, sizeof *k);
            if (!k) { rf__err_set(RF_ERR_NOMEM, "out of memory"); return NULL; }
            for (int j = 0; j < h->n_ids; j++) k[j] = rf_col(h->ids[j]);
            rf_df *r = rf_df_repartition_by(d, h->num > 0 ? (int)(h->num > INT32_MAX ? INT32_MAX : h->num) : 0, h->n_ids, k);
            rf_free(k);
            if (rf_df_status(r)) { rf__err_at(h->line, h->col); }
            d = rf__sqlp_df_error(r);
        } else if (hint_is(h, "REPARTITION", NULL, NULL) && h->num > 0) d = rf__sqlp_df_error(rf_df_repartition(d, (int)(h->num > INT32_MAX ? INT32_MAX : h->num)));
    }
    return d;
}


/* Every aggregate of e reads its arguments only where col = v: agg(CASE WHEN col = v THEN arg END). */
static int pivot_wrap(rf_expr *e, const rf_expr *col, const rf_expr *v)
{
    if (e->kind == RF_E_AGG) {
        for (int i = 0; i < e->n_arg; i++) {
            rf_expr *cc = rf__sqlp_copy(col), *vv = rf__sqlp_copy(v);
            e->arg[i] = rf_case(NULL, 1, rf_eq(cc, vv), e->arg[i]);
            if (!e->arg[i]) return rf__err_set(RF_ERR_NOMEM, "out of memory");
        }
        return RF_OK;
    }
    for (int i = 0; i < e->n_arg; i++) { int rc = pivot_wrap(e->arg[i], col, v); if (rc) return rc; }
    return RF_OK;
}

/* The expression under an alias (e itself when none). */
static const rf_expr *unalias(const rf_expr *e) { return e->kind == RF_E_CAST && e->type == RF_TYPE_NULL && e->n_arg == 1 ? e->arg[0] : e; }

/* The name of a PIVOT value's column: its alias, else the value as text ('a' is a). */
static char *pivot_name(const rf_expr *v)
{
    if (v->name) return rf_strdup(v->name);
    const rf_expr *x = unalias(v);
    if (x->kind == RF_E_LIT && x->lit.type == RF_TYPE_STRING && !x->lit.null) return rf_strndup(x->lit.v.s.p, (size_t)x->lit.v.s.len);
    if (x->kind == RF_E_FUNC && x->op == RF_F_STRUCT) {   /* (v1, v2): {v1, v2}, as Spark prints the row */
        rf_buf b = { 0 };
        int rc = rf_buf_put_u8(&b, '{');
        for (int i = 0; i < x->n_arg && !rc; i++) {
            char *t = pivot_name(x->arg[i]);
            rc = t ? rf_buf_printf(&b, "%s%s", i ? ", " : "", t) : RF_ERR_NOMEM;
            rf_free(t);
        }
        if (!rc) rc = rf_buf_put(&b, "}", 2);
        if (rc) { rf_buf_fini(&b); return NULL; }
        return (char *)b.data;
    }
    return rf__sqlp_display(x);
}

/* x PIVOT (aggs FOR col IN (values)): x grouped by its columns that neither the aggregates nor col
 * read, with one aggregate per value and aggregate over the rows where col = value (Spark's rewrite:
 * agg(CASE WHEN col = value THEN arg END)). Columns: the value's name, or value_agg with several
 * aggregates. */
static rf_df *plan_pivot(rf_sqlctx *c, const q_from *f)
{
    rf_df *d = rf__sqlp_plan_from(c, f->l), *r = NULL;
    if (!d) return NULL;
    const rf_schema *s = d->plan->schema;
    int64_t *ids = NULL, nid = 0, cap = 0;
    int na = f->n_pv_aggs, nv = f->n_pv_vals, nk = 0, rc = RF_OK;
    rf_expr **keys = rf_calloc((size_t)s->n + 1, sizeof *keys), **aggs = rf_calloc((size_t)na * nv + 1, sizeof *aggs);
    if (!keys || !aggs) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); goto out; }
    for (int i = 0; i <= na && !rc; i++) {   /* the columns the aggregates and the pivot column read */
        rf_expr *x = rf__sqlp_copy(i < na ? unalias(f->pv_aggs[i]) : f->pv_col);
        if (!x) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); break; }
        if (i < na && !rf__sqlp_has_agg(x)) { rc = rf__err_set(RF_ERR_ANALYSIS, "PIVOT needs aggregate expressions"); rf__err_at(f->pv_aggs[i]->line, f->pv_aggs[i]->col); }
        if (!rc && !(rc = rf__expr_resolve(x, s, i < na))) rc = rf__expr_attrs(x, &ids, &nid, &cap);
        rf_expr_destroy(&x);
    }
    for (int i = 0; i < s->n && !rc; i++) {
        bool used = false;
        for (int64_t k = 0; k < nid && !used; k++) used = ids[k] == s->f[i].id;
        if (used) continue;
        rf_expr *x = rf__expr_col_attr(s->f[i].id, s->f[i].name, s->f[i].type, s->f[i].nullable, -1);
        if (x) { x->resolved = false; if (s->f[i].qual) x->qual = rf_strdup(s->f[i].qual); }
        keys[nk++] = x;
    }
    for (int vi = 0; vi < nv && !rc; vi++)
        for (int ai = 0; ai < na && !rc; ai++) {
            rf_expr *a = rf__sqlp_copy(unalias(f->pv_aggs[ai]));
            if (!a) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); break; }
            if (a->kind == RF_E_AGG && a->n_arg == 0) {   /* count(*): count the rows of this value */
                rf_expr *one = rf_lit_int(1);
                a->arg = rf_calloc(1, sizeof *a->arg);
                if (a->arg) { a->arg[0] = one; a->n_arg = 1; } else rf_expr_destroy(&one);
            }
            rc = pivot_wrap(a, f->pv_col, unalias(f->pv_vals[vi]));
            char *vn = pivot_name(f->pv_vals[vi]), *nm = NULL;
            if (na == 1) nm = vn, vn = NULL;
            else {
                char *an = f->pv_aggs[ai]->name ? rf_strdup(f->pv_aggs[ai]->name) : rf__sqlp_display(unalias(f->pv_aggs[ai]));
                size_t l = (vn ? strlen(vn) : 0) + (an ? strlen(an) : 0) + 2;
                nm = rf_malloc(l);
                if (nm) snprintf(nm, l, "%s_%s", vn ? vn : "", an ? an : "");
                rf_free(an);
            }
            rf_free(vn);
            if (a->name) RF_FREE(a->name);
            aggs[vi * na + ai] = rf_as(a, nm ? nm : "pivot");
            rf_free(nm);
        }
    if (!rc) r = rf__sqlp_df_error(rf_df_agg(d, nk, keys, na * nv, aggs));   /* takes the expressions, not the arrays */
    else { rf__sqlp_free_v(keys, nk); rf__sqlp_free_v(aggs, na * nv); keys = aggs = NULL; }
    if (r && f->alias) r = rf__sqlp_df_error(rf_df_alias(r, f->alias));
out:
    rf_free(keys);
    rf_free(aggs);
    rf_free(ids);
    return rc ? NULL : r;
}

static rf_df *plan_from_(rf_sqlctx *c, const q_from *f)
{
    rf_df *d = NULL;
    switch (f->kind) {
    case Q_PIVOT: return plan_pivot(c, f);
    case Q_RANGE: {   /* Spark's range(): constant whole-number arguments */
        int64_t a[4] = { 0, 0, 1, 0 };
        rf_schema *none = NULL;
        if (rf_schema_create(0, &none)) return NULL;
        for (int i = 0; i < f->vcols; i++) {
            rf_expr *x = rf__sqlp_copy(f->vals[i]);
            int rc = x ? rf__expr_resolve(x, none, false) : rf__err_set(RF_ERR_NOMEM, "out of memory");
            if (!rc) rc = rf__expr_fold(&x);
            bool ok = !rc && x->kind == RF_E_LIT && !x->lit.null && (x->type == RF_TYPE_INT32 || x->type == RF_TYPE_INT64);
            if (ok) a[f->vcols == 1 ? 1 : i] = x->lit.v.i;
            rf_expr_destroy(&x);
            if (!ok) {
                rf_schema_destroy(&none);
                if (!rc) { rf__err_set(RF_ERR_ANALYSIS, "range() takes whole-number constants"); }
                rf__err_at(f->vals[i]->line, f->vals[i]->col);
                return NULL;
            }
        }
        rf_schema_destroy(&none);
        if (a[3] < 0 || a[3] > 1000000) return rf__sqlp_err_at(f->line, f->col, RF_ERR_ANALYSIS, "range(): the partition count must be 1 to 1000000%s%s", "", "");
        rf_df *r = rf_range(c->s, a[0], a[1], a[2], (int)a[3]);
        if (rf_df_status(r)) { rf__err_set(rf_df_status(r), "%s", rf_df_error(r)); rf__err_at(f->line, f->col); return NULL; }
        return f->alias ? rf__sqlp_df_error(rf_df_alias(r, f->alias)) : r;
    }
    case Q_VALUES:
        if (!(d = plan_values(c, f))) return NULL;
        return f->alias ? rf__sqlp_df_error(rf_df_alias(d, f->alias)) : d;
    case Q_TABLE: {
        if (f->format) {   /* Spark's defaults: a CSV file without a header, its columns strings named _c0, _c1, ... */
            rf_df *r = !strcasecmp(f->format, "csv") ? rf_read_csv(c->s, f->name, "header=false")
                     : !strcasecmp(f->format, "text") ? rf_read_text(c->s, f->name) : rf_read_hdf5(c->s, f->name);
            if (rf_df_status(r)) {
                rf__err_set(rf_df_status(r), "%s", rf_df_error(r));
                rf__err_at(f->line, f->col);
                return NULL;
            }
            return rf__sqlp_df_error(rf_df_alias(r, f->alias ? f->alias : f->format));
        }
        rf_df *base = rf__sql_lookup(c, f->name);
        if (!base) {
            if ((base = rf__sql_table(c, f->name))) return rf__sqlp_df_error(rf_df_alias(base, f->alias ? f->alias : f->name));
            if (rf__err_slot()->code) { if (!rf__err_slot()->line) rf__err_at(f->line, f->col); return NULL; }
            const char *best = NULL;
            int bd = 1 << 30;
            for (int i = 0; i < c->n_views + c->n_ctes; i++) {
                const char *n = i < c->n_views ? c->views[i].name : c->ctes[i - c->n_views].name;
                int dd = 0;
                for (const char *p = f->name, *q = n; *p || *q; p += !!*p, q += !!*q) dd += (tolower((unsigned char)*p) != tolower((unsigned char)*q));
                if (dd < bd) { bd = dd; best = n; }
            }
            if (best && bd <= 2 + (int)strlen(f->name) / 4)
                return rf__sqlp_err_at(f->line, f->col, RF_ERR_ANALYSIS, "table or view '%s' not found; did you mean '%s'?", f->name, best);
            return rf__sqlp_err_at(f->line, f->col, RF_ERR_ANALYSIS, "table or view '%s' not found%s", f->name,
                          c->n_views ? "" : " (create it with CREATE TEMPORARY VIEW ... USING csv OPTIONS (path '...'))");
        }
        return rf__sqlp_df_error(rf_df_alias(base, f->alias ? f->alias : f->name));
    }
    case Q_SUBQUERY:
        if (!(d = rf__sqlp_plan_query(c, f->sub))) return NULL;
        return rf__sqlp_df_error(rf_df_alias(d, f->alias));
    case Q_JOIN: {
        rf_df *l = rf__sqlp_plan_from(c, f->l), *r = l ? rf__sqlp_plan_from(c, f->r) : NULL;
        if (!r) return NULL;
        if (f->natural) {   /* USING the columns both sides name, in the left side's order */
            rf_buf b = { 0 };
            const rf_schema *ls = l->plan->schema, *rs = r->plan->schema;
            for (int i = 0; i < ls->n; i++) {
                bool dup = false;
                for (int k = 0; k < i && !dup; k++) dup = !strcasecmp(ls->f[k].name, ls->f[i].name);
                if (!dup && rf_schema_find(rs, ls->f[i].name) >= 0) rf_buf_printf(&b, "%s%s", b.len ? "," : "", ls->f[i].name);
            }
            if (b.len) d = rf__df_join_using(l, r, (const char *)b.data, f->jtype, true);   /* rf_buf_printf keeps a NUL after the text */
            else d = rf_df_join_on(l, r, f->jtype == RF_JOIN_INNER ? NULL : rf_lit_bool(true), f->jtype == RF_JOIN_INNER ? RF_JOIN_CROSS : f->jtype);
            rf_buf_fini(&b);
        } else if (f->using_cols) d = rf__df_join_using(l, r, f->using_cols, f->jtype, true);
        else if (!f->on && f->jtype != RF_JOIN_INNER && f->jtype != RF_JOIN_CROSS) d = rf_df_join_on(l, r, rf_lit_bool(true), f->jtype);
        else d = rf_df_join_on(l, r, rf__sqlp_copy(f->on), f->on ? f->jtype : RF_JOIN_CROSS);
        if (d && rf_df_status(d) && !rf__err_slot()->line) rf__err_at(f->line, f->col);
        return rf__sqlp_df_error(d);
    }
    }
    return NULL;
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
            if (k->kind != RF_E_COL || !k->name || strcasecmp(k->name, e->qual)) continue;
            rf_expr *key = rf_col(e->qual), *arr[2];
            if (!key) return rf__err_set(RF_ERR_NOMEM, "out of memory");
            int rc = rewrite(a, &key);
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
            if (!found && it->qual) {
                for (int k = 0; k < n; k++) rf_expr_destroy(&v[k]);
                rf_free(v);
                rf__err_set(RF_ERR_ANALYSIS, "'%s.*': no table or alias '%s' in FROM", it->qual, it->qual);
                rf__err_at(it->line, it->col);
                return RF_ERR_ANALYSIS;
            }
        } else {
            v[n++] = rf__sqlp_copy(it);
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

/* The type two set-operation inputs' columns widen to (NULL to the other, numbers to the wider
 * number, anything else to string). */
static rf_type widen_setop(rf_type a, rf_type b)
{
    if (a == b) return a;
    if (a == RF_TYPE_NULL) return b;
    if (b == RF_TYPE_NULL) return a;
    if (rf_type_is_numeric(a) && rf_type_is_numeric(b)) return rf_type_numeric_wider(a, b);
    return RF_TYPE_STRING;
}

/* d with its columns cast to types t (a no-op select when none differs). */
static rf_df *cast_columns(rf_df *d, const rf_type *t)
{
    const rf_schema *s = d->plan->schema;
    bool need = false;
    for (int i = 0; i < s->n; i++) need |= s->f[i].type != t[i];
    if (!need) return d;
    rf_expr **v = rf_calloc((size_t)s->n + 1, sizeof *v);
    if (!v) { rf__err_set(RF_ERR_NOMEM, "out of memory"); return NULL; }
    for (int i = 0; i < s->n; i++) {
        rf_expr *x = rf__expr_col_attr(s->f[i].id, s->f[i].name, s->f[i].type, true, i);
        if (x) x->resolved = false;
        v[i] = rf_as(t[i] == s->f[i].type ? x : rf_cast(x, t[i]), s->f[i].name);
    }
    rf_df *r = rf_df_selectv(d, s->n, v);
    rf_free(v);
    return rf__sqlp_df_error(r);
}

/* t0 UNION [ALL] t1 UNION [ALL] t2 ...: every term widened to common column types; the terms up
 * to the last UNION without ALL are deduplicated together (a later DISTINCT removes every earlier
 * duplicate too), the rest appended. One union node, however many terms. */
static rf_df *plan_union(rf_sqlctx *c, const q_select *q)
{
    int n = q->n_terms, k = 0;
    rf_df **d = rf_calloc((size_t)n, sizeof *d), *u = NULL;
    rf_type *t = NULL;
    if (!d) { rf__err_set(RF_ERR_NOMEM, "out of memory"); return NULL; }
    for (int i = 0; i < n; i++) if (!(d[i] = rf__sqlp_plan_query(c, q->terms[i]))) goto out;
    const rf_schema *s0 = d[0]->plan->schema;
    for (int i = 1; i < n; i++)
        if (d[i]->plan->schema->n != s0->n) {
            rf__sqlp_err_at(q->terms[i]->line, q->terms[i]->col, RF_ERR_ANALYSIS, "UNION: the two sides have different numbers of columns (%s)%s",
                   i == 1 ? "the second input" : "a later input", "");
            goto out;
        }
    if (!(t = rf_calloc((size_t)s0->n + 1, sizeof *t))) { rf__err_set(RF_ERR_NOMEM, "out of memory"); goto out; }
    for (int col = 0; col < s0->n; col++) {
        t[col] = s0->f[col].type;
        for (int i = 1; i < n; i++) t[col] = widen_setop(t[col], d[i]->plan->schema->f[col].type);
    }
    for (int i = 0; i < n; i++) if (!(d[i] = cast_columns(d[i], t))) goto out;
    for (int i = 1; i < n; i++) if (!q->all_before[i]) k = i;
    u = d[0];
    if (k > 0 && (u = rf__sqlp_df_error(rf__df_union_all_n(d, k + 1)))) u = rf__sqlp_df_error(rf_df_distinct(u));
    if (u && k + 1 < n) {   /* the deduplicated head (or the first term), then the rest */
        d[k] = u;
        u = rf__sqlp_df_error(rf__df_union_all_n(d + k, n - k));
    }
out:
    rf_free(d);
    rf_free(t);
    return u;
}

static rf_df *set_op(rf_sqlctx *c, const q_select *q)
{
    if (q->op == Q_UNION) return plan_union(c, q);
    rf_df *l = rf__sqlp_plan_query(c, q->left), *r = l ? rf__sqlp_plan_query(c, q->right) : NULL, *d = NULL;
    if (!r) return NULL;
    const rf_schema *ls = l->plan->schema, *rs = r->plan->schema;
    if (ls->n != rs->n)
        return rf__sqlp_err_at(q->line, q->col, RF_ERR_ANALYSIS, "%s: the two sides have different numbers of columns%s",
                      q->op == Q_UNION ? "UNION" : q->op == Q_INTERSECT ? "INTERSECT" : "EXCEPT", "");
    /* widen mismatched column types on both sides (int + bigint, numbers + double) */
    bool cast_needed = false;
    for (int i = 0; i < ls->n; i++) cast_needed |= ls->f[i].type != rs->f[i].type;
    if (cast_needed) {
        rf_expr **lv = rf_calloc((size_t)ls->n, sizeof *lv), **rv = rf_calloc((size_t)ls->n, sizeof *rv);
        for (int i = 0; i < ls->n; i++) {
            rf_type a = ls->f[i].type, b = rs->f[i].type, t = a;
            if (a != b) {
                if (a == RF_TYPE_NULL) t = b;
                else if (b == RF_TYPE_NULL) t = a;
                else if (rf_type_is_numeric(a) && rf_type_is_numeric(b)) t = rf_type_numeric_wider(a, b);
                else t = RF_TYPE_STRING;
            }
            rf_expr *x = rf__expr_col_attr(ls->f[i].id, ls->f[i].name, a, true, i), *y = rf__expr_col_attr(rs->f[i].id, rs->f[i].name, b, true, i);
            if (x) x->resolved = false;
            if (y) y->resolved = false;
            lv[i] = rf_as(t == a ? x : rf_cast(x, t), ls->f[i].name);
            rv[i] = rf_as(t == b ? y : rf_cast(y, t), ls->f[i].name);
        }
        l = rf_df_selectv(l, ls->n, lv);
        r = rf_df_selectv(r, ls->n, rv);
        rf_free(lv);
        rf_free(rv);
        if (!rf__sqlp_df_error(l) || !rf__sqlp_df_error(r)) return NULL;
        ls = l->plan->schema;
        rs = r->plan->schema;
    }
    /* INTERSECT / EXCEPT: a null-safe semi / anti join on every column, then DISTINCT; with ALL, each
     * row is numbered among its duplicates first, so the n-th copy matches only an n-th copy */
    rf_expr *cond = NULL;
    rf_conj cc = { 0 };
    if (q->all) {
        rf_df *sides[2] = { l, r };
        for (int sd = 0; sd < 2; sd++) {
            const rf_schema *ss = sides[sd]->plan->schema;
            rf_expr **part = rf_calloc((size_t)ss->n + 1, sizeof *part), **items = rf_calloc((size_t)ss->n + 2, sizeof *items);
            for (int i = 0; i < ss->n; i++) {
                part[i] = rf__expr_col_attr(ss->f[i].id, ss->f[i].name, ss->f[i].type, true, i);
                items[i] = rf__expr_col_attr(ss->f[i].id, ss->f[i].name, ss->f[i].type, true, i);
                if (part[i]) part[i]->resolved = false;
                if (items[i]) items[i]->resolved = false;
            }
            items[ss->n] = rf_as(rf_over(rf_row_number(), ss->n, part, 0, NULL), "__dup");
            sides[sd] = rf__sqlp_df_error(rf_df_selectv(sides[sd], ss->n + 1, items));
            rf_free(part);
            rf_free(items);
            if (!sides[sd]) { rf__conj_fini(&cc); return NULL; }
        }
        l = sides[0];
        r = sides[1];
        rf__conj_add(&cc, rf_eq(rf_col("__l.__dup"), rf_col("__r.__dup")));
    }
    rf_df *la = rf_df_alias(l, "__l"), *ra = rf_df_alias(r, "__r");
    for (int i = 0; i < ls->n; i++) {
        char a[300], b[300];
        snprintf(a, sizeof a, "__l.%s", ls->f[i].name);
        snprintf(b, sizeof b, "__r.%s", rs->f[i].name);
        rf__conj_add(&cc, rf_eq_null_safe(rf_col(a), rf_col(b)));
    }
    cond = rf__conj_build(&cc, false);
    d = rf_df_join_on(la, ra, cond, q->op == Q_INTERSECT ? RF_JOIN_SEMI : RF_JOIN_ANTI);
    if (!q->all) d = rf_df_distinct(d);
    else if (rf__sqlp_df_error(d)) {   /* drop the duplicate numbers */
        rf_expr **items = rf_calloc((size_t)ls->n + 1, sizeof *items);
        for (int i = 0; i < ls->n; i++) {
            char qn[300];
            snprintf(qn, sizeof qn, "__l.%s", ls->f[i].name);
            items[i] = rf_as(rf_col(qn), ls->f[i].name);
        }
        d = rf_df_selectv(d, ls->n, items);
        rf_free(items);
    }
    return rf__sqlp_df_error(d);
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
    if (q->op != Q_PLAIN) d = order_and_limit(q, set_op(c, q));
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
