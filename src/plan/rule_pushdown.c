/*
 * rule_pushdown.c — optimizer rule: predicate pushdown.
 *
 * Moves filters toward the scans: merges stacked filters, passes them through projections (by
 * substituting the projected expressions), sorts, repartitions, unions (one copy per branch,
 * remapped by position), generators and aggregations (conjuncts on grouping keys only), and splits
 * them over joins: a conjunct that needs one side only goes to that side where the join type allows
 * it, one over both sides of an inner or cross join joins its condition (the cross join becomes an
 * inner join, and an equality a key), and conjuncts in an inner join's ON clause that need one side
 * only are pushed the same way. A LIMIT moves below projections (ORDER BY ... LIMIT n is then a top-n).
 */
#include <stdlib.h>
#include "plan/plan.h"
#include "core/limits.h"

/* Splits an AND tree into conjuncts (consumes e). */
static int conjuncts(rf_expr *e, rf_expr ***v, int64_t *n, int64_t *cap)
{
    if (e->kind == RF_E_AND && !e->name) {
        rf_expr *a = e->arg[0], *b = e->arg[1];
        e->arg[0] = e->arg[1] = NULL;
        rf_expr_destroy(&e);
        int rc = conjuncts(a, v, n, cap);
        if (rc) { rf_expr_destroy(&b); return rc; }
        return conjuncts(b, v, n, cap);
    }
    int rc = rf__grow((void **)v, cap, *n + 1, sizeof **v);
    if (rc) { rf_expr_destroy(&e); return rc; }
    (*v)[(*n)++] = e;
    return RF_OK;
}

/* AND of v[0..n) (consumed; NULL entries skipped), balanced; NULL when none is left. */
static rf_expr *and_all(rf_expr **v, int64_t n)
{
    rf_conj c = { 0 };
    for (int64_t i = 0; i < n; i++) if (v[i]) { rf__conj_add(&c, v[i]); v[i] = NULL; }
    return rf__conj_build(&c, true);
}

/* Wraps child in a Filter(cond); consumes cond. */
static int add_filter(rf_plan **child, rf_expr *cond)
{
    if (!cond) return RF_OK;
    if ((*child)->kind == RF_L_FILTER) {
        rf_expr *v[2] = { (*child)->cond, cond };
        (*child)->cond = and_all(v, 2);
        return (*child)->cond ? RF_OK : rf__err_set(RF_ERR_NOMEM, "out of memory");
    }
    rf_plan *f = NULL;
    int rc = rf__plan_new(RF_L_FILTER, 1, &f);
    if (rc) { rf_expr_destroy(&cond); return rc; }
    f->cond = cond;
    f->child[0] = *child;
    if ((rc = rf_schema_copy((*child)->schema, &f->schema))) { f->child[0] = NULL; rf__plan_destroy(&f); return rc; }
    *child = f;
    return RF_OK;
}

/* Replaces references to attributes of `from` (by position) with expressions `to[i]` (copies). */
static int substitute(rf_expr **pe, const rf_schema *from, rf_expr **to)
{
    rf_expr *e = *pe;
    if (e->kind == RF_E_COL) {
        for (int i = 0; i < from->n; i++)
            if (from->f[i].id == e->attr) {
                rf_expr *c;
                int rc = rf__expr_copy(to[i], &c);
                if (rc) return rc;
                if (c->kind == RF_E_CAST && c->name) RF_FREE(c->name);
                else if (c->kind != RF_E_COL) RF_FREE(c->name);
                rf_expr_destroy(pe);
                *pe = c;
                return RF_OK;
            }
        return RF_OK;
    }
    for (int i = 0; i < e->n_arg; i++) {
        int rc = substitute(&e->arg[i], from, to);
        if (rc) return rc;
    }
    return RF_OK;
}

/* Size and depth cond would have after substitute(): n counts nodes (saturating at cap), d depth. */
static void subst_size(const rf_expr *e, const rf_schema *from, rf_expr *const *to, int64_t cap, int64_t *n, int depth, int *d)
{
    if (*n > cap) return;
    if (e->kind == RF_E_COL)
        for (int i = 0; i < from->n; i++)
            if (from->f[i].id == e->attr) {
                int64_t k = 0;
                int dd = 0;
                subst_size(to[i], &(rf_schema){ 0 }, NULL, cap, &k, depth, &dd);
                *n += k;
                if (dd > *d) *d = dd;
                return;
            }
    (*n)++;
    if (depth + 1 > *d) *d = depth + 1;
    for (int i = 0; i < e->n_arg && *n <= cap; i++) subst_size(e->arg[i], from, to, cap, n, depth + 1, d);
}

/* A filter moves below a projection by inlining the projected expressions. Each level can double
 * it (SELECT x + x AS x stacked), so it moves only while it does not grow, or while it stays under
 * RF_MAX_PUSHED_NODES nodes and RF_MAX_PUSHED_DEPTH levels; otherwise it stays where it is
 * (the answer is the same; only where the rows are dropped changes). */
static bool worth_inlining(const rf_expr *cond, const rf_schema *from, rf_expr *const *to)
{
    int64_t before = 0, after = 0;
    int db = 0, da = 0;
    subst_size(cond, &(rf_schema){ 0 }, NULL, INT64_MAX / 2, &before, 0, &db);
    subst_size(cond, from, to, before > RF_MAX_PUSHED_NODES ? before : RF_MAX_PUSHED_NODES, &after, 0, &da);
    if (after <= before && da <= db) return true;
    return after <= RF_MAX_PUSHED_NODES && da <= RF_MAX_PUSHED_DEPTH;
}

static bool refs_attr(const rf_expr *e, int64_t attr)
{
    if (e->kind == RF_E_COL) return e->attr == attr;
    for (int i = 0; i < e->n_arg; i++) if (refs_attr(e->arg[i], attr)) return true;
    return false;
}

static bool has_explode_or_agg(const rf_expr *e)
{
    if (e->kind == RF_E_AGG || (e->kind == RF_E_FUNC && rf__is_generator(e->op))) return true;
    for (int i = 0; i < e->n_arg; i++) if (has_explode_or_agg(e->arg[i])) return true;
    return false;
}

/* Tries to push p (a Filter) one level down. Returns true in *moved when the tree changed. */
static int push_filter(rf_plan **pp, bool *moved)
{
    rf_plan *f = *pp, *c = f->child[0];
    rf_expr **v = NULL;
    int64_t n = 0, cap = 0;
    int rc = RF_OK;
    switch (c->kind) {
    case RF_L_FILTER: {   /* merge */
        rf_expr *a[2] = { c->cond, f->cond };
        c->cond = and_all(a, 2);
        f->cond = NULL;
        f->child[0] = NULL;
        rf__plan_destroy(pp);
        *pp = c;
        *moved = true;
        return c->cond ? RF_OK : rf__err_set(RF_ERR_NOMEM, "out of memory");
    }
    case RF_L_PROJECT: {
        for (int i = 0; i < c->n_exprs; i++) if (has_explode_or_agg(c->exprs[i])) return RF_OK;
        if (!worth_inlining(f->cond, c->schema, c->exprs)) return RF_OK;
        RF_TRY(substitute(&f->cond, c->schema, c->exprs));
        RF_TRY(add_filter(&c->child[0], f->cond));
        f->cond = NULL;
        f->child[0] = NULL;
        rf__plan_destroy(pp);
        *pp = c;
        *moved = true;
        return RF_OK;
    }
    case RF_L_SORT: case RF_L_REPART: case RF_L_COALESCE:
        RF_TRY(add_filter(&c->child[0], f->cond));
        f->cond = NULL;
        f->child[0] = NULL;
        rf__plan_destroy(pp);
        *pp = c;
        *moved = true;
        return RF_OK;
    case RF_L_UNION: {
        for (int k = 0; k < c->n_child; k++) {
            rf_expr *copy = NULL;
            RF_TRY(rf__expr_copy(f->cond, &copy));
            rf_expr **cols = rf_calloc((size_t)c->schema->n, sizeof *cols);
            if (!cols) { rf_expr_destroy(&copy); return rf__err_set(RF_ERR_NOMEM, "out of memory"); }
            const rf_schema *cs = c->child[k]->schema;
            for (int i = 0; i < cs->n && i < c->schema->n; i++)
                cols[i] = rf__expr_col_attr(cs->f[i].id, cs->f[i].name, cs->f[i].type, cs->f[i].nullable, i);
            rc = substitute(&copy, c->schema, cols);
            for (int i = 0; i < c->schema->n; i++) rf_expr_destroy(&cols[i]);
            rf_free(cols);
            if (rc) { rf_expr_destroy(&copy); return rc; }
            RF_TRY(add_filter(&c->child[k], copy));
        }
        f->child[0] = NULL;
        rf__plan_destroy(pp);
        *pp = c;
        *moved = true;
        return RF_OK;
    }
    case RF_L_GENERATE: case RF_L_AGG: case RF_L_JOIN: {
        RF_TRY(conjuncts(f->cond, &v, &n, &cap));
        f->cond = NULL;
        int64_t keep = 0;
        bool any = false;
        for (int64_t i = 0; i < n; i++) {
            rf_expr *e = v[i];
            int side = -1;
            if (c->kind == RF_L_GENERATE) {
                bool gen = false;
                for (int g = c->schema->n - rf__gen_extra(c->n); g < c->schema->n && !gen; g++) gen = refs_attr(e, c->schema->f[g].id);
                if (!gen) side = 0;   /* over the input's columns only: every row of one input row goes or stays together */
            } else if (c->kind == RF_L_AGG) {
                /* only conjuncts over grouping columns that are plain columns */
                bool ok = true;
                int64_t *ids = NULL, ni = 0, ic = 0;
                RF_TRY(rf__expr_attrs(e, &ids, &ni, &ic));
                for (int64_t k = 0; k < ni && ok; k++) {
                    bool found = false;
                    for (int g = 0; g < c->n_exprs; g++)
                        if (c->exprs[g]->kind == RF_E_COL && c->exprs[g]->attr == ids[k]) found = true;
                    ok = found;
                }
                rf_free(ids);
                if (ok && ni > 0) side = 0;
            } else {
                bool l = rf__expr_refs_only(e, c->child[0]->schema), r = rf__expr_refs_only(e, c->child[1]->schema);
                int t = c->mode;
                if (l && (t == RF_JOIN_INNER || t == RF_JOIN_LEFT || t == RF_JOIN_SEMI || t == RF_JOIN_ANTI || t == RF_JOIN_CROSS)) side = 0;
                else if (r && !l && (t == RF_JOIN_INNER || t == RF_JOIN_RIGHT || t == RF_JOIN_CROSS)) side = 1;
            }
            if (side >= 0) {
                RF_TRY(add_filter(&c->child[side], e));
                v[i] = NULL;
                any = true;
            } else if (c->kind == RF_L_JOIN && (c->mode == RF_JOIN_INNER || c->mode == RF_JOIN_CROSS) && !has_explode_or_agg(e)) {
                /* a condition over both sides of an inner or cross join joins them: it may be a key */
                rf_expr *w[2] = { c->cond, e };
                c->cond = and_all(w, 2);
                if (!c->cond) { v[i] = NULL; rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); goto done; }
                c->mode = RF_JOIN_INNER;
                v[i] = NULL;
                any = true;
            } else {
                v[keep++] = e;
                if (keep - 1 != i) v[i] = NULL;
            }
        }
        if (keep == 0) {
            f->child[0] = NULL;
            rf__plan_destroy(pp);
            *pp = c;
        } else {
            f->cond = and_all(v, keep);
            if (!f->cond) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); goto done; }
        }
        *moved = any;
        rf_free(v);
        return RF_OK;
    }
    default:
        return RF_OK;
    }
done:
    for (int64_t i = 0; i < n; i++) rf_expr_destroy(&v[i]);
    rf_free(v);
    return rc;
}

/* Pushes one-sided conjuncts of a join's ON condition into its inputs. */
static int push_join_cond(rf_plan *j)
{
    if (!j->cond) return RF_OK;
    rf_expr **v = NULL;
    int64_t n = 0, cap = 0, keep = 0;
    int rc = conjuncts(j->cond, &v, &n, &cap);
    j->cond = NULL;
    if (rc) goto done;
    int t = j->mode;
    for (int64_t i = 0; i < n; i++) {
        rf_expr *e = v[i];
        bool l = rf__expr_refs_only(e, j->child[0]->schema), r = rf__expr_refs_only(e, j->child[1]->schema);
        int side = -1;
        if (l && !r && (t == RF_JOIN_INNER || t == RF_JOIN_SEMI || t == RF_JOIN_RIGHT || t == RF_JOIN_CROSS)) side = 0;
        if (r && !l && (t == RF_JOIN_INNER || t == RF_JOIN_SEMI || t == RF_JOIN_LEFT || t == RF_JOIN_ANTI || t == RF_JOIN_CROSS)) side = 1;
        if (side >= 0) {
            v[i] = NULL;
            RF_TRY(add_filter(&j->child[side], e));
        } else {
            v[i] = NULL;
            v[keep++] = e;
        }
    }
    j->cond = and_all(v, keep);
    if (keep && !j->cond) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
done:
    rf_free(v);
    return rc;
}

/* LIMIT n over a projection goes below it (a projection maps rows one to one and keeps their order),
 * so that ORDER BY ... LIMIT n written as LIMIT(Project(Sort)) plans as a top-n. */
static int limit_below_project(rf_plan **pp)
{
    for (int guard = 0; guard < 64; guard++) {
        rf_plan *l = *pp, *pr = l->child[0];
        if (l->kind != RF_L_LIMIT || pr->kind != RF_L_PROJECT) return RF_OK;
        for (int i = 0; i < pr->n_exprs; i++)
            if (has_explode_or_agg(pr->exprs[i]) || rf__expr_has_window(pr->exprs[i])) return RF_OK;
        rf_schema *s = NULL;
        int rc = rf_schema_copy(pr->child[0]->schema, &s);
        if (rc) return rc;
        l->child[0] = pr->child[0];
        rf_schema_destroy(&l->schema);
        l->schema = s;
        pr->child[0] = l;
        *pp = pr;
    }
    return RF_OK;
}

int rf__rule_pushdown(rf_plan **pp, rf_optctx *ctx)
{
    int rc;
    bool moved = true;
    if ((*pp)->kind == RF_L_LIMIT && (rc = limit_below_project(pp))) return rc;
    for (int guard = 0; moved && guard < 64; guard++) {
        moved = false;
        if ((*pp)->kind == RF_L_FILTER && (rc = push_filter(pp, &moved))) return rc;
    }
    rf_plan *p = *pp;
    if (p->kind == RF_L_JOIN && (rc = push_join_cond(p))) return rc;
    for (int i = 0; i < p->n_child; i++)
        if ((rc = rf__rule_pushdown(&p->child[i], ctx))) return rc;
    return RF_OK;
}
