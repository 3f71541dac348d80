/*
 * rule_fold.c — optimizer rule: constant folding.
 * Evaluates literal-only subtrees once on the driver (so current_date() is one value for the whole
 * job on every rank), simplifies AND/OR with a literal side, and drops filters that are always true.
 */
#include "plan/plan.h"

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
    if (p->kind == RF_L_FILTER && p->cond->kind == RF_E_LIT && !p->cond->lit.null && p->cond->lit.v.b) {
        rf_plan *c = p->child[0];   /* WHERE true: the filter goes */
        p->child[0] = NULL;
        rf__plan_destroy(pp);
        *pp = c;
    }
    return RF_OK;
}
