/*
 * explain.c — text rendering of plans and stages for EXPLAIN / rf_df_explain().
 */
#include "plan/plan.h"
#include "io/format.h"

static const char *xkind_name(int k)
{
    static const char *n[] = { "hashpartitioning", "rangepartitioning", "SinglePartition", "BroadcastExchange",
                               "RoundRobinPartitioning", "CoalescePartitions", "DirectPartitioning" };
    return k >= 0 && k < 7 ? n[k] : "?";
}

static const char *join_name(int t)
{
    static const char *n[] = { "Inner", "LeftOuter", "RightOuter", "FullOuter", "LeftSemi", "LeftAnti", "Cross" };
    return t >= 0 && t < 7 ? n[t] : "?";
}

static int list(rf_buf *b, rf_expr *const *v, int n)
{
    int rc = RF_OK;
    for (int i = 0; i < n && !rc; i++) {
        if (i) rc = rf_buf_printf(b, ", ");
        if (!rc) rc = rf__expr_display(v[i], b);
        if (!rc && v[i]->name && v[i]->kind != RF_E_COL && v[i]->kind != RF_E_FUNC) rc = rf_buf_printf(b, " AS %s", v[i]->name);
    }
    return rc;
}

/* Estimated rows of a logical node: its estimated bytes over a row's width. */
static double est_rows(const rf_plan *p)
{
    double w = 0;
    for (int i = 0; i < p->schema->n; i++) {
        rf_type t = p->schema->f[i].type;
        w += t == RF_TYPE_STRING || rf_type_is_nested(t) ? 16 : rf_type_is_decimal(t) ? 16 : 8;
    }
    return rf__plan_estimate(p) / (w > 0 ? w : 8);
}

static _Thread_local int (*note_fn)(const rf_plan *, rf_buf *, void *);
static _Thread_local void *note_ctx;

static int node(const rf_plan *p, const rf_stages *st, rf_buf *b, int depth)
{
    if (st && rf__stage_reused(st, p)) {   /* Spark's ReusedExchange: the twin's output, read again */
        int rc = rf_buf_printf(b, "%*s%sReusedExchange [", depth * 3, "", depth ? "+- " : "");
        for (int i = 0; i < p->schema->n && !rc; i++) rc = rf_buf_printf(b, "%s%s", i ? ", " : "", p->schema->f[i].name);
        return rc ? rc : rf_buf_printf(b, "] %s <- stage %d (an identical exchange's output)\n", xkind_name(p->mode), rf__stage_of(st, p));
    }
    int rc = rf_buf_printf(b, "%*s%s%s", depth * 3, "", depth ? "+- " : "", rf__plan_kind_name(p->kind));
    if (rc) return rc;
    switch (p->kind) {
    case RF_L_SCAN: case RF_P_SCAN:
        rc = rf_buf_printf(b, " %s [", rf__format_ops(p->src->format)->name);
        for (int i = 0; i < p->schema->n && !rc; i++) rc = rf_buf_printf(b, "%s%s", i ? ", " : "", p->schema->f[i].name);
        if (!rc) rc = rf_buf_printf(b, "] %d file(s)", p->src->n_files);
        if (!rc && p->src->n_files) rc = rf_buf_printf(b, " %s%s", p->src->files[0], p->src->n_files > 1 ? ", ..." : "");
        if (!rc && p->kind == RF_P_SCAN) rc = rf_buf_printf(b, ", %lld split(s)", (long long)p->src->n_splits);
        if (!rc && p->kind == RF_P_SCAN && p->src->n_part)
            rc = rf_buf_printf(b, ", files: %d of %d read (%d pruned by partition values)", p->src->files_read, p->src->n_files,
                               p->src->n_files - p->src->files_read);
        if (!rc && p->kind == RF_P_SCAN && p->src->rg)
            rc = rf_buf_printf(b, ", row groups: %lld of %lld read (%lld skipped by statistics)", (long long)p->src->rg_read,
                               (long long)p->src->rg->n, (long long)(p->src->rg->n - p->src->rg_read));
        break;
    case RF_L_FILTER: case RF_P_FILTER: case RF_L_GENERATE: case RF_P_GENERATE:
        rc = rf_buf_printf(b, " ");
        if (!rc) rc = rf__expr_display(p->cond, b);
        break;
    case RF_L_WINDOW: case RF_P_WINDOW:
    case RF_L_PROJECT: case RF_P_PROJECT:
        rc = rf_buf_printf(b, " [");
        if (!rc) rc = list(b, p->exprs, p->n_exprs);
        if (!rc) rc = rf_buf_printf(b, "]");
        break;
    case RF_L_AGG: case RF_P_HASH_AGG:
        if (p->kind == RF_P_HASH_AGG) rc = rf_buf_printf(b, "(%s)", p->mode == RF_AGG_PARTIAL ? "partial" : p->mode == RF_AGG_FINAL ? "final" : p->mode == RF_AGG_MERGE ? "merge" : "complete");
        if (!rc) rc = rf_buf_printf(b, " keys=[");
        if (!rc) rc = list(b, p->exprs, p->n_exprs);
        if (!rc) rc = rf_buf_printf(b, "] functions=[");
        if (!rc) rc = list(b, p->exprs2, p->n_exprs2);
        if (!rc) rc = rf_buf_printf(b, "]");
        break;
    case RF_L_RDD: case RF_P_RDD: {
        static const char *ops[] = { "map", "flatMap", "filter", "mapPartitions", "mapValues", "flatMapValues", "keyBy",
                                     "values", "keys", "foreach", "foreachPartition", "fromDataFrame", "toDataFrame",
                                     "toText", "parallelize", "sample", "zipWithIndex", "countPerPartition", "joinPack",
                                     "partitionBy" };
        const rf_expr *fn = p->n_exprs ? p->exprs[0] : NULL;
        rc = rf_buf_printf(b, " %s", p->mode >= 0 && p->mode <= RF_RDD_PARTID ? ops[p->mode] : "?");
        if (!rc && fn && fn->kind == RF_E_LIT && fn->lit.type == RF_TYPE_STRING && !fn->lit.null)
            rc = rf_buf_printf(b, "(%.*s)", (int)fn->lit.v.s.len, fn->lit.v.s.p);
        break;
    }
    case RF_L_JOIN: case RF_P_HASH_JOIN: case RF_P_NL_JOIN:
        rc = rf_buf_printf(b, " %s", join_name(p->mode));
        if (!rc && p->n_exprs) {
            rc = rf_buf_printf(b, " [");
            if (!rc) rc = list(b, p->exprs, p->n_exprs);
            if (!rc) rc = rf_buf_printf(b, p->kind == RF_P_HASH_JOIN && p->n ? "] <=> [" : "] = [");
            if (!rc) rc = list(b, p->exprs2, p->n_exprs2);
            if (!rc) rc = rf_buf_printf(b, "]");
            if (!rc && p->kind == RF_P_HASH_JOIN)
                rc = rf_buf_printf(b, " %s", p->child[1]->kind == RF_P_EXCHANGE && p->child[1]->mode == RF_X_BROADCAST ? "(broadcast)" : "(shuffle)");
        }
        if (!rc && p->cond) {
            rc = rf_buf_printf(b, " condition ");
            if (!rc) rc = rf__expr_display(p->cond, b);
        }
        break;
    case RF_L_SORT: case RF_P_SORT: case RF_P_TOPK:
        if (p->kind == RF_P_TOPK) rc = rf_buf_printf(b, " limit=%lld", (long long)p->n);
        if (p->kind == RF_L_SORT && p->mode == 1) rc = rf_buf_printf(b, " within partitions");
        if (!rc) rc = rf_buf_printf(b, " [");
        if (!rc) rc = list(b, p->exprs, p->n_exprs);
        if (!rc) rc = rf_buf_printf(b, "]");
        break;
    case RF_L_CACHE: case RF_P_CACHE: case RF_P_CACHE_READ:
        rc = rf_buf_printf(b, " #%lld", (long long)p->n);
        break;
    case RF_L_VALUES: case RF_P_VALUES:
        if (p->mode == 1 && p->n_exprs == 3)
            rc = rf_buf_printf(b, " range(%lld, %lld, %lld) in %lld partition(s)", (long long)p->exprs[0]->lit.v.i,
                               (long long)p->exprs[1]->lit.v.i, (long long)p->exprs[2]->lit.v.i, (long long)p->n);
        else rc = rf_buf_printf(b, " %lld row(s)", (long long)p->n);
        break;
    case RF_L_LIMIT: case RF_P_LIMIT:
        rc = rf_buf_printf(b, " %lld", (long long)p->n);
        break;
    case RF_L_REPART: case RF_L_COALESCE:
        rc = rf_buf_printf(b, " %lld", (long long)p->n);
        break;
    case RF_P_EXCHANGE:
        rc = rf_buf_printf(b, " %s", xkind_name(p->mode));
        if (!rc && p->n_exprs) {
            rc = rf_buf_printf(b, "(");
            if (!rc) rc = list(b, p->exprs, p->n_exprs);
            if (!rc) rc = rf_buf_printf(b, ")");
        }
        if (!rc && p->mode != RF_X_SINGLE && p->mode != RF_X_BROADCAST) rc = rf_buf_printf(b, " %lld partitions", (long long)p->n);
        if (!rc && st && rf__stage_of(st, p) >= 0) rc = rf_buf_printf(b, " <- stage %d", rf__stage_of(st, p));
        for (int i = 0; !rc && st && i < st->n; i++) {   /* the stage reading it, re-planned by adaptive execution */
            const rf_stage *r = &st->s[i];
            if (!r->spec || !rf__plan_contains(r->root, p)) continue;
            rc = rf_buf_printf(b, ", AQEShuffleRead: %lld partitions read by %lld task(s)%s", (long long)p->n, (long long)r->n_tasks,
                               r->split_x == p ? ", skewed partitions split by map task" : r->split_x ? ", skewed partitions copied to each split" :
                               r->local_x == p ? ", local (the join became a broadcast join)" : r->bcast_x == p ? ", broadcast to every rank" : "");
        }
        break;
    default:
        break;
    }
    if (!rc && (p->kind == RF_L_JOIN || p->kind == RF_L_SCAN || p->kind == RF_L_AGG || (p->kind == RF_L_FILTER && p->child[0]->kind == RF_L_SCAN)))
        rc = rf_buf_printf(b, " (est. %.0f rows)", est_rows(p));   /* what the join order and broadcast choices went by */
    if (!rc && note_fn) rc = note_fn(p, b, note_ctx);
    if (!rc) rc = rf_buf_printf(b, "\n");
    for (int i = 0; i < p->n_child && !rc; i++) rc = node(p->child[i], st, b, depth + 1);
    return rc;
}

int rf__plan_explain(const rf_plan *p, const rf_stages *st, rf_buf *b) { return node(p, st, b, 0); }

int rf__plan_explain_noted(const rf_plan *p, const rf_stages *st, bool adaptive, int (*note)(const rf_plan *, rf_buf *, void *),
                           void *ctx, rf_buf *b)
{
    note_fn = note;
    note_ctx = ctx;
    int rc = adaptive ? rf__plan_explain_adaptive(p, st, true, b) : node(p, st, b, 0);
    note_fn = NULL;
    note_ctx = NULL;
    return rc;
}

/* Whether exchange x is a leaf of stage tree p (not below another exchange). */
bool rf__plan_contains(const rf_plan *p, const rf_plan *x)
{
    for (int i = 0; i < p->n_child; i++)
        if (p->child[i] == x || (p->child[i]->kind != RF_P_EXCHANGE && rf__plan_contains(p->child[i], x))) return true;
    return false;
}

int rf__plan_explain_adaptive(const rf_plan *p, const rf_stages *st, bool final, rf_buf *b)
{
    int rc = rf_buf_printf(b, "AdaptiveSparkPlan isFinalPlan=%s\n", final ? "true" : "false");
    return rc ? rc : node(p, st, b, 1);
}

int rf__stages_explain(const rf_stages *st, rf_buf *b)
{
    int rc = RF_OK;
    for (int i = 0; i < st->n && !rc; i++) {
        const rf_stage *s = &st->s[i];
        rc = rf_buf_printf(b, "Stage %d: %lld task(s)", s->id, (long long)s->n_tasks);
        if (!rc && s->n_tasks != s->planned_tasks) rc = rf_buf_printf(b, " (planned %lld)", (long long)s->planned_tasks);
        if (!rc) rc = rf_buf_printf(b, ", root %s#%u", rf__plan_kind_name(s->root->kind), s->root->id);
        if (!rc && s->n_inputs) {
            rc = rf_buf_printf(b, ", reads stage");
            for (int k = 0; k < s->n_inputs && !rc; k++) {
                bool again = false;   /* a reused exchange: one stage read twice */
                for (int j = 0; j < k; j++) again |= s->inputs[j] == s->inputs[k];
                rc = again ? rf_buf_printf(b, " (again)") : rf_buf_printf(b, " %d", s->inputs[k]);
            }
        }
        if (!rc) rc = rf_buf_printf(b, s->exchange ? ", writes %s\n" : ", produces the result\n",
                                    s->exchange ? xkind_name(s->exchange->mode) : "");
    }
    return rc;
}
