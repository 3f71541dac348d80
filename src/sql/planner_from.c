/*
 * planner_from.c — the FROM items of a query block as DataFrames: tables and views (with their
 * aliases and column lists), subqueries, joins (ON, USING, NATURAL), inline tables (VALUES),
 * range(), PIVOT, and the BROADCAST hints that name an item.
 */
#include <ctype.h>
#include <stdlib.h>
#include <strings.h>
#include "sql/planner_int.h"
#include "runtime/runtime.h"

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

/* Whether a BROADCAST hint of the block names this FROM item (by alias, else by table name). */
static bool broadcast_hinted(const rf_sqlctx *c, const q_from *f)
{
    const char *nm = f->alias ? f->alias : f->kind == Q_TABLE && !f->format ? f->name : NULL;
    for (int i = 0; nm && i < c->n_hints; i++)
        if (rf__sqlp_hint_is(&c->hints[i], "BROADCAST", "BROADCASTJOIN", "MAPJOIN"))
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
        if (f->stream) {   /* FROM STREAM v: the view's files as a stream */
            const rf_sqlview *v = NULL;
            for (int i = 0; i < c->n_views && !v; i++) if (!strcasecmp(c->views[i].name, f->name)) v = &c->views[i];
            if (!v || !v->sfmt)
                return rf__sqlp_err_at(f->line, f->col, RF_ERR_ANALYSIS, "STREAM %s: only a view defined USING csv, text or hdf5 OPTIONS (path '...') can be read as a stream%s", f->name, "");
            rf_df *r = rf_read_stream(c->s, v->sfmt, v->sopts);
            if (!rf_df_status(r) && f->wm_col) {   /* WATERMARK col DELAY OF interval */
                const rf_expr *d = f->wm_delay;
                int64_t us = -1;
                if (d->kind == RF_E_FUNC && d->op == RF_F_IV_MICROS && d->n_arg == 1 && d->arg[0]->kind == RF_E_LIT) us = d->arg[0]->lit.v.i;
                else if (d->kind == RF_E_LIT && d->op == 1 && !d->lit.null) us = d->lit.v.i * 86400000000LL;   /* INTERVAL n DAY */
                else if (d->kind == RF_E_LIT && d->lit.type == RF_TYPE_STRING && !d->lit.null) us = rf_parse_duration_us(d->lit.v.s.p, (size_t)d->lit.v.s.len);
                if (us < 0) return rf__sqlp_err_at(d->line, d->col, RF_ERR_ANALYSIS, "WATERMARK %s DELAY OF: not an interval such as INTERVAL 10 MINUTES%s", f->wm_col, "");
                char delay[40];
                snprintf(delay, sizeof delay, "%lld us", (long long)us);
                r = rf_df_with_watermark(r, f->wm_col, delay);
            }
            if (rf_df_status(r)) { rf__err_set(rf_df_status(r), "%s", rf_df_error(r)); rf__err_at(f->line, f->col); return NULL; }
            return rf__sqlp_df_error(rf_df_alias(r, f->alias ? f->alias : f->name));
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

