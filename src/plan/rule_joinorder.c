/*
 * rule_joinorder.c — optimizer rule: join order for trees of inner and cross joins.
 *
 * A tree of inner / cross joins (comma joins, JOIN ... ON, with the filters between them) is taken
 * apart into a join graph: its inputs (the leaves: scans, aggregates, outer / semi / anti joins...)
 * and the conjuncts of every condition and filter in it. The graph is put back together left-deep,
 * each join taking every conjunct whose inputs are now all present; the right side of each join is
 * what a hash join builds (or broadcasts). The order:
 *   - up to DP_LEAVES inputs, by dynamic programming over the subsets of inputs (Selinger-style,
 *     left-deep): a step adds an input that an equality connects to the subset (a cross product only
 *     when nothing is connected), and costs the rows it probes plus twice the input it builds. A
 *     subset's size is its largest input's unfiltered size times the filter selectivity of every
 *     input in it (each equality taken as a key / foreign-key join: a filtered dimension table
 *     thins the fact rows it joins by its selectivity);
 *   - beyond, greedily: the input estimated largest first (it is streamed, never built), then, step
 *     by step, the smallest input an equality connects to what is joined so far.
 * Either way the small inputs end up built and the large one probed, and no join is a cross
 * product that a predicate could have avoided. A projection on top restores the columns' order.
 * Trees of fewer than three inputs keep the order the query wrote.
 *
 * Estimates (rf__plan_estimate) are bytes: a scan's file bytes over the columns read, a filter's
 * input times a selectivity per conjunct (equality with a constant 1/10, IN 1/5, LIKE 1/4, a range
 * 1/3, anything else 1/2) or, over an HDF5 table, the share of rows in the row groups its
 * statistics do not rule out when that is smaller, an aggregation's input over 3 (a global one: a row). The broadcast choice
 * uses rf__plan_size, the same without filter selectivity (as Spark without statistics sizes a filter
 * as its input): a guessed selectivity must not broadcast a large table.
 */
#include <stdlib.h>
#include "plan/plan.h"

#define MAX_LEAVES 64
#define DP_LEAVES 12   /* 2^12 subsets */

static double selectivity(const rf_expr *e)
{
    switch (e->kind) {
    case RF_E_AND: return selectivity(e->arg[0]) * selectivity(e->arg[1]);
    case RF_E_OR: { double a = selectivity(e->arg[0]), b = selectivity(e->arg[1]); return a + b - a * b; }
    case RF_E_EQ: case RF_E_EQNS: return e->arg[0]->kind == RF_E_LIT || e->arg[1]->kind == RF_E_LIT ? 0.1 : 0.5;
    case RF_E_IN: return 0.2;
    case RF_E_LT: case RF_E_LE: case RF_E_GT: case RF_E_GE: case RF_E_BETWEEN: return 1.0 / 3;
    case RF_E_FUNC: return e->op == RF_F_LIKE ? 0.25 : 0.5;
    case RF_E_NOT: return 1 - selectivity(e->arg[0]) / 2;
    default: return 0.5;
    }
}

static double estimate_(const rf_plan *l, bool sel)
{
    if (l->est_bytes == 0) return 0;   /* a BROADCAST hint */
    switch (l->kind) {
    case RF_L_SCAN: {
        double total = 0;
        for (int i = 0; i < l->src->n_files; i++) total += (double)l->src->sizes[i];
        int all = l->src->file_schema ? l->src->file_schema->n : 1;
        return total * (double)(l->src->n_read > 0 ? l->src->n_read : 1) / (double)(all > 0 ? all : 1);
    }
    case RF_L_FILTER: {
        double in = estimate_(l->child[0], sel), f = l->cond && sel ? selectivity(l->cond) : 1;
        const rf_plan *c = l->child[0];
        if (sel && l->cond && c->kind == RF_L_SCAN && c->src && c->src->rg && c->src->rg->n > 0) {
            /* an HDF5 table: no more than the rows of the row groups its statistics cannot rule out */
            const rf_rowgroups *rg = c->src->rg;
            double all = 0, may = 0;
            for (int64_t g = 0; g < rg->n; g++) {
                all += (double)rg->rows[g];
                if (rf__rowgroup_may_match(l->cond, c->src, c->schema, g)) may += (double)rg->rows[g];
            }
            if (all > 0 && may / all < f) f = may / all;
        }
        return in * f;
    }
    case RF_L_AGG: return l->n_exprs == 0 ? 64 : estimate_(l->child[0], sel) / 3;
    case RF_L_LIMIT: { double c = estimate_(l->child[0], sel), n = (double)l->n * 64; return n < c ? n : c; }
    case RF_L_VALUES:
        if (l->mode == 1 && l->n_exprs == 3) {   /* range(): 8 bytes a row */
            double a = (double)l->exprs[0]->lit.v.i, b = (double)l->exprs[1]->lit.v.i, st = (double)l->exprs[2]->lit.v.i;
            double rows = st ? (b - a) / st : 0;
            return rows > 0 ? rows * 8 : 0;
        }
        return (double)(l->n + 1) * 64;
    case RF_L_JOIN: {
        double a = estimate_(l->child[0], sel), b = estimate_(l->child[1], sel);
        if (l->mode == RF_JOIN_SEMI || l->mode == RF_JOIN_ANTI) return a / 2;
        if (l->mode == RF_JOIN_CROSS && !l->cond) return a * b / 64 > a + b ? a * b / 64 : a + b;
        return a > b ? a : b;
    }
    default: {
        double t = 0;
        for (int i = 0; i < l->n_child; i++) t += estimate_(l->child[i], sel);
        return t;
    }
    }
}

double rf__plan_estimate(const rf_plan *l) { return estimate_(l, true); }
double rf__plan_size(const rf_plan *l) { return estimate_(l, false); }

static bool inner(const rf_plan *p) { return p->kind == RF_L_JOIN && (p->mode == RF_JOIN_INNER || p->mode == RF_JOIN_CROSS); }
static bool graph_node(const rf_plan *p) { return inner(p) || (p->kind == RF_L_FILTER && inner(p->child[0])); }

static int count_leaves(const rf_plan *p)
{
    if (inner(p)) return count_leaves(p->child[0]) + count_leaves(p->child[1]);
    if (p->kind == RF_L_FILTER && inner(p->child[0])) return count_leaves(p->child[0]);
    return 1;
}

typedef struct {
    rf_plan *leaf[MAX_LEAVES];
    int      n_leaf;
    rf_expr **conj;
    int64_t  n_conj, cap_conj;
} graph;

static int add_conjuncts(graph *g, rf_expr *e)
{
    if (!e) return RF_OK;
    if (e->kind == RF_E_AND && !e->name) {
        rf_expr *a = e->arg[0], *b = e->arg[1];
        e->arg[0] = e->arg[1] = NULL;
        rf_expr_destroy(&e);
        int rc = add_conjuncts(g, a);
        if (rc) { rf_expr_destroy(&b); return rc; }
        return add_conjuncts(g, b);
    }
    int rc = rf__grow((void **)&g->conj, &g->cap_conj, g->n_conj + 1, sizeof *g->conj);
    if (rc) { rf_expr_destroy(&e); return rc; }
    g->conj[g->n_conj++] = e;
    return RF_OK;
}

/* Takes the graph node p apart (consumed) into g. */
static int take_apart(rf_plan *p, graph *g)
{
    if (!graph_node(p)) { g->leaf[g->n_leaf++] = p; return RF_OK; }
    int rc = add_conjuncts(g, p->cond);
    p->cond = NULL;
    rf_plan *a = p->child[0], *b = p->n_child > 1 ? p->child[1] : NULL;
    p->child[0] = NULL;
    if (b) p->child[1] = NULL;
    rf__plan_destroy(&p);
    if (!rc) rc = take_apart(a, g); else rf__plan_destroy(&a);
    if (b) { if (!rc) rc = take_apart(b, g); else rf__plan_destroy(&b); }
    return rc;
}

/* Which leaves e reads (bit i: leaf i); *unknown when it reads an attribute of none. */
static int leaf_mask(const graph *g, const rf_expr *e, uint64_t *mask, bool *unknown)
{
    int64_t *ids = NULL, n = 0, cap = 0;
    int rc = rf__expr_attrs(e, &ids, &n, &cap);
    *mask = 0;
    *unknown = false;
    for (int64_t k = 0; k < n && !rc; k++) {
        bool found = false;
        for (int i = 0; i < g->n_leaf && !found; i++) {
            const rf_schema *s = g->leaf[i]->schema;
            for (int f = 0; f < s->n && !found; f++)
                if (s->f[f].id == ids[k]) { *mask |= (uint64_t)1 << i; found = true; }
        }
        if (!found) *unknown = true;
    }
    rf_free(ids);
    return rc;
}

static int make_join(rf_plan *l, rf_plan *r, rf_expr *cond, rf_plan **out)
{
    rf_plan *j = NULL;
    int rc = rf__plan_new(RF_L_JOIN, 2, &j);
    if (rc) { rf__plan_destroy(&l); rf__plan_destroy(&r); rf_expr_destroy(&cond); return rc; }
    j->mode = cond ? RF_JOIN_INNER : RF_JOIN_CROSS;
    j->child[0] = l;
    j->child[1] = r;
    j->cond = cond;
    const rf_schema *ls = l->schema, *rs = r->schema;
    if ((rc = rf_schema_create(ls->n + rs->n, &j->schema))) { rf__plan_destroy(&j); return rc; }
    for (int i = 0; i < j->schema->n; i++) {
        const rf_field *f = i < ls->n ? &ls->f[i] : &rs->f[i - ls->n];
        j->schema->f[i] = *f;
        j->schema->f[i].name = rf_strdup(f->name);
        j->schema->f[i].qual = rf_strdup(f->qual);
    }
    *out = j;
    return RF_OK;
}

static rf_expr *and_of(rf_expr **v, int64_t n)
{
    rf_conj c = { 0 };
    for (int64_t i = 0; i < n; i++) if (v[i]) { rf__conj_add(&c, v[i]); v[i] = NULL; }
    return rf__conj_build(&c, true);
}

/* Whether an equality conjunct joins leaf i to the leaves of set (and reads nothing else). */
static bool connected(const graph *g, const uint64_t *cm, const bool *unk, const bool *eq, uint64_t set, int i)
{
    uint64_t bit = (uint64_t)1 << i;
    for (int64_t k = 0; k < g->n_conj; k++)
        if (g->conj[k] && eq[k] && !unk[k] && (cm[k] & bit) && (cm[k] & set) && !(cm[k] & ~(set | bit))) return true;
    return false;
}

/* The greedy order: the largest input first, then the smallest connected one. */
static int order_greedy(const graph *g, const uint64_t *cm, const bool *unk, const bool *eq, const double *est, int *order)
{
    int first = 0;
    for (int i = 0; i < g->n_leaf; i++) if (est[i] > est[first]) first = i;
    uint64_t joined = (uint64_t)1 << first;
    order[0] = first;
    for (int step = 1; step < g->n_leaf; step++) {
        int pick = -1;
        bool pick_conn = false;
        for (int i = 0; i < g->n_leaf; i++) {
            if (joined & ((uint64_t)1 << i)) continue;
            bool conn = connected(g, cm, unk, eq, joined, i);
            if (pick < 0 || (conn && !pick_conn) || (conn == pick_conn && est[i] < est[pick])) { pick = i; pick_conn = conn; }
        }
        order[step] = pick;
        joined |= (uint64_t)1 << pick;
    }
    return RF_OK;
}

/* The order of least cost over every left-deep order (see the file comment). */
static int order_dp(const graph *g, const uint64_t *cm, const bool *unk, const bool *eq, const double *est, int *order)
{
    int n = g->n_leaf;
    size_t ns = (size_t)1 << n;
    double size[DP_LEAVES], sel[DP_LEAVES];
    for (int i = 0; i < n; i++) {
        size[i] = rf__plan_size(g->leaf[i]);
        sel[i] = size[i] > 0 && est[i] < size[i] ? est[i] / size[i] : 1;
    }
    double *cost = rf_malloc(ns * sizeof *cost), *card = rf_malloc(ns * sizeof *card);
    int8_t *last = rf_malloc(ns);
    if (!cost || !card || !last) { rf_free(cost); rf_free(card); rf_free(last); return rf__err_set(RF_ERR_NOMEM, "out of memory"); }
    for (size_t S = 1; S < ns; S++) {
        double big = 0, f = 1;
        for (int i = 0; i < n; i++) if (S >> i & 1) { if (size[i] > big) big = size[i]; f *= sel[i]; }
        card[S] = big * f;
        cost[S] = -1;
        last[S] = -1;
    }
    for (int i = 0; i < n; i++) { cost[(size_t)1 << i] = 0; last[(size_t)1 << i] = (int8_t)i; }
    for (size_t S = 1; S < ns; S++) {
        if (cost[S] < 0) continue;
        bool any_conn = false;
        uint16_t conn = 0;
        for (int i = 0; i < n; i++)
            if (!(S >> i & 1) && connected(g, cm, unk, eq, S, i)) { conn |= (uint16_t)(1u << i); any_conn = true; }
        for (int i = 0; i < n; i++) {
            if (S >> i & 1) continue;
            bool c = conn >> i & 1;
            if (any_conn && !c) continue;   /* a cross product only when nothing connects */
            size_t T = S | (size_t)1 << i;
            double step = card[S] + 2 * est[i] + (c ? 0 : card[S] * (est[i] > 1 ? est[i] : 1));
            if (cost[T] < 0 || cost[S] + step < cost[T]) { cost[T] = cost[S] + step; last[T] = (int8_t)i; }
        }
    }
    for (size_t S = ns - 1, k = (size_t)n; k-- > 0;) {   /* the order, from its end */
        order[k] = last[S];
        S &= ~((size_t)1 << last[S]);
    }
    rf_free(cost);
    rf_free(card);
    rf_free(last);
    return RF_OK;
}

/* Rebuilds the graph left-deep (consumes g's leaves and conjuncts); `want` is the schema the tree had. */
static int rebuild(graph *g, const rf_schema *want, int dp_leaves, rf_plan **out)
{
    int rc = RF_OK;
    int64_t nc = g->n_conj;
    uint64_t *cm = rf_calloc((size_t)(nc ? nc : 1), sizeof *cm);
    bool *unk = rf_calloc((size_t)(nc ? nc : 1), sizeof *unk), *eq = rf_calloc((size_t)(nc ? nc : 1), sizeof *eq);
    rf_expr **now = rf_calloc((size_t)(nc ? nc : 1), sizeof *now);
    double est[MAX_LEAVES];
    rf_plan *tree = NULL;
    RF_CHECK(cm && unk && eq && now, RF_ERR_NOMEM, "out of memory");
    for (int64_t k = 0; k < nc; k++) {
        RF_TRY(leaf_mask(g, g->conj[k], &cm[k], &unk[k]));
        const rf_expr *e = g->conj[k];
        eq[k] = (e->kind == RF_E_EQ || e->kind == RF_E_EQNS) && e->arg[0]->kind != RF_E_LIT && e->arg[1]->kind != RF_E_LIT;
    }
    for (int i = 0; i < g->n_leaf; i++) est[i] = rf__plan_estimate(g->leaf[i]);
    int order[MAX_LEAVES];
    RF_TRY(g->n_leaf <= dp_leaves && g->n_leaf <= DP_LEAVES ? order_dp(g, cm, unk, eq, est, order) : order_greedy(g, cm, unk, eq, est, order));
    uint64_t joined = (uint64_t)1 << order[0];
    tree = g->leaf[order[0]];
    g->leaf[order[0]] = NULL;
    for (int step = 1; step < g->n_leaf; step++) {
        int pick = order[step];
        uint64_t bit = (uint64_t)1 << pick;
        int64_t m = 0;
        for (int64_t k = 0; k < nc; k++)
            if (g->conj[k] && !unk[k] && !(cm[k] & ~(joined | bit))) { now[m++] = g->conj[k]; g->conj[k] = NULL; }
        rf_expr *cond = m ? and_of(now, m) : NULL;
        RF_CHECK(!m || cond, RF_ERR_NOMEM, "out of memory");
        rf_plan *r = g->leaf[pick];
        g->leaf[pick] = NULL;
        rc = make_join(tree, r, cond, &tree);
        if (rc) { tree = NULL; goto done; }
        joined |= bit;
    }
    int64_t m = 0;   /* what reads no leaf's columns (or none known): a filter on top */
    for (int64_t k = 0; k < nc; k++) if (g->conj[k]) { now[m++] = g->conj[k]; g->conj[k] = NULL; }
    if (m) {
        rf_plan *f = NULL;
        RF_TRY(rf__plan_new(RF_L_FILTER, 1, &f));
        f->child[0] = tree;
        tree = f;
        RF_CHECK((f->cond = and_of(now, m)) != NULL, RF_ERR_NOMEM, "out of memory");
        RF_TRY(rf_schema_copy(f->child[0]->schema, &f->schema));
    }
    bool same = tree->schema->n == want->n;
    for (int i = 0; i < want->n && same; i++) same = tree->schema->f[i].id == want->f[i].id;
    if (!same) {   /* the columns in the order the query's tree had them */
        rf_plan *p = NULL;
        RF_TRY(rf__plan_new(RF_L_PROJECT, 1, &p));
        p->child[0] = tree;
        tree = p;
        RF_CHECK((p->exprs = rf_calloc((size_t)(want->n ? want->n : 1), sizeof *p->exprs)) != NULL, RF_ERR_NOMEM, "out of memory");
        p->n_exprs = want->n;
        for (int i = 0; i < want->n; i++) {
            const rf_field *f = &want->f[i];
            RF_CHECK((p->exprs[i] = rf__expr_col_attr(f->id, f->name, f->type, f->nullable, -1)) != NULL, RF_ERR_NOMEM, "out of memory");
            if (f->qual) p->exprs[i]->qual = rf_strdup(f->qual);
        }
        RF_TRY(rf_schema_copy(want, &p->schema));
    }
    *out = tree;
    tree = NULL;
done:
    for (int64_t k = 0; k < nc; k++) rf_expr_destroy(&g->conj[k]);
    for (int i = 0; i < g->n_leaf; i++) rf__plan_destroy(&g->leaf[i]);
    rf__plan_destroy(&tree);
    rf_free(cm);
    rf_free(unk);
    rf_free(eq);
    rf_free(now);
    return rc;
}

int rf__rule_joinorder(rf_plan **pp, rf_optctx *ctx)
{
    rf_plan *p = *pp;
    int rc = RF_OK;
    if (graph_node(p)) {
        int n = count_leaves(p);
        if (n >= 3 && n <= MAX_LEAVES) {
            graph g = { .n_leaf = 0 };
            rf_schema *want = NULL;
            if ((rc = rf_schema_copy(p->schema, &want))) return rc;
            *pp = NULL;
            rc = take_apart(p, &g);
            for (int i = 0; i < g.n_leaf && !rc; i++) rc = rf__rule_joinorder(&g.leaf[i], ctx);
            if (!rc) rc = rebuild(&g, want, ctx->dp_leaves, pp);
            else {
                for (int64_t k = 0; k < g.n_conj; k++) rf_expr_destroy(&g.conj[k]);
                for (int i = 0; i < g.n_leaf; i++) rf__plan_destroy(&g.leaf[i]);
            }
            rf_free(g.conj);
            rf_schema_destroy(&want);
            return rc;
        }
    }
    for (int i = 0; i < p->n_child && !rc; i++) rc = rf__rule_joinorder(&p->child[i], ctx);
    return rc;
}
