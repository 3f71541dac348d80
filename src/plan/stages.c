/*
 * stages.c — splits a physical plan into stages at its exchanges.
 *
 * Every Exchange ends the stage below it (the map side, whose tasks partition their output) and is
 * a leaf of the stage above it (which reads the exchanged partitions). Stages are numbered in a
 * post-order walk, so a stage always comes after every stage it reads; the last one produces the
 * result. The split is a pure function of the plan: every rank derives the same stages from the
 * broadcast plan, so only the plan travels. Stage ids live here, not in the plan (rf__stage_of).
 * An exchange the driver pointed at an earlier one computing the same (rf_plan.reuses, reuse.c) gets
 * no stage: its readers read its twin's stage.
 */
#include <stdlib.h>
#include "plan/plan.h"

int rf__stage_of(const rf_stages *st, const rf_plan *x)
{
    for (int i = 0; i < st->n; i++)
        if (st->s[i].exchange == x) return st->s[i].id;
    for (int i = 0; i < st->n_reused; i++)
        if (st->reused[i] == x)
            for (int k = 0; k < st->n; k++)
                if (st->s[k].exchange == st->reused_as[i]) return st->s[k].id;
    return -1;
}

bool rf__stage_reused(const rf_stages *st, const rf_plan *x)
{
    for (int i = 0; i < st->n_reused; i++)
        if (st->reused[i] == x) return true;
    return false;
}

int rf__stage_readers(const rf_stages *st, int id, int after)
{
    int n = 0;
    for (int i = after + 1; i < st->n; i++)
        for (int k = 0; k < st->s[i].n_inputs; k++)
            if (st->s[i].inputs[k] == id) { n++; break; }
    return n;
}

static int collect_inputs(const rf_plan *p, const rf_stages *all, rf_stage *st)
{
    if (p->kind == RF_P_EXCHANGE) {
        int64_t cap = st->n_inputs;
        int rc = rf__grow((void **)&st->inputs, &cap, st->n_inputs + 1, sizeof *st->inputs);
        if (rc) return rc;
        st->inputs[st->n_inputs++] = rf__stage_of(all, p);
        return RF_OK;
    }
    for (int i = 0; i < p->n_child; i++) {
        int rc = collect_inputs(p->child[i], all, st);
        if (rc) return rc;
    }
    return RF_OK;
}

static int add_stage(rf_stages *out, int64_t *cap, rf_plan *root, rf_plan *x)
{
    int rc = rf__grow((void **)&out->s, cap, out->n + 1, sizeof *out->s);
    if (rc) return rc;
    rf_stage *st = &out->s[out->n];
    memset(st, 0, sizeof *st);
    st->id = out->n;
    st->root = root;
    st->exchange = x;
    st->n_tasks = rf__plan_tasks(root);
    if (st->n_tasks < 0) st->n_tasks = 1;   /* a stage over broadcast data only runs once */
    st->planned_tasks = st->n_tasks;
    if ((rc = collect_inputs(root, out, st))) return rc;
    out->n++;
    return RF_OK;
}

static int walk(rf_plan *p, rf_stages *out, int64_t *cap)
{
    if (rf__stage_reused(out, p)) return RF_OK;   /* its twin's stage makes its output */
    for (int i = 0; i < p->n_child; i++) {
        int rc = walk(p->child[i], out, cap);
        if (rc) return rc;
    }
    if (p->kind == RF_P_EXCHANGE) return add_stage(out, cap, p->child[0], p);
    return RF_OK;
}

/* The exchanges that reuse another's output (rf_plan.reuses, set by the driver: reuse.c), each with
 * the exchange it names, which must come earlier in post-order (its stage runs first) and run itself. */
typedef struct { const rf_plan **x; int64_t n, cap, cap_r; } xvec;   /* the exchanges so far; cap_r: out->reused's room */

static int find_reuse(const rf_plan *p, rf_stages *out, xvec *seen)
{
    for (int i = 0; i < p->n_child; i++) {
        int rc = find_reuse(p->child[i], out, seen);
        if (rc) return rc;
    }
    if (p->kind != RF_P_EXCHANGE) return RF_OK;
    int rc = RF_OK;
    if (p->reuses) {
        const rf_plan *twin = NULL;
        for (int64_t i = 0; i < seen->n && !twin; i++)
            if (seen->x[i]->id + 1 == p->reuses && !seen->x[i]->reuses) twin = seen->x[i];
        if (!twin) return rf__err_set(RF_ERR_INVALID, "plan message: exchange %u reuses no earlier exchange", p->id);
        int64_t c1 = seen->cap_r, c2 = seen->cap_r;   /* both arrays have cap_r slots */
        if (!(rc = rf__grow((void **)&out->reused, &c1, out->n_reused + 1, sizeof *out->reused)) &&
            !(rc = rf__grow((void **)&out->reused_as, &c2, out->n_reused + 1, sizeof *out->reused_as))) {
            seen->cap_r = c1 < c2 ? c1 : c2;
            out->reused[out->n_reused] = p;
            out->reused_as[out->n_reused++] = twin;
        }
    }
    if (!rc && !(rc = rf__grow((void **)&seen->x, &seen->cap, seen->n + 1, sizeof *seen->x))) seen->x[seen->n++] = p;
    return rc;
}

int rf__stages_split(rf_plan *physical, rf_stages *out)
{
    int64_t cap = 0;
    memset(out, 0, sizeof *out);
    xvec seen = { 0 };
    int rc = find_reuse(physical, out, &seen);
    rf_free(seen.x);
    if (!rc) rc = walk(physical, out, &cap);
    if (!rc) rc = add_stage(out, &cap, physical, NULL);
    if (rc) rf__stages_fini(out);
    return rc;
}

int rf__stages_insert(rf_stages *st, int pos, rf_plan *x)
{
    int64_t cap = st->n;
    int rc = add_stage(st, &cap, x->child[0], x);   /* appended with id st->n, then moved to pos */
    if (rc) return rc;
    rf_stage ns = st->s[st->n - 1];
    memmove(&st->s[pos + 1], &st->s[pos], (size_t)(st->n - 1 - pos) * sizeof *st->s);
    st->s[pos] = ns;
    for (int i = pos + 1; i < st->n && !rc; i++) {
        RF_FREE(st->s[i].inputs);
        st->s[i].n_inputs = 0;
        st->s[i].n_tasks = rf__plan_tasks(st->s[i].root);
        if (st->s[i].n_tasks < 0) st->s[i].n_tasks = 1;
        st->s[i].planned_tasks = st->s[i].n_tasks;
        RF_FREE(st->s[i].spec);
        RF_FREE(st->s[i].task_rank);
        RF_FREE(st->s[i].task_bytes);
        st->s[i].split_x = st->s[i].local_x = st->s[i].bcast_x = NULL;
        rc = collect_inputs(st->s[i].root, st, &st->s[i]);
    }
    return rc;
}

void rf__stages_fini(rf_stages *st)
{
    for (int i = 0; i < st->n; i++) { rf_free(st->s[i].inputs); rf_free(st->s[i].spec); rf_free(st->s[i].task_rank); rf_free(st->s[i].task_bytes); }
    RF_FREE(st->s);
    st->n = 0;
    RF_FREE(st->reused);
    RF_FREE(st->reused_as);
    st->n_reused = 0;
}
