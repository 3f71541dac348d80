/*
 * rule_prune.c — optimizer rule: column pruning.
 *
 * Walks the plan top-down with the set of attributes the parent needs. Scans read only those
 * columns (and CSV parsing skips converting the rest); projections drop items nobody uses; the
 * schemas of filters, sorts, limits and joins shrink to match their inputs.
 */
#include <stdlib.h>
#include "plan/plan.h"

typedef struct { int64_t *ids; int64_t n, cap; } idset;

static bool has(const idset *s, int64_t id)
{
    for (int64_t i = 0; i < s->n; i++) if (s->ids[i] == id) return true;
    return false;
}

static int add(idset *s, int64_t id)
{
    if (has(s, id)) return RF_OK;
    int rc = rf__grow((void **)&s->ids, &s->cap, s->n + 1, sizeof *s->ids);
    if (!rc) s->ids[s->n++] = id;
    return rc;
}

static int add_expr(idset *s, const rf_expr *e) { return e ? rf__expr_attrs(e, &s->ids, &s->n, &s->cap) : RF_OK; }

static int add_all(idset *s, const rf_schema *sc)
{
    for (int i = 0; i < sc->n; i++) { int rc = add(s, sc->f[i].id); if (rc) return rc; }
    return RF_OK;
}

/* Rebuilds p's schema from its children (for the kinds whose output is derived from the input). */
static int refresh(rf_plan *p)
{
    rf_schema *s = NULL;
    int rc;
    if (p->kind == RF_L_JOIN) {
        const rf_schema *l = p->child[0]->schema, *r = p->child[1]->schema;
        bool left_only = p->mode == RF_JOIN_SEMI || p->mode == RF_JOIN_ANTI;
        int n = l->n + (left_only ? 0 : r->n);
        if ((rc = rf_schema_create(n, &s))) return rc;
        for (int i = 0; i < n; i++) {
            const rf_field *f = i < l->n ? &l->f[i] : &r->f[i - l->n];
            s->f[i] = *f;
            s->f[i].name = rf_strdup(f->name);
            s->f[i].qual = rf_strdup(f->qual);
            if (p->mode == RF_JOIN_FULL || (p->mode == RF_JOIN_LEFT && i >= l->n) || (p->mode == RF_JOIN_RIGHT && i < l->n))
                s->f[i].nullable = true;
        }
    } else if (p->kind == RF_L_GENERATE || p->kind == RF_L_WINDOW) {
        /* the child's columns, then the columns this node adds (the last `extra` of the old schema) */
        const rf_schema *c = p->child[0]->schema;
        int extra = p->kind == RF_L_GENERATE ? rf__gen_extra(p->n) : p->n_exprs;
        if ((rc = rf_schema_create(c->n + extra, &s))) return rc;
        for (int i = 0; i < c->n; i++) {
            s->f[i] = c->f[i];
            s->f[i].name = rf_strdup(c->f[i].name);
            s->f[i].qual = rf_strdup(c->f[i].qual);
        }
        for (int k = 0; k < extra; k++) {
            rf_field g = p->schema->f[p->schema->n - extra + k];
            s->f[c->n + k] = g;
            s->f[c->n + k].name = rf_strdup(g.name);
            s->f[c->n + k].qual = NULL;
        }
    } else {
        if ((rc = rf_schema_copy(p->child[0]->schema, &s))) return rc;
    }
    rf_schema_destroy(&p->schema);
    p->schema = s;
    return RF_OK;
}

static int prune(rf_plan *p, idset *need)
{
    idset cn = { 0 };
    int rc = RF_OK;
    switch (p->kind) {
    case RF_L_SCAN: {
        rf_source *src = p->src;
        int keep = 0;
        for (int i = 0; i < p->schema->n; i++) keep += has(need, p->schema->f[i].id);
        if (keep == p->schema->n) return RF_OK;
        bool none = keep == 0;   /* count(*) still needs rows: keep the first column */
        if (none) keep = 1;
        rf_schema *s = NULL;
        RF_TRY(rf_schema_create(keep, &s));
        int k = 0;
        for (int i = 0; i < p->schema->n; i++) {
            if (none ? i != 0 : !has(need, p->schema->f[i].id)) continue;
            s->f[k] = p->schema->f[i];
            s->f[k].name = rf_strdup(p->schema->f[i].name);
            s->f[k].qual = rf_strdup(p->schema->f[i].qual);
            src->read[k] = src->read[i];
            k++;
        }
        src->n_read = k;
        rf_schema_destroy(&p->schema);
        p->schema = s;
        return RF_OK;
    }
    case RF_L_PROJECT: {
        int k = 0;
        for (int i = 0; i < p->n_exprs; i++) {
            if (!has(need, p->schema->f[i].id) && p->n_exprs > 1 && k + (p->n_exprs - i) > 1) {
                rf_expr_destroy(&p->exprs[i]);
                rf_free(p->schema->f[i].name);
                rf_free(p->schema->f[i].qual);
                continue;
            }
            p->exprs[k] = p->exprs[i];
            p->schema->f[k] = p->schema->f[i];
            k++;
        }
        p->n_exprs = k;
        p->schema->n = k;
        for (int i = 0; i < k; i++) RF_TRY(add_expr(&cn, p->exprs[i]));
        RF_TRY(prune(p->child[0], &cn));
        break;
    }
    case RF_L_FILTER: case RF_L_SORT: case RF_L_LIMIT: case RF_L_REPART: case RF_L_COALESCE:
        for (int64_t i = 0; i < need->n; i++) RF_TRY(add(&cn, need->ids[i]));
        RF_TRY(add_expr(&cn, p->cond));
        for (int i = 0; i < p->n_exprs; i++) RF_TRY(add_expr(&cn, p->exprs[i]));
        RF_TRY(prune(p->child[0], &cn));
        RF_TRY(refresh(p));
        break;
    case RF_L_GENERATE: case RF_L_WINDOW:
        for (int64_t i = 0; i < need->n; i++) RF_TRY(add(&cn, need->ids[i]));
        RF_TRY(add_expr(&cn, p->cond));
        for (int i = 0; i < p->n_exprs; i++) RF_TRY(add_expr(&cn, p->exprs[i]));
        RF_TRY(prune(p->child[0], &cn));
        RF_TRY(refresh(p));
        break;
    case RF_L_AGG:
        if (p->mode & RF_LAGG_STATE_IN) RF_TRY(add_all(&cn, p->child[0]->schema));   /* states by position */
        for (int i = 0; i < p->n_exprs; i++) RF_TRY(add_expr(&cn, p->exprs[i]));
        for (int i = 0; i < p->n_exprs2; i++) RF_TRY(add_expr(&cn, p->exprs2[i]));
        RF_TRY(prune(p->child[0], &cn));
        break;
    case RF_L_JOIN:
        for (int64_t i = 0; i < need->n; i++) RF_TRY(add(&cn, need->ids[i]));
        RF_TRY(add_expr(&cn, p->cond));
        RF_TRY(prune(p->child[0], &cn));
        RF_TRY(prune(p->child[1], &cn));
        RF_TRY(refresh(p));
        break;
    case RF_L_CACHE: {   /* a cache holds every column of its input, whatever this job needs */
        idset all = { 0 };
        rc = add_all(&all, p->child[0]->schema);
        if (!rc) rc = prune(p->child[0], &all);
        rf_free(all.ids);
        break;
    }
    case RF_L_UNION:
        for (int i = 0; i < p->n_child; i++) {
            idset all = { 0 };
            rc = add_all(&all, p->child[i]->schema);
            if (!rc) rc = prune(p->child[i], &all);
            rf_free(all.ids);
            if (rc) goto done;
        }
        break;
    default:
        break;
    }
done:
    rf_free(cn.ids);
    return rc;
}

int rf__rule_prune(rf_plan **pp, rf_optctx *ctx)
{
    (void)ctx;
    idset all = { 0 };
    int rc = add_all(&all, (*pp)->schema);
    if (!rc) rc = prune(*pp, &all);
    rf_free(all.ids);
    return rc;
}
