/*
 * rule_fold.c — optimizer rule: constant folding.
 * Evaluates literal-only subtrees once on the driver (so current_date() is one value for the whole
 * job on every rank), simplifies AND/OR with a literal side, and drops filters that are always true.
 * In filter and join conditions, conjuncts common to every branch of an OR are factored out
 * ((a AND b) OR (a AND c) -> a AND (b OR c)), so that a join predicate repeated in each branch
 * (TPC-H Q19) becomes a join key instead of a condition over the cross product.
 */
#include "plan/plan.h"

typedef struct { rf_expr **v; int64_t n, cap; } elist;

static int push(elist *l, rf_expr *e)
{
    int rc = rf__grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v);
    if (!rc) l->v[l->n++] = e;
    return rc;
}

/* The terms of a tree of op (AND or OR), borrowed. */
static int flatten(rf_expr *e, rf_ekind op, elist *out)
{
    if (e->kind == op && !e->name) {
        int rc = flatten(e->arg[0], op, out);
        return rc ? rc : flatten(e->arg[1], op, out);
    }
    return push(out, e);
}

static rf_expr *bool_node(rf_ekind op, rf_expr *a, rf_expr *b)
{
    rf_expr *v[2] = { a, b }, *e = rf__expr_new(op, 2, v);
    if (!e) return NULL;
    e->type = RF_TYPE_BOOL;
    e->nullable = a->nullable || b->nullable;
    e->resolved = true;
    return e;
}

/* Copies of v[0..n) joined by op (NULL for none). */
static rf_expr *join_copies(rf_expr **v, int64_t n, rf_ekind op, int *rc)
{
    rf_expr *acc = NULL;
    for (int64_t i = 0; i < n && !*rc; i++) {
        rf_expr *c = NULL;
        if ((*rc = rf__expr_copy(v[i], &c))) break;
        if (!acc) { acc = c; continue; }
        rf_expr *x = bool_node(op, acc, c);
        if (!x) { rf_expr_destroy(&acc); rf_expr_destroy(&c); *rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); break; }
        acc = x;
    }
    if (*rc) rf_expr_destroy(&acc);
    return acc;
}

/* (a AND b) OR (a AND c) -> a AND (b OR c), in every conjunct of *pe. */
static int factor_or(rf_expr **pe)
{
    rf_expr *e = *pe;
    int rc = RF_OK;
    if (e->kind == RF_E_AND && !e->name) {
        rc = factor_or(&e->arg[0]);
        return rc ? rc : factor_or(&e->arg[1]);
    }
    if (e->kind != RF_E_OR || e->name) return RF_OK;
    elist br = { 0 }, *terms = NULL, common = { 0 };
    rf_expr *out = NULL;
    RF_TRY(flatten(e, RF_E_OR, &br));
    if (br.n > 64) goto done;
    RF_CHECK((terms = rf_calloc((size_t)br.n, sizeof *terms)) != NULL, RF_ERR_NOMEM, "out of memory");
    for (int64_t b = 0; b < br.n; b++) RF_TRY(flatten(br.v[b], RF_E_AND, &terms[b]));
    for (int64_t t = 0; t < terms[0].n; t++) {
        bool everywhere = true;
        for (int64_t b = 1; b < br.n && everywhere; b++) {
            bool found = false;
            for (int64_t k = 0; k < terms[b].n && !found; k++) found = rf__expr_equal(terms[0].v[t], terms[b].v[k]);
            everywhere = found;
        }
        bool dup = false;
        for (int64_t k = 0; k < common.n && !dup; k++) dup = rf__expr_equal(common.v[k], terms[0].v[t]);
        if (everywhere && !dup) RF_TRY(push(&common, terms[0].v[t]));
    }
    if (!common.n) goto done;
    rf_expr *ors = NULL;
    bool any_empty = false;
    for (int64_t b = 0; b < br.n && !rc; b++) {
        elist rest = { 0 };
        for (int64_t k = 0; k < terms[b].n && !rc; k++) {
            bool is_common = false;
            for (int64_t m = 0; m < common.n && !is_common; m++) is_common = rf__expr_equal(common.v[m], terms[b].v[k]);
            if (!is_common) rc = push(&rest, terms[b].v[k]);
        }
        if (!rc && rest.n == 0) any_empty = true;   /* a branch that is only the common part: the OR is true */
        rf_expr *x = !rc && rest.n ? join_copies(rest.v, rest.n, RF_E_AND, &rc) : NULL;
        rf_free(rest.v);
        if (x) {
            if (!ors) ors = x;
            else if (!(ors = bool_node(RF_E_OR, ors, x))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
        }
    }
    out = rc ? NULL : join_copies(common.v, common.n, RF_E_AND, &rc);
    if (!rc && ors && !any_empty) {
        rf_expr *x = bool_node(RF_E_AND, out, ors);
        if (!x) rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); else { out = x; ors = NULL; }
    }
    rf_expr_destroy(&ors);
    if (!rc) { rf_expr_destroy(pe); *pe = out; out = NULL; }
done:
    rf_expr_destroy(&out);
    if (terms) for (int64_t b = 0; b < br.n; b++) rf_free(terms[b].v);
    rf_free(terms);
    rf_free(br.v);
    rf_free(common.v);
    return rc;
}

static int fold_list(rf_expr **v, int n)
{
    for (int i = 0; i < n; i++) {
        int rc = rf__expr_fold(&v[i]);
        if (rc) return rc;
    }
    return RF_OK;
}

int rf__rule_fold(rf_plan **pp, rf_optctx *ctx)
{
    rf_plan *p = *pp;
    int rc;
    for (int i = 0; i < p->n_child; i++)
        if ((rc = rf__rule_fold(&p->child[i], ctx))) return rc;
    if ((rc = fold_list(p->exprs, p->n_exprs)) || (rc = fold_list(p->exprs2, p->n_exprs2))) return rc;
    if (p->cond && (rc = rf__expr_fold(&p->cond))) return rc;
    if (p->cond && (p->kind == RF_L_FILTER || p->kind == RF_L_JOIN) && (rc = factor_or(&p->cond))) return rc;
    if (p->kind == RF_L_FILTER && p->cond->kind == RF_E_LIT && !p->cond->lit.null && p->cond->lit.v.b) {
        rf_plan *c = p->child[0];   /* WHERE true: the filter goes */
        p->child[0] = NULL;
        rf__plan_destroy(pp);
        *pp = c;
    }
    return RF_OK;
}
