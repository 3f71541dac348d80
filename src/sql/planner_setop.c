/*
 * planner_setop.c — UNION [ALL], INTERSECT [ALL] and EXCEPT [ALL] of query blocks: the inputs planned,
 * their columns cast to the types they widen to, then a union or a semi / anti join on all columns
 * (null-safe), as Spark plans them.
 */

#include <stdlib.h>
#include <strings.h>
#include "sql/planner_int.h"
#include "runtime/runtime.h"

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

rf_df *rf__sqlp_set_op(rf_sqlctx *c, const q_select *q)
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
