/*
 * optimizer.c — the rule-based logical optimizer: runs each rule (one per file: rule_fold.c,
 * rule_pushdown.c, rule_joinorder.c, rule_prune.c) over a copy of the analyzed plan, in a fixed order.
 * Rules keep attribute ids stable, so no rule invalidates a reference another rule made.
 */
#include "plan/plan.h"

int rf__optimize(const rf_plan *logical, rf_optctx *ctx, rf_plan **out)
{
    rf_plan *p = NULL;
    int rc = rf__plan_copy(logical, &p);
    if (rc) return rc;
    RF_TRY(rf__rule_fold(&p, ctx));
    RF_TRY(rf__rule_pushdown(&p, ctx));
    RF_TRY(rf__rule_fold(&p, ctx));       /* pushed predicates may fold further */
    RF_TRY(rf__rule_joinorder(&p, ctx));  /* over the pushed filters: they shape the estimates */
    RF_TRY(rf__rule_pushdown(&p, ctx));   /* conditions of reordered joins that need one side */
    RF_TRY(rf__rule_prune(&p, ctx));
    *out = p;
    return RF_OK;
done:
    rf__plan_destroy(&p);
    *out = NULL;
    return rc;
}
