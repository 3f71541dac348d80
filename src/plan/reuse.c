/*
 * reuse.c — exchange reuse: an exchange whose subtree computes what an earlier one computes is not
 * run again; the stages reading it read the earlier exchange's output (Spark's ReuseExchange).
 *
 * A self-join reads one table twice, and a query naming one view twice (TPC-H q11, q15) plans it
 * twice; with the same columns, filters and partitioning the two exchanges hold the same rows in
 * the same partitions. Two subtrees are the same when their canonical forms are: a copy whose
 * attribute ids are renumbered by first appearance (rf__plan_reid from one counter), without node
 * ids, size estimates, names and qualifiers (which name the data but do not change it), encoded
 * with the plan's wire format. A subtree that fills a cache is never reused (the cache must see
 * its rows).
 *
 * The physical planner (after numbering the nodes) points each later twin at the earliest one by
 * its node id (rf_plan.reuses, sent with the plan); stages.c gives it no stage and reads the
 * twin's, on every rank from the same plan.
 */
#include <stdlib.h>
#include <string.h>
#include "plan/plan.h"

static void strip_expr(rf_expr *e)
{
    if (!e) return;
    if (e->kind == RF_E_COL) { RF_FREE(e->name); RF_FREE(e->qual); }
    for (int i = 0; i < e->n_arg; i++) strip_expr(e->arg[i]);
}

static void strip(rf_plan *p)
{
    p->id = 0;
    p->est_bytes = 0;
    p->reuses = 0;
    for (int i = 0; p->schema && i < p->schema->n; i++) {
        rf_field *f = &p->schema->f[i];
        RF_FREE(f->qual);
        if (f->name) f->name[0] = '\0';
    }
    for (int i = 0; i < p->n_exprs; i++) strip_expr(p->exprs[i]);
    for (int i = 0; i < p->n_exprs2; i++) strip_expr(p->exprs2[i]);
    strip_expr(p->cond);
    for (int i = 0; i < p->n_child; i++) strip(p->child[i]);
}

/* The canonical form of subtree p, appended to b. */
static int canon(const rf_plan *p, rf_buf *b)
{
    rf_plan *c = NULL;
    int64_t next = 1;
    int rc = rf__plan_copy(p, &c);
    if (!rc) rc = rf__plan_reid(c, &next);
    if (!rc) {
        strip(c);
        rc = rf__plan_encode(c, b);
    }
    rf__plan_destroy(&c);
    return rc;
}

static bool fills_cache(const rf_plan *p)
{
    if (p->kind == RF_P_CACHE) return true;
    for (int i = 0; i < p->n_child; i++)
        if (fills_cache(p->child[i])) return true;
    return false;
}

typedef struct { rf_plan **x; rf_buf *form; int64_t n, cap; } xlist;

static int collect(rf_plan *p, xlist *l)
{
    for (int i = 0; i < p->n_child; i++) {
        int rc = collect(p->child[i], l);
        if (rc) return rc;
    }
    if (p->kind != RF_P_EXCHANGE) return RF_OK;
    int64_t c2 = l->cap;
    int rc = rf__grow((void **)&l->x, &l->cap, l->n + 1, sizeof *l->x);
    if (!rc) rc = rf__grow((void **)&l->form, &c2, l->n + 1, sizeof *l->form);
    if (rc) return rc;
    l->x[l->n] = p;
    memset(&l->form[l->n], 0, sizeof *l->form);
    l->n++;
    return fills_cache(p) ? RF_OK : canon(p, &l->form[l->n - 1]);
}

/* The exchanges of p in post-order (*xs, borrowed) and for each the index of the earliest one whose
 * subtree computes the same (its twin), or -1. */
static int twins(rf_plan *p, rf_plan ***xs, int **twin, int64_t *n)
{
    xlist l = { 0 };
    int rc = collect(p, &l);
    int *t = rc ? NULL : rf_malloc((size_t)(l.n + 1) * sizeof *t);
    if (!rc && !t) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int64_t i = 0; !rc && i < l.n; i++) {
        t[i] = -1;
        for (int64_t j = 0; j < i && t[i] < 0 && l.form[i].len; j++)
            if (t[j] < 0 && l.form[j].len == l.form[i].len && !memcmp(l.form[j].data, l.form[i].data, l.form[i].len)) t[i] = (int)j;
    }
    for (int64_t i = 0; i < l.n; i++) rf_buf_fini(&l.form[i]);
    rf_free(l.form);
    if (rc) { rf_free(l.x); rf_free(t); return rc; }
    *xs = l.x;
    *twin = t;
    *n = l.n;
    return RF_OK;
}

int rf__plan_mark_reuse(rf_plan *p)
{
    rf_plan **xs = NULL;
    int *twin = NULL;
    int64_t n = 0;
    int rc = twins(p, &xs, &twin, &n);
    for (int64_t i = 0; !rc && i < n; i++)
        xs[i]->reuses = twin[i] >= 0 ? xs[twin[i]]->id + 1 : 0;
    rf_free(xs);
    rf_free(twin);
    return rc;
}
