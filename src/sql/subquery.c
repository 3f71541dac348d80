/*
 * subquery.c — subqueries become joins (docs/ARCHITECTURE.md, "SQL"):
 *   [NOT] EXISTS (SELECT ... FROM t WHERE p)   -> left semi (anti) join with t ON p
 *   x [NOT] IN (SELECT y FROM t WHERE p)       -> left semi (anti) join with t ON x = y AND p; an
 *                                                 uncorrelated NOT IN -> a null-aware hash anti join
 *   (SELECT agg ... WHERE t.k = outer.k ...)    -> left join with the subquery grouped by k
 *   (SELECT [agg] ... WHERE <any correlation>)  -> left join with the subquery run over the outer
 *                                                 query's distinct values (decorrelate_general)
 *   (SELECT one value ...)                      -> cross join with the planned subquery (one row)
 */
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include "sql/planner_int.h"
#include "runtime/runtime.h"

/* The join condition is resolved against both sides, so references to the outer query (correlation)
 * resolve naturally. Subqueries with grouping, DISTINCT, LIMIT, set operations, LATERAL VIEW or hints
 * are planned whole and must then be uncorrelated. */
bool rf__sqlp_has_subquery(const rf_expr *e)
{
    if (!e) return false;
    if (e->kind == RF_E_SUBQUERY) return true;
    for (int i = 0; i < e->n_arg; i++) if (rf__sqlp_has_subquery(e->arg[i])) return true;
    return false;
}

static int sq_counter;

/* Gives unqualified columns that name exactly one column of s that column's qualifier, so that an
 * inner query's names bind to its own tables before the outer query's (as SQL scoping does). */
static void qualify(rf_expr *e, const rf_schema *s)
{
    if (!e) return;
    if (e->kind == RF_E_COL && !e->qual && e->attr < 0 && strcmp(e->name, "*")) {
        int found = rf_schema_find(s, e->name);
        if (found >= 0 && s->f[found].qual) e->qual = rf_strdup(s->f[found].qual);
        return;
    }
    if (e->kind == RF_E_SUBQUERY) return;
    for (int i = 0; i < e->n_arg; i++) qualify(e->arg[i], s);
}


static bool simple_block(const q_select *q);

/* Whether a table name (qualifier) of s is also one of t's. */
static bool shares_table_name(const rf_schema *s, const rf_schema *t)
{
    for (int i = 0; i < s->n; i++)
        for (int k = 0; s->f[i].qual && k < t->n; k++)
            if (t->f[k].qual && !strcasecmp(s->f[i].qual, t->f[k].qual)) return true;
    return false;
}
/* The number of values of a row value (a, b, ...) parsed as struct(a, b, ...); 1 for anything else. */
static int row_arity(const rf_expr *x) { return x->kind == RF_E_FUNC && x->op == RF_F_STRUCT ? x->n_arg : 1; }

/* Binds the unqualified columns of e that name exactly one column of s to it (by attribute id), so
 * that an outer query's reference (a grouping key has no table name) stays its own when the join with
 * a subquery puts same-named columns beside it. Not where the subquery reads the same attributes
 * (a self-join renumbers its right side, and names tell the sides apart). */
static void pin(rf_expr *e, const rf_schema *s, const rf_schema *right)
{
    if (!e || e->kind == RF_E_SUBQUERY) return;
    if (e->kind == RF_E_COL && e->attr < 0 && e->name && strcmp(e->name, "*")) {
        if (e->qual) return;
        int64_t id = -1;
        for (int i = 0; i < s->n; i++) {
            const rf_field *f = &s->f[i];
            if (strcasecmp(f->name, e->name) || (e->qual && (!f->qual || strcasecmp(f->qual, e->qual)))) continue;
            if (id >= 0 && id != f->id) return;   /* ambiguous: left for the resolver to report */
            id = f->id;
        }
        for (int i = 0; id >= 0 && i < right->n; i++) if (right->f[i].id == id) return;
        if (id >= 0) e->attr = id;
        return;
    }
    for (int i = 0; i < e->n_arg; i++) pin(e->arg[i], s, right);
}

/* Splits a conjunction into its terms (copies). */
static int conj_list(const rf_expr *e, rf_expr **v, int *n, int cap)
{
    if (e->kind == RF_E_AND && !e->name) {
        int rc = conj_list(e->arg[0], v, n, cap);
        return rc ? rc : conj_list(e->arg[1], v, n, cap);
    }
    if (*n >= cap) return rf__err_set(RF_ERR_ANALYSIS, "too many conditions in a correlated subquery");
    v[(*n)++] = rf__sqlp_copy(e);
    return RF_OK;
}

static bool resolves_in(const rf_expr *e, const rf_schema *s)
{
    rf_expr *t = rf__sqlp_copy(e);
    int rc = t ? rf__expr_resolve(t, s, false) : RF_ERR_NOMEM;
    rf_expr_destroy(&t);
    rf__err_clear();
    return rc == RF_OK;
}

/* Moves the aggregates of *pe into av (named __v0, __v1, ...) and puts alias.__vK in their place;
 * a count becomes coalesce(alias.__vK, 0), as a count of no rows is 0. */
static int lift_aggs(rf_expr **pe, rf_expr **av, int *na, int max, const char *alias)
{
    rf_expr *e = *pe;
    if (e->kind == RF_E_AGG) {
        if (*na >= max) return rf__err_set(RF_ERR_ANALYSIS, "too many aggregates in a correlated scalar subquery");
        char nm[32], qn[64];
        snprintf(nm, sizeof nm, "__v%d", *na);
        snprintf(qn, sizeof qn, "%s.__v%d", alias, *na);
        bool count = e->op == RF_A_COUNT;
        if (e->name && !(e->kind == RF_E_CAST && e->type == RF_TYPE_NULL)) RF_FREE(e->name);
        av[(*na)++] = rf_as(e, nm);
        rf_expr *col = rf_col(qn);
        if (count) col = rf_fn("coalesce", 2, col, rf_lit_int(0));
        *pe = col;
        return col ? RF_OK : rf__err_set(RF_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < e->n_arg; i++) { int rc = lift_aggs(&e->arg[i], av, na, max, alias); if (rc) return rc; }
    return RF_OK;
}

/* Whether COL e names a column of the outer query d, not of the subquery's own FROM (inner). */
static bool outer_ref(const rf_expr *e, const rf_schema *inner, const rf_schema *d)
{
    return e->kind == RF_E_COL && e->name && strcmp(e->name, "*") && !resolves_in(e, inner) && resolves_in(e, d);
}

/* The outer columns theta reads, each once, into refs (copies). */
static int outer_refs(const rf_expr *e, const rf_schema *inner, const rf_schema *d, rf_expr **refs, int *n, int max)
{
    if (!e || e->kind == RF_E_SUBQUERY) return RF_OK;
    if (e->kind == RF_E_COL) {
        if (!outer_ref(e, inner, d)) return RF_OK;
        for (int k = 0; k < *n; k++) if (rf__expr_equal(refs[k], e)) return RF_OK;
        if (*n >= max) return rf__err_set(RF_ERR_ANALYSIS, "a correlated subquery reads more than %d outer columns", max);
        return (refs[(*n)++] = rf__sqlp_copy(e)) ? RF_OK : rf__err_set(RF_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < e->n_arg; i++) { int rc = outer_refs(e->arg[i], inner, d, refs, n, max); if (rc) return rc; }
    return RF_OK;
}

/* Replaces the outer references of *pe (refs[k]) with dom.__dk. */
static int to_domain(rf_expr **pe, const rf_schema *inner, const rf_schema *d, rf_expr **refs, int n, const char *dom)
{
    rf_expr *e = *pe;
    if (!e || e->kind == RF_E_SUBQUERY) return RF_OK;
    if (e->kind == RF_E_COL) {
        if (!outer_ref(e, inner, d)) return RF_OK;
        for (int k = 0; k < n; k++)
            if (rf__expr_equal(refs[k], e)) {
                char qn[64];
                snprintf(qn, sizeof qn, "%s.__d%d", dom, k);
                rf_expr *c = rf_col(qn);
                if (!c) return rf__err_set(RF_ERR_NOMEM, "out of memory");
                c->line = e->line;
                c->col = e->col;
                rf_expr_destroy(pe);
                *pe = c;
                return RF_OK;
            }
        return RF_OK;
    }
    for (int i = 0; i < e->n_arg; i++) { int rc = to_domain(&e->arg[i], inner, d, refs, n, dom); if (rc) return rc; }
    return RF_OK;
}

/* A correlated scalar subquery of any correlation (theta, consumed: conjuncts that read the outer
 * query d and the subquery's FROM, inner), with or without an aggregate — the unnesting of Neumann &
 * Kemper over the outer query's domain:
 *   D = SELECT DISTINCT <outer columns theta reads> FROM d
 *   A = SELECT D.*, agg(...) FROM D JOIN inner ON theta' GROUP BY D.*   (theta' reads D, not d)
 *   d LEFT JOIN A ON d.c <=> D.c ...
 * so the subquery runs once per distinct outer value, whatever theta is (a non-equality makes the
 * D-inner join a nested loop over the distinct values). Without an aggregate the value is the one row
 * the subquery returns (count and max per outer value; more than one row is an error, as in Spark).
 * Replaces *pe with the value; NULL on error. */
static rf_df *decorrelate_general(rf_df *d, rf_df *inner, rf_expr **theta, int nt, const rf_expr *item, rf_expr **pe)
{
    const rf_expr *e = *pe;
    rf_expr *refs[32] = { 0 }, *cond = NULL, *value = NULL;
    int nr = 0, rc = RF_OK;
    rf_df *out = NULL, *dom = NULL;
    char dn[32], alias[32];
    snprintf(dn, sizeof dn, "__dom%d", sq_counter++);
    snprintf(alias, sizeof alias, "__sq%d", sq_counter++);
    const rf_schema *is = inner->plan->schema, *ds = d->plan->schema;
    for (int i = 0; i < nt && !rc; i++) rc = outer_refs(theta[i], is, ds, refs, &nr, 32);
    if (!rc && !nr) rc = rf__err_set(RF_ERR_ANALYSIS, "a correlated subquery without outer columns");
    if (rc) goto done;
    {   /* D: the outer query's distinct values */
        rf_expr *dv[32];
        for (int k = 0; k < nr; k++) {
            char nm[16];
            snprintf(nm, sizeof nm, "__d%d", k);
            rf_expr *x = rf__sqlp_copy(refs[k]);
            pin(x, ds, is);
            dv[k] = rf_as(x, nm);
        }
        dom = rf__sqlp_df_error(rf_df_selectv(d, nr, dv));
        if (dom) dom = rf__sqlp_df_error(rf_df_distinct(dom));
        if (dom) dom = rf__sqlp_df_error(rf_df_alias(dom, dn));
        if (!dom) { rc = RF_ERR_ANALYSIS; goto done; }
    }
    for (int i = 0; i < nt && !rc; i++) {
        rc = to_domain(&theta[i], is, ds, refs, nr, dn);
        if (!rc) { cond = cond ? rf_and(cond, theta[i]) : theta[i]; theta[i] = NULL; }
    }
    if (rc) goto done;
    rf_df *j = rf__sqlp_df_error(rf_df_join_on(dom, inner, cond, RF_JOIN_INNER));
    cond = NULL;
    if (!j) { rc = RF_ERR_ANALYSIS; goto done; }
    {   /* A: grouped by the domain's columns */
        rf_expr *kv[32], *av[64];
        int na = 0;
        for (int k = 0; k < nr; k++) {
            char qn[64], nm[16];
            snprintf(qn, sizeof qn, "%s.__d%d", dn, k);
            snprintf(nm, sizeof nm, "__ck%d", k);
            kv[k] = rf_as(rf_col(qn), nm);
        }
        value = rf__sqlp_copy(item);
        if (value && rf__sqlp_has_agg(value)) rc = lift_aggs(&value, av, &na, 64, alias);
        else if (value) {   /* one row's value: count and keep it (any type: the first of a collected list) */
            char qn[64], qv[64];
            snprintf(qn, sizeof qn, "%s.__n", alias);
            snprintf(qv, sizeof qv, "%s.__v", alias);
            av[na++] = rf_as(rf_count(NULL), "__n");
            rf_expr *cl = rf__expr_new(RF_E_AGG, 1, &value);
            if (cl) cl->op = RF_A_COLLECT_LIST;
            av[na++] = rf_as(cl, "__v");
            value = rf_fn("__single_row", 2, rf_fn("coalesce", 2, rf_col(qn), rf_lit_int(0)), rf_fn("element_at", 2, rf_col(qv), rf_lit_int(1)));
        }
        if (!value || rc) {
            for (int k = 0; k < nr; k++) rf_expr_destroy(&kv[k]);
            for (int k = 0; k < na; k++) rf_expr_destroy(&av[k]);
            if (!rc) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
            goto done;
        }
        rf_df *agg = rf__sqlp_df_error(rf_df_agg(j, nr, kv, na, av));
        if (!agg || !(agg = rf__sqlp_df_error(rf_df_alias(agg, alias)))) { rc = RF_ERR_ANALYSIS; goto done; }
        for (int k = 0; k < nr; k++) {   /* back to the outer rows, NULLs matching NULLs */
            char qn[64];
            snprintf(qn, sizeof qn, "%s.__ck%d", alias, k);
            rf_expr *o = rf__sqlp_copy(refs[k]);
            pin(o, ds, agg->plan->schema);
            rf_expr *eq = rf_eq_null_safe(o, rf_col(qn));
            cond = cond ? rf_and(cond, eq) : eq;
        }
        out = rf__sqlp_df_error(rf_df_join_on(d, agg, cond, RF_JOIN_LEFT));
        cond = NULL;
        if (!out) { rc = RF_ERR_ANALYSIS; goto done; }
        value->line = e->line;
        value->col = e->col;
        if (e->name) value = rf_as(value, e->name);
        rf_expr_destroy(pe);
        *pe = value;
        value = NULL;
    }
done:
    for (int i = 0; i < nt; i++) rf_expr_destroy(&theta[i]);
    for (int k = 0; k < nr; k++) rf_expr_destroy(&refs[k]);
    rf_expr_destroy(&cond);
    rf_expr_destroy(&value);
    return rc ? NULL : out;
}

/* A correlated scalar subquery (SELECT agg(x) FROM t WHERE t.k = outer.k AND <inner-only>) becomes
 * a left join of d with (SELECT k, agg(x) FROM t WHERE <inner-only> GROUP BY k) on k = outer.k;
 * count() of no rows is 0 rather than NULL. NULL on any other shape (the caller reports it). */
static rf_df *decorrelate_scalar(rf_sqlctx *c, rf_df *d, rf_expr **pe)
{
    const rf_expr *e = *pe;
    const q_select *sq = e->sub;
    if (!simple_block(sq) || sq->n_items != 1 || !sq->where || rf__sqlp_has_subquery(sq->where)) return NULL;
    const rf_expr *item = sq->items[0];
    if (item->kind == RF_E_CAST && item->type == RF_TYPE_NULL && item->n_arg == 1) item = item->arg[0];
    rf_df *inner = NULL;
    for (int i = 0; i < sq->n_from; i++) {   /* comma joins: the join order rule orders them */
        rf_df *f = rf__sqlp_plan_from(c, sq->from[i]);
        if (!f) return NULL;
        inner = inner ? rf__sqlp_df_error(rf_df_join_on(inner, f, NULL, RF_JOIN_CROSS)) : f;
        if (!inner) return NULL;
    }
    rf_expr *conj[64], *keys[64] = { 0 }, *outer[64] = { 0 }, *rest = NULL, *theta[64];
    int nc = 0, nk = 0, nt = 0;
    rf_df *out = NULL;
    if (conj_list(sq->where, conj, &nc, 64)) return NULL;
    for (int i = 0; i < nc; i++) {
        rf_expr *t = conj[i];
        if (resolves_in(t, inner->plan->schema)) { rest = rest ? rf_and(rest, t) : t; conj[i] = NULL; continue; }
        if (t->kind == RF_E_EQ && nk < 64) {
            for (int side = 0; side < 2; side++) {
                rf_expr *in = t->arg[side], *ou = t->arg[1 - side];
                if (resolves_in(in, inner->plan->schema) && resolves_in(ou, d->plan->schema)) {
                    keys[nk] = rf__sqlp_copy(in);
                    outer[nk] = rf__sqlp_copy(ou);
                    pin(outer[nk], d->plan->schema, inner->plan->schema);
                    nk++;
                    rf_expr_destroy(&conj[i]);
                    break;
                }
            }
        }
        if (conj[i]) { theta[nt++] = conj[i]; conj[i] = NULL; }   /* a correlated condition that is not outer = inner */
    }
    if (!nk && !nt) goto out;
    if (rest && !(inner = rf__sqlp_df_error(rf_df_filter(inner, rest)))) { rest = NULL; goto out; }
    rest = NULL;
    if (nt || !rf__sqlp_has_agg(item)) {   /* the general form: over the outer query's distinct values */
        for (int i = 0; i < nk && nt < 64; i++) {
            theta[nt++] = rf_eq(keys[i], outer[i]);
            keys[i] = outer[i] = NULL;
        }
        out = decorrelate_general(d, inner, theta, nt, item, pe);
        goto out;
    }
    {
        char alias[32];
        snprintf(alias, sizeof alias, "__sq%d", sq_counter++);
        rf_expr *kv[64], *av[64], *value = rf__sqlp_copy(item);
        int na = 0;
        for (int i = 0; i < nk; i++) {
            char nm[32];
            snprintf(nm, sizeof nm, "__ck%d", i);
            kv[i] = rf_as(rf__sqlp_copy(keys[i]), nm);
        }
        if (!value || lift_aggs(&value, av, &na, 64, alias)) {
            rf_expr_destroy(&value);
            for (int i = 0; i < nk; i++) rf_expr_destroy(&kv[i]);
            for (int i = 0; i < na; i++) rf_expr_destroy(&av[i]);
            goto out;
        }
        rf_df *agg = rf__sqlp_df_error(rf_df_agg(inner, nk, kv, na, av));
        if (!agg || !(agg = rf__sqlp_df_error(rf_df_alias(agg, alias)))) { rf_expr_destroy(&value); goto out; }
        rf_expr *cond = NULL;
        for (int i = 0; i < nk; i++) {
            char qn[64];
            snprintf(qn, sizeof qn, "%s.__ck%d", alias, i);
            rf_expr *eq = rf_eq(outer[i], rf_col(qn));
            outer[i] = NULL;
            cond = cond ? rf_and(cond, eq) : eq;
        }
        out = rf__sqlp_df_error(rf_df_join_on(d, agg, cond, RF_JOIN_LEFT));
        if (!out) { rf_expr_destroy(&value); goto out; }
        rf_expr *col = value;
        if (col) { col->line = e->line; col->col = e->col; }
        if (e->name) col = rf_as(col, e->name);
        rf_expr_destroy(pe);
        *pe = col;
    }
out:
    for (int i = 0; i < nc; i++) rf_expr_destroy(&conj[i]);
    for (int i = 0; i < nk; i++) { rf_expr_destroy(&keys[i]); rf_expr_destroy(&outer[i]); }
    for (int i = 0; i < nt; i++) rf_expr_destroy(&theta[i]);
    rf_expr_destroy(&rest);
    return out;
}

/* How many rows of the simple subquery sq satisfy its WHERE and extra (consumed; may read the outer
 * query d, as sq's WHERE may), for each row of d: d joined with the counts, *value the count
 * (0 when none). Correlated counts go through decorrelate_general, uncorrelated ones are one
 * global count joined to every row. NULL on error (an error set). */
/* The extra condition of sub_count: none (0), the subquery's item = the outer value (1), the item IS NULL (2). */
static rf_df *sub_count(rf_sqlctx *c, rf_df *d, const rf_expr *e, int extra_kind, rf_expr **value)
{
    rf_expr *extra = NULL;
    const q_select *sq = e->sub;
    rf_df *inner = NULL, *out = NULL;
    rf_expr *conj[64], *rest = NULL, *theta[64];
    int nc = 0, nt = 0;
    *value = NULL;
    if (!simple_block(sq) || (sq->where && rf__sqlp_has_subquery(sq->where))) {
        return rf__sqlp_err_at(e->line, e->col, RF_ERR_ANALYSIS, "EXISTS / IN (subquery) inside OR, CASE or another expression needs a plain SELECT ... FROM ... WHERE subquery%s%s", "", "");
    }
    for (int i = 0; i < sq->n_from; i++) {
        rf_df *f = rf__sqlp_plan_from(c, sq->from[i]);
        if (!f) return NULL;
        inner = inner ? rf__sqlp_df_error(rf_df_join_on(inner, f, NULL, RF_JOIN_CROSS)) : f;
        if (!inner) return NULL;
    }
    if (sq->where && conj_list(sq->where, conj, &nc, 63)) return NULL;
    if (extra_kind) {   /* the item names the subquery's columns, the outer value the outer query's */
        const rf_expr *it = sq->items[0];
        if (it->kind == RF_E_CAST && it->type == RF_TYPE_NULL && it->n_arg == 1) it = it->arg[0];
        rf_expr *item = rf__sqlp_copy(it);
        qualify(item, inner->plan->schema);
        if (extra_kind == 1) {
            rf_expr *outer = rf__sqlp_copy(e->arg[0]);
            qualify(outer, d->plan->schema);
            pin(outer, d->plan->schema, inner->plan->schema);
            extra = rf_eq(item, outer);
        } else extra = rf_is_null(item);
        if (!extra) { for (int i = 0; i < nc; i++) rf_expr_destroy(&conj[i]); return rf__sqlp_err_at(e->line, e->col, RF_ERR_NOMEM, "out of memory%s%s", "", ""); }
        conj[nc++] = extra;
        extra = NULL;
    }
    for (int i = 0; i < nc; i++) {
        if (resolves_in(conj[i], inner->plan->schema)) rest = rest ? rf_and(rest, conj[i]) : conj[i];
        else theta[nt++] = conj[i];
        conj[i] = NULL;
    }
    if (rest && !(inner = rf__sqlp_df_error(rf_df_filter(inner, rest)))) { rest = NULL; goto done; }
    rest = NULL;
    if (nt) {
        rf_expr *one = rf_count(NULL);
        *value = one;
        out = decorrelate_general(d, inner, theta, nt, one, value);   /* replaces (frees) *value on success */
        nt = 0;
        if (!out) rf_expr_destroy(value);
        goto done;
    }
    {   /* uncorrelated: one count for every row */
        char alias[32], qn[64];
        snprintf(alias, sizeof alias, "__sq%d", sq_counter++);
        snprintf(qn, sizeof qn, "%s.__n", alias);
        rf_expr *cnt = rf_as(rf_count(NULL), "__n");
        rf_df *one = rf__sqlp_df_error(rf_df_agg(inner, 0, NULL, 1, &cnt));
        if (one) one = rf__sqlp_df_error(rf_df_alias(one, alias));
        if (one) out = rf__sqlp_df_error(rf_df_join_on(d, one, rf_lit_bool(true), RF_JOIN_LEFT));
        if (out && !(*value = rf_fn("coalesce", 2, rf_col(qn), rf_lit_int(0)))) { rf__err_set(RF_ERR_NOMEM, "out of memory"); out = NULL; }
    }
done:
    for (int i = 0; i < nc; i++) rf_expr_destroy(&conj[i]);
    for (int i = 0; i < nt; i++) rf_expr_destroy(&theta[i]);
    rf_expr_destroy(&rest);
    return out;
}

/* An EXISTS / IN subquery that is not a WHERE conjunct (under OR, NOT of a disjunction, CASE ...):
 * *pe becomes a boolean over per-row counts of the subquery's rows, with SQL's three-valued IN:
 *   EXISTS (q)   ->  count(q) > 0
 *   x IN (q: y)  ->  CASE WHEN count(q AND y = x) > 0 THEN TRUE WHEN count(q) = 0 THEN FALSE
 *                         WHEN x IS NULL OR count(q AND y IS NULL) > 0 THEN NULL ELSE FALSE END */
static rf_df *mark_subquery(rf_sqlctx *c, rf_df *d, rf_expr **pe)
{
    rf_expr *e = *pe, *all = NULL, *r = NULL;
    if (e->op == 1) {
        if (!(d = sub_count(c, d, e, 0, &all))) return NULL;
        r = rf_gt(all, rf_lit_int(0));
    } else {
        const q_select *sq = e->sub;
        if (row_arity(e->arg[0]) > 1 || sq->n_items != 1)
            return rf__sqlp_err_at(e->line, e->col, RF_ERR_ANALYSIS, "IN (subquery) inside OR or another expression needs one value and one column%s%s", "", "");
        rf_expr *hit = NULL, *nul = NULL;
        if (!(d = sub_count(c, d, e, 1, &hit))) return NULL;
        if (!(d = sub_count(c, d, e, 2, &nul))) { rf_expr_destroy(&hit); return NULL; }
        if (!(d = sub_count(c, d, e, 0, &all))) { rf_expr_destroy(&hit); rf_expr_destroy(&nul); return NULL; }
        rf_expr *ov = rf__sqlp_copy(e->arg[0]);
        qualify(ov, d->plan->schema);
        rf_expr *unknown = rf_or(rf_is_null(ov), rf_gt(nul, rf_lit_int(0)));
        r = rf_case(rf_lit_bool(false), 3, rf_gt(hit, rf_lit_int(0)), rf_lit_bool(true), rf_eq(all, rf_lit_int(0)), rf_lit_bool(false),
                    unknown, rf_cast(rf_lit_null(), RF_TYPE_BOOL));
    }
    if (!r) { rf__err_set(RF_ERR_NOMEM, "out of memory"); return NULL; }
    r->line = e->line;
    r->col = e->col;
    if (e->name) r = rf_as(r, e->name);
    rf_expr_destroy(pe);
    *pe = r;
    return d;
}

rf_df *rf__sqlp_scalar_lift(rf_sqlctx *c, rf_df *d, rf_expr **pe)
{
    rf_expr *e = *pe;
    if (!e) return d;
    if (e->kind == RF_E_SUBQUERY && e->op == 0) {
        rf_df *sd = rf__sqlp_plan_query(c, (const q_select *)e->sub);
        if (!sd) {
            rf_error *er = rf__err_slot();
            if (er->code == RF_ERR_ANALYSIS && strstr(er->msg, "not found")) {
                rf_error first = *er;
                rf__err_clear();
                rf_df *dd = decorrelate_scalar(c, d, pe);
                if (dd) return dd;
                if (er->code) return NULL;   /* decorrelation tried and failed: its own error */
                *er = first;
                char m[sizeof er->msg];
                snprintf(m, sizeof m, "%s", er->msg);
                int line = er->line, col = er->col;
                rf__err_set(RF_ERR_ANALYSIS, "scalar subquery: %.1200s (correlated scalar subqueries are not supported yet)", m);
                rf__err_at(line ? line : e->line, line ? col : e->col);
            }
            return NULL;
        }
        if (sd->plan->schema->n != 1) return rf__sqlp_err_at(e->line, e->col, RF_ERR_ANALYSIS, "a scalar subquery must return one column, not %s%s", sd->plan->schema->n > 1 ? "several" : "none", "");
        char alias[32], qn[300];
        snprintf(alias, sizeof alias, "__sv%d", sq_counter++);   /* __sv: one value for every row (planner.c, aggregates) */
        /* one row at most: count the rows and keep the value (max of one row is that row); more than one
         * row fails at run time, as Spark's "more than one row returned by a subquery" */
        {
            const rf_field *f = &sd->plan->schema->f[0];
            rf_expr *v = rf__expr_col_attr(f->id, f->name, f->type, true, 0);
            if (v) v->resolved = false;
            rf_expr *aggs[2] = { rf_as(rf_count(NULL), "__n"), rf_as(rf_max(v), "__v") };
            rf_df *one = rf__sqlp_df_error(rf_df_agg(sd, 0, NULL, 2, aggs));
            if (!one) return NULL;
            rf_expr *item = rf_as(rf_fn("__single_row", 2, rf_col("__n"), rf_col("__v")), "value");
            if (!(sd = rf__sqlp_df_error(rf_df_select(one, 1, item)))) return NULL;
        }
        snprintf(qn, sizeof qn, "%s.%s", alias, sd->plan->schema->f[0].name);
        rf_df *sa = rf__sqlp_df_error(rf_df_alias(sd, alias));
        if (!sa) return NULL;
        d = rf__sqlp_df_error(rf_df_join_on(d, sa, rf_lit_bool(true), RF_JOIN_LEFT));   /* no row: NULL */
        if (!d) return NULL;
        rf_expr *col = rf_col(qn);
        if (!col) { rf__err_set(RF_ERR_NOMEM, "out of memory"); return NULL; }
        col->line = e->line;
        col->col = e->col;
        if (e->name) col = rf_as(col, e->name);
        rf_expr_destroy(pe);
        *pe = col;
        return d;
    }
    if (e->kind == RF_E_SUBQUERY) return mark_subquery(c, d, pe);
    for (int i = 0; i < e->n_arg && d; i++) d = rf__sqlp_scalar_lift(c, d, &e->arg[i]);
    return d;
}

static bool simple_block(const q_select *q)
{
    return q->op == Q_PLAIN && q->n_from > 0 && !q->n_group && !q->n_gsets && !q->having && !q->distinct && q->limit < 0 && !q->n_ctes &&
           !q->n_order && !q->n_laterals && !q->n_dist && !q->n_sortw && !q->n_hints;
}

/* d semi/anti-joined with the subquery of a [NOT] EXISTS / [NOT] IN conjunct. */
/* x NOT IN (uncorrelated subquery sd) as a null-aware anti join that is a hash join: the rows of d
 * with no equal value in sd (an anti join on x = v; a NULL x matches nothing), kept only when sd is
 * empty, or when x is not NULL and sd holds no NULL (SQL's three-valued NOT IN). The two counts come
 * from one global aggregate of sd (one row, broadcast). */
rf_df *rf__sqlp_only_columns_of(rf_df *d, const rf_schema *want);

static rf_df *not_in_join(rf_df *d, const rf_expr *e, rf_df *sd)
{
    const rf_schema *in = d->plan->schema;   /* d's plan lives as long as the session's DataFrames */
    if (sd->plan->schema->n != 1) return rf__sqlp_err_at(e->line, e->col, RF_ERR_ANALYSIS, "IN (subquery) needs a subquery with one column%s%s", "", "");
    char alias[32], stats[32], qn[300], qc[64], qv[64];
    snprintf(alias, sizeof alias, "__sq%d", sq_counter++);
    snprintf(stats, sizeof stats, "__sq%d", sq_counter++);
    rf_df *right = rf__sqlp_df_error(rf_df_alias(sd, alias));
    if (!right) return NULL;
    snprintf(qn, sizeof qn, "%s.%s", alias, right->plan->schema->f[0].name);
    rf_expr *outer = rf__sqlp_copy(e->arg[0]);
    qualify(outer, in);
    pin(outer, in, right->plan->schema);
    rf_expr *outer2 = rf__sqlp_copy(outer);
    rf_expr *eq = rf_eq(outer, rf_col(qn));
    if (eq) { eq->line = e->line; eq->col = e->col; }
    rf_df *j = rf_df_join_on(d, right, eq, RF_JOIN_ANTI);
    if (j && rf_df_status(j) && !rf__err_slot()->line) rf__err_at(e->line, e->col);
    if (!(j = rf__sqlp_df_error(j))) { rf_expr_destroy(&outer2); return NULL; }
    const rf_field *f = &sd->plan->schema->f[0];
    rf_expr *v = rf__expr_col_attr(f->id, f->name, f->type, true, 0);
    if (v) v->resolved = false;
    rf_expr *aggs[2] = { rf_as(rf_count(NULL), "__n"), rf_as(rf_count(v), "__nv") };
    rf_df *st = rf__sqlp_df_error(rf_df_agg(sd, 0, NULL, 2, aggs));
    if (!st || !(st = rf__sqlp_df_error(rf_df_alias(st, stats)))) { rf_expr_destroy(&outer2); return NULL; }
    if (!(j = rf__sqlp_df_error(rf_df_join_on(j, st, NULL, RF_JOIN_CROSS)))) { rf_expr_destroy(&outer2); return NULL; }
    snprintf(qc, sizeof qc, "%s.__n", stats);
    snprintf(qv, sizeof qv, "%s.__nv", stats);
    rf_expr *keep = rf_or(rf_eq(rf_col(qc), rf_lit_int(0)), rf_and(rf_is_not_null(outer2), rf_eq(rf_col(qc), rf_col(qv))));
    if (!(j = rf__sqlp_df_error(rf_df_filter(j, keep)))) return NULL;
    return rf__sqlp_only_columns_of(j, in);
}


/* (a, b) [NOT] IN (SELECT x, y ...): a = x AND b = y, the subquery's columns given as its items (its
 * own FROM joined in) or, with alias, as the planned subquery's columns alias.c1, alias.c2. NOT IN
 * keeps a row only when every subquery row is surely different (three-valued: a pair with a NULL
 * could be equal), so the anti join matches (a = x OR a IS NULL OR x IS NULL) AND ... */
static rf_expr *row_in_cond(const rf_expr *e, rf_expr *const *items, int n, const char *alias, const rf_schema *left, const rf_schema *right, bool neg)
{
    const rf_expr *row = e->arg[0];
    if (row->n_arg != n) {
        char a[16], b[16];
        snprintf(a, sizeof a, "%d", row->n_arg);
        snprintf(b, sizeof b, "%d", n);
        rf__sqlp_err_at(e->line, e->col, RF_ERR_ANALYSIS, "IN (subquery): %s values on the left, but the subquery has %s columns", a, b);
        return NULL;
    }
    rf_expr *all = NULL;
    for (int i = 0; i < n; i++) {
        rf_expr *o = rf__sqlp_copy(row->arg[i]), *it;
        if (alias) {
            char qn[300];
            snprintf(qn, sizeof qn, "%s.%s", alias, right->f[i].name);
            it = rf_col(qn);
        } else {
            it = rf__sqlp_copy(items[i]);
            if (it && it->kind == RF_E_CAST && it->type == RF_TYPE_NULL) { rf_expr *in = it->arg[0]; it->arg[0] = NULL; rf_expr_destroy(&it); it = in; }
            qualify(it, right);
        }
        qualify(o, left);
        pin(o, left, right);
        rf_expr *eq = neg ? rf_or(rf_or(rf_eq(rf__sqlp_copy(o), rf__sqlp_copy(it)), rf_is_null(o)), rf_is_null(it)) : rf_eq(o, it);
        all = all ? rf_and(all, eq) : eq;
    }
    if (!all) rf__err_set(RF_ERR_NOMEM, "out of memory");
    else { all->line = e->line; all->col = e->col; }
    return all;
}

static rf_df *subquery_join(rf_sqlctx *c, rf_df *d, const rf_expr *e, bool neg)
{
    const q_select *sq = e->sub;
    rf_df *right = NULL;
    rf_expr *cond = NULL;
    if (neg && e->op == 2 && row_arity(e->arg[0]) <= 1) {   /* NOT IN: an uncorrelated subquery gets the null-aware hash anti join */
        rf_error saved = *rf__err_slot();
        rf_df *sd = rf__sqlp_plan_query(c, sq);
        if (sd) return not_in_join(d, e, sd);
        *rf__err_slot() = saved;   /* correlated: the nested loop below */
    }
    bool star = e->op == 2 && sq->op == Q_PLAIN && sq->n_items == 1 && sq->items[0]->kind == RF_E_COL && !strcmp(sq->items[0]->name, "*");
    rf_df *sd = NULL;
    if (simple_block(sq) && !rf__sqlp_has_agg(sq->where) && !star) {   /* else planned whole (uncorrelated) */
        bool items_agg = false;
        for (int i = 0; i < sq->n_items; i++) items_agg |= rf__sqlp_has_agg(sq->items[i]);
        if (!items_agg) {
            for (int i = 0; i < sq->n_from; i++) {
                rf_df *f = rf__sqlp_plan_from(c, sq->from[i]);
                if (!f) return NULL;
                right = right ? rf__sqlp_df_error(rf_df_join_on(right, f, NULL, RF_JOIN_CROSS)) : f;
                if (!right) return NULL;
            }
            if (shares_table_name(d->plan->schema, right->plan->schema)) {
                /* FROM t WHERE x IN (SELECT x FROM t ...): the subquery's names shadow the outer query's,
                 * so the join could not tell the sides apart; planned whole (under an alias) when it
                 * does not read the outer query */
                rf_error saved = *rf__err_slot();
                if ((sd = rf__sqlp_plan_query(c, sq))) { rf_df_release(&right); goto whole; }
                *rf__err_slot() = saved;
            }
            if (sq->where && rf__sqlp_has_subquery(sq->where)) {
                /* the subquery's own subqueries apply to its FROM (a semi join, a lifted scalar ...); the
                 * other conjuncts, which may read the outer query, join it */
                rf_expr *conj[64], *inner = NULL;
                int nc = 0;
                if (conj_list(sq->where, conj, &nc, 64)) return NULL;
                for (int i = 0; i < nc; i++) {
                    if (!conj[i]) { rf__err_set(RF_ERR_NOMEM, "out of memory"); for (int k = i; k < nc; k++) rf_expr_destroy(&conj[k]); rf_expr_destroy(&inner); rf_expr_destroy(&cond); return NULL; }
                    if (rf__sqlp_has_subquery(conj[i])) inner = inner ? rf_and(inner, conj[i]) : conj[i];
                    else { qualify(conj[i], right->plan->schema); cond = cond ? rf_and(cond, conj[i]) : conj[i]; }
                }
                right = rf__sqlp_where_with_subqueries(c, right, inner);
                rf_expr_destroy(&inner);
                if (!right) { rf_expr_destroy(&cond); return NULL; }
            } else if (sq->where) { cond = rf__sqlp_copy(sq->where); qualify(cond, right->plan->schema); }
            if (e->op == 2 && row_arity(e->arg[0]) > 1) {   /* (a, b) IN (SELECT x, y ...): a = x AND b = y */
                rf_expr *eq = row_in_cond(e, sq->items, sq->n_items, NULL, d->plan->schema, right->plan->schema, neg);
                if (!eq) return NULL;
                cond = cond ? rf_and(eq, cond) : eq;
            } else if (e->op == 2) {
                if (sq->n_items != 1) return rf__sqlp_err_at(e->line, e->col, RF_ERR_ANALYSIS, "IN (subquery) needs a subquery with one column%s%s", "", "");
                rf_expr *item = rf__sqlp_copy(sq->items[0]), *outer = rf__sqlp_copy(e->arg[0]);
                if (item && item->kind == RF_E_CAST && item->type == RF_TYPE_NULL) { rf_expr *in = item->arg[0]; item->arg[0] = NULL; rf_expr_destroy(&item); item = in; }
                qualify(item, right->plan->schema);
                qualify(outer, d->plan->schema);
                pin(outer, d->plan->schema, right->plan->schema);
                rf_expr *eq;
                if (neg) {   /* x NOT IN (...) is not true when x or any value is NULL: a null-aware anti join */
                    rf_expr *o2 = rf__sqlp_copy(outer), *i2 = rf__sqlp_copy(item);
                    eq = rf_or(rf_or(rf_eq(outer, item), rf_is_null(o2)), rf_is_null(i2));
                } else eq = rf_eq(outer, item);
                if (eq) { eq->line = e->line; eq->col = e->col; }
                cond = cond ? rf_and(eq, cond) : eq;
            }
        }
    }
whole:
    if (!right) {   /* a whole (uncorrelated) subquery */
        if (!sd && !(sd = rf__sqlp_plan_query(c, sq))) return NULL;
        char alias[32];
        snprintf(alias, sizeof alias, "__sq%d", sq_counter++);
        if (!(right = rf__sqlp_df_error(rf_df_alias(sd, alias)))) return NULL;
        if (e->op == 2 && row_arity(e->arg[0]) > 1) {
            if (!(cond = row_in_cond(e, NULL, right->plan->schema->n, alias, d->plan->schema, right->plan->schema, neg))) return NULL;
        } else if (e->op == 2) {
            if (right->plan->schema->n != 1) return rf__sqlp_err_at(e->line, e->col, RF_ERR_ANALYSIS, "IN (subquery) needs a subquery with one column%s%s", "", "");
            char qn[300];
            snprintf(qn, sizeof qn, "%s.%s", alias, right->plan->schema->f[0].name);
            rf_expr *outer = rf__sqlp_copy(e->arg[0]);
            qualify(outer, d->plan->schema);
            pin(outer, d->plan->schema, right->plan->schema);
            if (neg) cond = rf_or(rf_or(rf_eq(rf__sqlp_copy(outer), rf_col(qn)), rf_is_null(outer)), rf_is_null(rf_col(qn)));
            else cond = rf_eq(outer, rf_col(qn));
        }
    }
    if (!cond) cond = rf_lit_bool(true);
    rf_df *j = rf_df_join_on(d, right, cond, neg ? RF_JOIN_ANTI : RF_JOIN_SEMI);
    if (j && rf_df_status(j) && !rf__err_slot()->line) rf__err_at(e->line, e->col);
    return rf__sqlp_df_error(j);
}

/* WHERE with subqueries: joins for [NOT] EXISTS / IN conjuncts, a filter for the rest. */
static rf_df *where_with_subqueries_(rf_sqlctx *c, rf_df *d, const rf_expr *where, const rf_schema *in);

/* d with the columns of `want` only, in its order (the values a scalar subquery joined in are not
 * the query's columns: SELECT * must not show them). d itself when nothing was added. */
rf_df *rf__sqlp_only_columns_of(rf_df *d, const rf_schema *want)
{
    const rf_schema *s = d->plan->schema;
    if (s->n == want->n) return d;
    rf_expr **v = rf_calloc((size_t)(want->n ? want->n : 1), sizeof *v);
    if (!v) { rf__err_set(RF_ERR_NOMEM, "out of memory"); return NULL; }
    for (int i = 0; i < want->n; i++) {
        const rf_field *f = &want->f[i];
        if ((v[i] = rf__expr_col_attr(f->id, f->name, f->type, f->nullable, -1))) {
            v[i]->resolved = false;
            if (f->qual) v[i]->qual = rf_strdup(f->qual);
        }
    }
    rf_df *r = rf__sqlp_df_error(rf_df_selectv(d, want->n, v));
    rf_free(v);
    return r;
}

rf_df *rf__sqlp_where_with_subqueries(rf_sqlctx *c, rf_df *d, const rf_expr *where)
{
    rf_schema *in = NULL;
    if (rf_schema_copy(d->plan->schema, &in)) return NULL;
    rf_df *r = where_with_subqueries_(c, d, where, in);
    rf_schema_destroy(&in);
    return r;
}

static rf_df *where_with_subqueries_(rf_sqlctx *c, rf_df *d, const rf_expr *where, const rf_schema *in)
{
    rf_expr **stack = NULL, *rest = NULL;
    rf_conj restc = { 0 };
    int64_t n = 0, cap = 0;
    if (rf__grow((void **)&stack, &cap, 1, sizeof *stack)) return NULL;
    stack[n++] = rf__sqlp_copy(where);
    while (n > 0 && d) {
        rf_expr *e = stack[--n];
        if (!e) { rf__err_set(RF_ERR_NOMEM, "out of memory"); d = NULL; break; }
        if (e->kind == RF_E_AND) {
            if (rf__grow((void **)&stack, &cap, n + 2, sizeof *stack)) { rf_expr_destroy(&e); d = NULL; break; }
            stack[n++] = e->arg[1];
            stack[n++] = e->arg[0];
            e->arg[0] = e->arg[1] = NULL;
            rf_expr_destroy(&e);
            continue;
        }
        bool neg = e->kind == RF_E_NOT && e->arg[0]->kind == RF_E_SUBQUERY && e->arg[0]->op != 0;
        const rf_expr *sq = neg ? e->arg[0] : e;
        if (sq->kind == RF_E_SUBQUERY && sq->op != 0) {
            d = subquery_join(c, d, sq, neg);
            rf_expr_destroy(&e);
            continue;
        }
        if (rf__sqlp_has_subquery(e) && !(d = rf__sqlp_scalar_lift(c, d, &e))) { rf_expr_destroy(&e); break; }
        rf__conj_add(&restc, e);
    }
    rest = rf__conj_build(&restc, false);
    while (n > 0) rf_expr_destroy(&stack[--n]);
    rf_free(stack);
    if (!d) { rf_expr_destroy(&rest); return NULL; }
    if (rest && !(d = rf__sqlp_df_error(rf_df_filter(d, rest)))) return NULL;
    return rf__sqlp_only_columns_of(d, in);
}

