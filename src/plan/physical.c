/*
 * physical.c — turns an optimized logical plan into a physical plan with explicit exchanges.
 *
 *   Aggregate      -> HashAggregate(partial) -> Exchange(hash keys | single) -> HashAggregate(final)
 *                     count(DISTINCT x): a first aggregation on (keys, x) removes duplicates
 *   Join           -> HashJoin over Exchange(hash) of both sides, or over Exchange(broadcast) of a
 *                     side estimated under riffle.autoBroadcastJoinThreshold; NestedLoopJoin when
 *                     the condition has no equality between the sides
 *   Sort           -> Exchange(range, sampled bounds) -> Sort;  Limit(Sort) -> TakeOrdered twice
 *   Limit          -> Limit -> Exchange(single) -> Limit
 *   repartition(n) -> Exchange(round robin | hash), coalesce(n) -> Exchange(coalesce)
 * Scans get their byte-range splits here (riffle.files.maxPartitionBytes).
 */
#include <stdlib.h>
#include "plan/plan.h"
#include "expr/agg.h"
#include "io/format.h"

static int plan_node(const rf_plan *l, rf_physctx *ctx, rf_plan **out);

static int copy_bind(rf_expr *const *src, int n, const rf_schema *in, rf_expr ***out)
{
    *out = NULL;
    if (!n) return RF_OK;
    if (!(*out = rf_calloc((size_t)n, sizeof **out))) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        int rc = rf__expr_copy(src[i], &(*out)[i]);
        if (!rc && in) rc = rf__expr_bind((*out)[i], in);
        if (rc) return rc;
    }
    return RF_OK;
}

static int node(rf_nkind k, rf_plan *child, const rf_schema *schema, rf_plan **out)
{
    int rc = rf__plan_new(k, child ? 1 : 0, out);
    if (rc) { rf__plan_destroy(&child); return rc; }
    if (child) (*out)->child[0] = child;
    if ((rc = rf_schema_copy(schema ? schema : child->schema, &(*out)->schema))) rf__plan_destroy(out);
    return rc;
}

static int exchange(rf_xkind kind, int64_t n, rf_plan *child, rf_expr **keys, int n_keys, rf_plan **out)
{
    int rc = node(RF_P_EXCHANGE, child, NULL, out);
    if (rc) return rc;
    (*out)->mode = kind;
    (*out)->n = kind == RF_X_SINGLE || kind == RF_X_BROADCAST ? 1 : n;
    if (kind == RF_X_HASH || kind == RF_X_RANGE) (*out)->flags = RF_XF_COALESCE;   /* callers that fix n clear it */
    (*out)->n_exprs = n_keys;
    if ((rc = copy_bind(keys, n_keys, child->schema, &(*out)->exprs))) rf__plan_destroy(out);
    return rc;
}

static double estimate(const rf_plan *l) { return rf__plan_size(l); }

/* HDF5 splits: runs of adjacent row groups of one file, up to `step` estimated bytes each, leaving
 * out the row groups whose statistics exclude the filter right above the scan. */
int rf__split_rowgroups(const rf_plan *l, rf_source *s, const rf_expr *pred, int64_t step, const bool *keep_file)
{
    const rf_rowgroups *rg = s->rg;
    int64_t n = rg ? rg->n : 0;
    s->split_file = rf_malloc((size_t)(n ? n : 1) * sizeof *s->split_file);
    s->split_off = rf_malloc((size_t)(n ? n : 1) * sizeof *s->split_off);
    s->split_len = rf_malloc((size_t)(n ? n : 1) * sizeof *s->split_len);
    if (!s->split_file || !s->split_off || !s->split_len) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    s->n_splits = 0;
    s->rg_read = 0;
    double bytes = 0;
    int all = s->file_schema->n > 0 ? s->file_schema->n : 1;
    for (int64_t g = 0; g < n; g++) {
        int f = rg->file[g];
        if (!keep_file[f] || !rf__rowgroup_may_match(pred, s, l->schema, g)) continue;
        s->rg_read++;
        double per_row = (double)s->sizes[f] / (double)(rg->file_rows[f] > 0 ? rg->file_rows[f] : 1) * s->n_read / all;
        double b = per_row * (double)rg->rows[g];
        int64_t k = s->n_splits - 1;
        if (k >= 0 && s->split_file[k] == f && s->split_off[k] + s->split_len[k] == rg->off[g] && bytes + b <= (double)step) {
            s->split_len[k] += rg->rows[g];
            bytes += b;
            continue;
        }
        s->split_file[s->n_splits] = f;
        s->split_off[s->n_splits] = rg->off[g];
        s->split_len[s->n_splits] = rg->rows[g];
        s->n_splits++;
        bytes = b;
    }
    return RF_OK;
}

/* Byte-range splits (csv, text): `step` bytes each; the scan of a split starts at the first record
 * that begins in it and reads through the record that crosses its end. */
int rf__split_bytes(const rf_plan *l, rf_source *s, const rf_expr *pred, int64_t step, const bool *keep)
{
    (void)l; (void)pred;
    int64_t n = 0;
    for (int i = 0; i < s->n_files; i++) n += s->sizes[i] && keep[i] ? (s->sizes[i] + step - 1) / step : 0;
    s->split_file = rf_malloc((size_t)(n ? n : 1) * sizeof *s->split_file);
    s->split_off = rf_malloc((size_t)(n ? n : 1) * sizeof *s->split_off);
    s->split_len = rf_malloc((size_t)(n ? n : 1) * sizeof *s->split_len);
    if (!s->split_file || !s->split_off || !s->split_len) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    s->n_splits = 0;
    for (int i = 0; i < s->n_files; i++)
        for (int64_t off = 0; keep[i] && off < s->sizes[i]; off += step) {
            s->split_file[s->n_splits] = i;
            s->split_off[s->n_splits] = off;
            s->split_len[s->n_splits] = s->sizes[i] - off < step ? s->sizes[i] - off : step;
            s->n_splits++;
        }
    return RF_OK;
}

static int plan_scan(const rf_plan *l, rf_physctx *ctx, rf_plan **out)
{
    const rf_expr *pred = ctx->scan_filter;
    ctx->scan_filter = NULL;
    int rc = node(RF_P_SCAN, NULL, l->schema, out);
    if (rc) return rc;
    rf_source *s = NULL;
    RF_TRY(rf__source_copy(l->src, &s));
    (*out)->src = s;
    int64_t step = ctx->max_split_bytes > 0 ? ctx->max_split_bytes : (128 << 20);
    /* partition pruning: files whose directory values exclude the filter */
    bool *keep = rf_malloc((size_t)s->n_files + 1);
    RF_CHECK(keep != NULL, RF_ERR_NOMEM, "out of memory");
    s->files_read = 0;
    for (int i = 0; i < s->n_files; i++) s->files_read += keep[i] = rf__file_may_match(pred, s, l->schema, i);
    rc = rf__format_ops(s->format)->split(l, s, pred, step, keep);
    rf_free(keep);
    if (rc) goto done;
    return RF_OK;
done:
    rf__plan_destroy(out);
    return rc;
}

/* Partial output schema: keys, then per aggregate its serialized state columns (expr/agg.h). */
static int partial_schema(const rf_plan *l, int n_keys, rf_expr **aggs, int n_aggs, int64_t *next_attr, rf_schema **out)
{
    int n = n_keys;
    rf_type t[RF_AGG_MAX_STATE];
    for (int i = 0; i < n_aggs; i++) n += rf__agg_state_types(aggs[i], t);
    int rc = rf_schema_create(n, out);
    if (rc) return rc;
    rf_schema *s = *out;
    for (int i = 0; i < n_keys; i++) {
        s->f[i] = l->schema->f[i];
        s->f[i].name = rf_strdup(l->schema->f[i].name);
        s->f[i].qual = rf_strdup(l->schema->f[i].qual);
    }
    int k = n_keys;
    for (int i = 0; i < n_aggs; i++) {
        int m = rf__agg_state_types(aggs[i], t);
        for (int j = 0; j < m; j++, k++)
            s->f[k] = (rf_field){ .name = rf_strdup(j ? "state_n" : "state"), .type = t[j], .nullable = true, .id = (*next_attr)++ };
    }
    return RF_OK;
}

/* Two-phase aggregation: partial -> exchange -> final, with keys and aggs over `in`. */
static int two_phase(const rf_plan *l, rf_plan *in, rf_expr **keys, int n_keys, rf_expr **aggs, int n_aggs,
                     const rf_schema *final_schema, rf_physctx *ctx, rf_plan **out)
{
    rf_plan *partial = NULL, *x = NULL, *fin = NULL;
    rf_schema *ps = NULL;
    int rc = partial_schema(l, n_keys, aggs, n_aggs, ctx->next_attr, &ps);
    if (rc) { rf__plan_destroy(&in); return rc; }
    rc = node(RF_P_HASH_AGG, in, ps, &partial);
    rf_schema_destroy(&ps);
    if (rc) return rc;
    partial->mode = RF_AGG_PARTIAL;
    partial->n_exprs = n_keys;
    partial->n_exprs2 = n_aggs;
    RF_TRY(copy_bind(keys, n_keys, in->schema, &partial->exprs));
    RF_TRY(copy_bind(aggs, n_aggs, in->schema, &partial->exprs2));
    rf_expr **kcols = NULL;
    if (n_keys) {
        kcols = rf_calloc((size_t)n_keys, sizeof *kcols);
        if (!kcols) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); goto done; }
        for (int i = 0; i < n_keys; i++) {
            const rf_field *f = &partial->schema->f[i];
            kcols[i] = rf__expr_col_attr(f->id, f->name, f->type, f->nullable, i);
        }
    }
    bool fixed = l->kind == RF_L_AGG && l->n > 0;   /* RDD reduceByKey(f, numPartitions) */
    rc = exchange(n_keys ? RF_X_HASH : RF_X_SINGLE, fixed ? l->n : ctx->shuffle_partitions, partial, kcols, n_keys, &x);
    if (!rc && fixed) x->flags = 0;   /* the user's count stays */
    partial = NULL;
    for (int i = 0; i < n_keys; i++) rf_expr_destroy(&kcols[i]);
    rf_free(kcols);
    if (rc) goto done;
    RF_TRY(node(RF_P_HASH_AGG, x, final_schema, &fin));
    x = NULL;
    fin->mode = l->kind == RF_L_AGG && (l->mode & RF_LAGG_STATE_OUT) ? RF_AGG_MERGE : RF_AGG_FINAL;
    fin->n_exprs = n_keys;
    fin->n_exprs2 = n_aggs;
    /* the final phase reads keys and states by position; it keeps the calls for their types */
    RF_TRY(copy_bind(keys, n_keys, NULL, &fin->exprs));
    RF_TRY(copy_bind(aggs, n_aggs, NULL, &fin->exprs2));
    *out = fin;
    return RF_OK;
done:
    rf__plan_destroy(&partial);
    rf__plan_destroy(&x);
    rf__plan_destroy(&fin);
    return rc;
}

/* Streaming state (RF_LAGG_STATE_IN): `in` holds keys ++ serialized states; exchanged by the keys,
 * then merged into results (FINAL) or, RF_LAGG_STATE_OUT, into states again (MERGE). */
static int merge_states(const rf_plan *l, rf_plan *in, rf_physctx *ctx, rf_plan **out)
{
    int nk = l->n_exprs, rc;
    rf_plan *x = NULL, *fin = NULL;
    rf_expr **kcols = rf_calloc((size_t)nk + 1, sizeof *kcols);
    if (!kcols) { rf__plan_destroy(&in); return rf__err_set(RF_ERR_NOMEM, "out of memory"); }
    for (int i = 0; i < nk; i++) {
        const rf_field *f = &in->schema->f[i];
        kcols[i] = rf__expr_col_attr(f->id, f->name, f->type, f->nullable, i);
    }
    rc = exchange(nk ? RF_X_HASH : RF_X_SINGLE, ctx->shuffle_partitions, in, kcols, nk, &x);
    for (int i = 0; i < nk; i++) rf_expr_destroy(&kcols[i]);
    rf_free(kcols);
    if (rc) return rc;
    RF_TRY(node(RF_P_HASH_AGG, x, l->schema, &fin));
    x = NULL;
    fin->mode = (l->mode & RF_LAGG_STATE_OUT) ? RF_AGG_MERGE : RF_AGG_FINAL;
    fin->n_exprs = nk;
    fin->n_exprs2 = l->n_exprs2;
    RF_TRY(copy_bind(l->exprs, nk, NULL, &fin->exprs));
    RF_TRY(copy_bind(l->exprs2, l->n_exprs2, NULL, &fin->exprs2));
    *out = fin;
    return RF_OK;
done:
    rf__plan_destroy(&x);
    rf__plan_destroy(&fin);
    return rc;
}

static const rf_expr *uncast(const rf_expr *e)
{
    while (e->kind == RF_E_CAST && e->n_arg == 1) e = e->arg[0];
    return e;
}

static int plan_agg(const rf_plan *l, rf_physctx *ctx, rf_plan **out)
{
    rf_plan *in = NULL;
    int rc = plan_node(l->child[0], ctx, &in);
    if (rc) return rc;
    if (l->mode & RF_LAGG_STATE_IN) return merge_states(l, in, ctx, out);
    const rf_expr *dist = NULL;
    for (int i = 0; i < l->n_exprs2; i++) {
        const rf_expr *a = l->exprs2[i];
        if (!a->distinct) continue;
        if (dist && !rf__expr_equal(dist, uncast(a->arg[0]))) {
            rf__plan_destroy(&in);
            return rf__err_set(RF_ERR_ANALYSIS, "DISTINCT aggregates over different expressions in one aggregation are not supported");
        }
        dist = uncast(a->arg[0]);
    }
    if (!dist) return two_phase(l, in, l->exprs, l->n_exprs, l->exprs2, l->n_exprs2, l->schema, ctx, out);
    for (int i = 0; i < l->n_exprs2; i++) {
        const rf_expr *a = l->exprs2[i];
        if (a->distinct || a->op == RF_A_MIN || a->op == RF_A_MAX) {
            if (!a->distinct && !rf__expr_equal(uncast(a->arg[0]), dist)) goto mixed;
            continue;
        }
mixed:
        rf__plan_destroy(&in);
        return rf__err_set(RF_ERR_ANALYSIS, "DISTINCT aggregates mixed with non-DISTINCT aggregates of other columns are not supported");
    }
    /* level 1: dedup on (keys, x); level 2: aggregate x per keys */
    int nk = l->n_exprs;
    rf_expr **k1 = rf_calloc((size_t)nk + 1, sizeof *k1), **a2 = NULL, **k2 = NULL;
    rf_schema *s1 = NULL;
    rf_plan *lvl1 = NULL;
    if (!k1) { rf__plan_destroy(&in); return rf__err_set(RF_ERR_NOMEM, "out of memory"); }
    for (int i = 0; i < nk; i++) k1[i] = l->exprs[i];
    k1[nk] = (rf_expr *)dist;
    RF_TRY(rf_schema_create(nk + 1, &s1));
    for (int i = 0; i < nk; i++) {
        s1->f[i] = l->schema->f[i];
        s1->f[i].name = rf_strdup(l->schema->f[i].name);
        s1->f[i].qual = NULL;
    }
    s1->f[nk] = (rf_field){ .name = rf_strdup("distinct_value"), .type = dist->type, .nullable = true, .id = (*ctx->next_attr)++ };
    rf_plan fake = *l;
    fake.schema = s1;
    rc = two_phase(&fake, in, k1, nk + 1, NULL, 0, s1, ctx, &lvl1);
    in = NULL;
    if (rc) goto done;
    /* level 2 over lvl1's output: keys are columns 0..nk-1, x is column nk */
    k2 = rf_calloc((size_t)nk + 1, sizeof *k2);
    a2 = rf_calloc((size_t)l->n_exprs2, sizeof *a2);
    if (!k2 || !a2) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); goto done; }
    for (int i = 0; i < nk; i++) {
        const rf_field *f = &s1->f[i];
        k2[i] = rf__expr_col_attr(f->id, f->name, f->type, f->nullable, i);
    }
    for (int i = 0; i < l->n_exprs2; i++) {
        RF_TRY(rf__expr_copy(l->exprs2[i], &a2[i]));
        a2[i]->distinct = false;
        rf_type at = a2[i]->arg[0]->type;   /* the aggregate's input type (avg and sum cast to it) */
        rf_expr_destroy(&a2[i]->arg[0]);
        rf_expr *x = rf__expr_col_attr(s1->f[nk].id, "distinct_value", dist->type, true, nk);
        a2[i]->arg[0] = rf__expr_cast_to(x, a2[i]->op == RF_A_AVG || a2[i]->op == RF_A_SUM ? at : dist->type);
    }
    rc = two_phase(l, lvl1, k2, nk, a2, l->n_exprs2, l->schema, ctx, out);
    lvl1 = NULL;
done:
    rf_free(k1);
    if (k2) for (int i = 0; i < nk; i++) rf_expr_destroy(&k2[i]);
    if (a2) for (int i = 0; i < l->n_exprs2; i++) rf_expr_destroy(&a2[i]);
    rf_free(k2);
    rf_free(a2);
    rf_schema_destroy(&s1);
    rf__plan_destroy(&in);
    rf__plan_destroy(&lvl1);
    return rc;
}

/* Splits cond into equi-key pairs (left expr = right expr, or <=> for the first 63 keys: bit k of
 * *nullsafe set) and the rest. */
static int split_keys(const rf_expr *cond, const rf_schema *ls, const rf_schema *rs, rf_buf *lk, rf_buf *rk, rf_buf *rest,
                      int64_t *nullsafe)
{
    if (cond->kind == RF_E_AND) {
        int rc = split_keys(cond->arg[0], ls, rs, lk, rk, rest, nullsafe);
        return rc ? rc : split_keys(cond->arg[1], ls, rs, lk, rk, rest, nullsafe);
    }
    int64_t nk = (int64_t)(lk->len / sizeof(rf_expr *));
    bool ns = cond->kind == RF_E_EQNS;
    if ((cond->kind == RF_E_EQ || (ns && nk < 63)) && rf_type_base(cond->arg[0]->type) != RF_TYPE_MAP) {
        const rf_expr *a = cond->arg[0], *b = cond->arg[1];
        bool al = rf__expr_refs_only(a, ls), ar = rf__expr_refs_only(a, rs);
        bool bl = rf__expr_refs_only(b, ls), br = rf__expr_refs_only(b, rs);
        bool aref = a->kind != RF_E_LIT, bref = b->kind != RF_E_LIT;
        if (aref && bref && ((al && br && !ar && !bl) || (ar && bl && !al && !br))) {
            if (ns) *nullsafe |= (int64_t)1 << nk;
            if (al && br) { rf_buf_put(lk, &a, sizeof a); return rf_buf_put(rk, &b, sizeof b); }
            rf_buf_put(lk, &b, sizeof b);
            return rf_buf_put(rk, &a, sizeof a);
        }
    }
    return rf_buf_put(rest, &cond, sizeof cond);
}

static int plan_join(const rf_plan *l, rf_physctx *ctx, rf_plan **out)
{
    rf_plan *left = NULL, *right = NULL, *j = NULL;
    rf_buf lk = { 0 }, rk = { 0 }, rest = { 0 };
    rf_schema *both = NULL;
    int rc;
    RF_TRY(plan_node(l->child[0], ctx, &left));
    RF_TRY(plan_node(l->child[1], ctx, &right));
    int64_t nullsafe = 0;
    if (l->cond) RF_TRY(split_keys(l->cond, left->schema, right->schema, &lk, &rk, &rest, &nullsafe));
    int nk = (int)(lk.len / sizeof(rf_expr *));
    bool small_right = estimate(l->child[1]) <= (double)ctx->broadcast_threshold;
    int t = l->mode;
    bool can_bcast = small_right && (t == RF_JOIN_INNER || t == RF_JOIN_LEFT || t == RF_JOIN_SEMI || t == RF_JOIN_ANTI || t == RF_JOIN_CROSS);
    RF_TRY(rf__plan_new(nk ? RF_P_HASH_JOIN : RF_P_NL_JOIN, 2, &j));
    j->mode = t;
    RF_TRY(rf_schema_copy(l->schema, &j->schema));
    if (nk) {
        RF_TRY(copy_bind((rf_expr **)lk.data, nk, left->schema, &j->exprs));
        RF_TRY(copy_bind((rf_expr **)rk.data, nk, right->schema, &j->exprs2));
        j->n_exprs = j->n_exprs2 = nk;
        j->n = nullsafe;   /* bit k: key k matches NULL to NULL (<=>) */
    }
    /* the residual condition is evaluated over left ++ right */
    int nrest = (int)(rest.len / sizeof(rf_expr *));
    if (nrest) {
        RF_TRY(rf_schema_create(left->schema->n + right->schema->n, &both));
        for (int i = 0; i < both->n; i++) {
            const rf_field *f = i < left->schema->n ? &left->schema->f[i] : &right->schema->f[i - left->schema->n];
            both->f[i] = *f;
            both->f[i].name = rf_strdup(f->name);
            both->f[i].qual = NULL;
        }
        rf_expr **rv = (rf_expr **)rest.data;
        rf_conj cj = { 0 };
        for (int i = 0; i < nrest; i++) {
            rf_expr *c = NULL;
            if ((rc = rf__expr_copy(rv[i], &c))) { rf__conj_fini(&cj); goto done; }
            rf__conj_add(&cj, c);
        }
        if (!(j->cond = rf__conj_build(&cj, true))) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); goto done; }
        RF_TRY(rf__expr_bind(j->cond, both));
    }
    if (can_bcast) {
        rf_plan *x = NULL;
        rc = exchange(RF_X_BROADCAST, 1, right, NULL, 0, &x);
        right = NULL;
        if (rc) goto done;
        j->child[0] = left;
        j->child[1] = x;
        left = NULL;
    } else if (nk) {
        rf_plan *xl = NULL, *xr = NULL;
        rc = exchange(RF_X_HASH, ctx->shuffle_partitions, left, j->exprs, nk, &xl);
        left = NULL;
        if (rc) goto done;
        j->child[0] = xl;
        rc = exchange(RF_X_HASH, ctx->shuffle_partitions, right, j->exprs2, nk, &xr);
        right = NULL;
        if (rc) goto done;
        j->child[1] = xr;
        /* the join's keys now read the exchanges' outputs, which have the same columns */
    } else {
        rf_plan *xl = NULL, *xr = NULL;
        rc = exchange(RF_X_SINGLE, 1, left, NULL, 0, &xl);
        left = NULL;
        if (rc) goto done;
        j->child[0] = xl;
        rc = exchange(RF_X_SINGLE, 1, right, NULL, 0, &xr);
        right = NULL;
        if (rc) goto done;
        j->child[1] = xr;
    }
    *out = j;
    j = NULL;
done:
    rf_buf_fini(&lk);
    rf_buf_fini(&rk);
    rf_buf_fini(&rest);
    rf_schema_destroy(&both);
    rf__plan_destroy(&left);
    rf__plan_destroy(&right);
    rf__plan_destroy(&j);
    return rc;
}

static int unary(rf_nkind k, const rf_plan *l, rf_physctx *ctx, rf_plan **out)
{
    rf_plan *in = NULL;
    int rc = plan_node(l->child[0], ctx, &in);
    if (rc) return rc;
    const rf_schema *child_schema = in->schema;
    RF_TRY(node(k, in, l->schema, out));
    (*out)->n = l->n;
    (*out)->n_exprs = l->n_exprs;
    RF_TRY(copy_bind(l->exprs, l->n_exprs, child_schema, &(*out)->exprs));
    if (l->cond) {
        RF_TRY(rf__expr_copy(l->cond, &(*out)->cond));
        RF_TRY(rf__expr_bind((*out)->cond, child_schema));
    }
    return RF_OK;
done:
    rf__plan_destroy(out);
    return rc;
}

static int plan_limit(const rf_plan *l, rf_physctx *ctx, rf_plan **out)
{
    rf_plan *local = NULL, *x = NULL;
    int rc;
    bool topk = l->child[0]->kind == RF_L_SORT && l->child[0]->mode == 0;   /* a global sort (not SORT BY) */
    if (topk) {
        RF_TRY(unary(RF_P_TOPK, l->child[0], ctx, &local));
        local->n = l->n;
    } else {
        RF_TRY(unary(RF_P_LIMIT, l, ctx, &local));
    }
    RF_TRY(exchange(RF_X_SINGLE, 1, local, NULL, 0, &x));
    local = NULL;
    RF_TRY(node(topk ? RF_P_TOPK : RF_P_LIMIT, x, l->schema, out));
    x = NULL;
    (*out)->n = l->n;
    if (topk) {
        (*out)->n_exprs = l->child[0]->n_exprs;
        RF_TRY(copy_bind(l->child[0]->exprs, l->child[0]->n_exprs, (*out)->child[0]->schema, &(*out)->exprs));
    }
    return RF_OK;
done:
    rf__plan_destroy(&local);
    rf__plan_destroy(&x);
    rf__plan_destroy(out);
    return rc;
}

static int plan_node(const rf_plan *l, rf_physctx *ctx, rf_plan **out)
{
    int rc;
    rf_plan *in = NULL;
    *out = NULL;
    switch (l->kind) {
    case RF_L_SCAN: return plan_scan(l, ctx, out);
    case RF_L_FILTER:
        if (l->child[0]->kind == RF_L_SCAN) ctx->scan_filter = l->cond;   /* for row-group skipping */
        return unary(RF_P_FILTER, l, ctx, out);
    case RF_L_PROJECT: return unary(RF_P_PROJECT, l, ctx, out);
    case RF_L_GENERATE: return unary(RF_P_GENERATE, l, ctx, out);
    case RF_L_AGG: return plan_agg(l, ctx, out);
    case RF_L_JOIN: return plan_join(l, ctx, out);
    case RF_L_LIMIT: return plan_limit(l, ctx, out);
    case RF_L_SORT: {
        RF_TRY(plan_node(l->child[0], ctx, &in));
        rf_plan *x = NULL;
        if (l->mode == 1) { x = in; in = NULL; }   /* SORT BY: within each partition */
        else {
            rc = exchange(RF_X_RANGE, l->n > 0 ? l->n : ctx->shuffle_partitions, in, l->exprs, l->n_exprs, &x);
            in = NULL;
            if (rc) return rc;
            if (l->n > 0) x->flags = 0;   /* RDD sortByKey(asc, numPartitions): the user's count */
        }
        RF_TRY(node(RF_P_SORT, x, l->schema, out));
        (*out)->n_exprs = l->n_exprs;
        RF_TRY(copy_bind(l->exprs, l->n_exprs, x->schema, &(*out)->exprs));
        return RF_OK;
    }
    case RF_L_UNION: {
        RF_TRY(rf__plan_new(RF_P_UNION, l->n_child, out));
        RF_TRY(rf_schema_copy(l->schema, &(*out)->schema));
        for (int i = 0; i < l->n_child; i++) {
            ctx->offset_branch += i > 0;
            rc = plan_node(l->child[i], ctx, &(*out)->child[i]);
            ctx->offset_branch -= i > 0;
            if (rc) goto done;
        }
        return RF_OK;
    }
    case RF_L_CACHE: {
        /* cached rows stay on the rank of the task that made them; a union branch after the first
         * numbers its tasks from an offset, so there the cache is neither filled nor read */
        if (ctx->offset_branch) return plan_node(l->child[0], ctx, out);
        for (int64_t i = 0; i < ctx->n_uncached; i++)
            if (ctx->uncached[i] == l->n) return plan_node(l->child[0], ctx, out);
        for (int i = 0; i < ctx->n_cached; i++)
            if (ctx->cached[i] == l->n) {   /* filled by an earlier job: read it */
                RF_TRY(node(RF_P_CACHE_READ, NULL, l->schema, out));
                (*out)->n = l->n;
                (*out)->mode = (int)ctx->cached_tasks[i];
                return RF_OK;
            }
        RF_TRY(plan_node(l->child[0], ctx, &in));
        RF_TRY(node(RF_P_CACHE, in, l->schema, out));
        in = NULL;
        (*out)->n = l->n;
        (*out)->mode = l->mode;   /* the storage level */
        return RF_OK;
    }
    case RF_L_VALUES: {
        RF_TRY(node(RF_P_VALUES, NULL, l->schema, out));
        (*out)->n = l->n;
        (*out)->mode = l->mode;
        (*out)->n_exprs = l->n_exprs;
        RF_TRY(copy_bind(l->exprs, l->n_exprs, NULL, &(*out)->exprs));
        return RF_OK;
    }
    case RF_L_WINDOW: {
        RF_TRY(plan_node(l->child[0], ctx, &in));
        const rf_expr *w = l->exprs[0];
        int na = rf__window_nargs(w);
        rf_plan *x = NULL;
        rc = exchange(w->n_part ? RF_X_HASH : RF_X_SINGLE, ctx->shuffle_partitions, in, w->n_part ? w->arg + na : NULL, w->n_part, &x);
        in = NULL;
        if (rc) return rc;
        RF_TRY(node(RF_P_WINDOW, x, l->schema, out));
        (*out)->n_exprs = l->n_exprs;
        RF_TRY(copy_bind(l->exprs, l->n_exprs, x->schema, &(*out)->exprs));
        return RF_OK;
    }
    case RF_L_RDD:
        if ((rc = unary(RF_P_RDD, l, ctx, out))) return rc;
        (*out)->mode = l->mode;
        return RF_OK;
    case RF_L_REPART: case RF_L_COALESCE: {
        RF_TRY(plan_node(l->child[0], ctx, &in));
        rf_xkind k = l->kind == RF_L_COALESCE ? RF_X_COALESCE : l->mode == 1 ? RF_X_DIRECT : l->n_exprs ? RF_X_HASH : RF_X_ROUNDROBIN;
        rc = exchange(k, l->n ? l->n : ctx->shuffle_partitions, in, l->exprs, l->n_exprs, out);
        in = NULL;
        if (!rc && l->n) (*out)->flags = 0;   /* repartition(n): the user's count stays, as in Spark */
        return rc;
    }
    default:
        return rf__err_set(RF_ERR_INTERNAL, "cannot plan %s", rf__plan_kind_name(l->kind));
    }
done:
    rf__plan_destroy(&in);
    rf__plan_destroy(out);
    return rc;
}

/* Places each exchange's partitions where the tasks reading them run (see rank_offset). */
static void place(rf_plan *p, int64_t base)
{
    if (p->kind == RF_P_EXCHANGE) {
        p->rank_offset = base;
        place(p->child[0], 0);   /* the producing stage numbers its own tasks from 0 */
        return;
    }
    if (p->kind == RF_P_UNION) {
        for (int i = 0; i < p->n_child; i++) {
            place(p->child[i], base);
            int64_t n = rf__plan_tasks(p->child[i]);
            base += n < 0 ? 1 : n;
        }
        return;
    }
    for (int i = 0; i < p->n_child; i++) place(p->child[i], base);
}

static void number(rf_plan *p, uint32_t *next)
{
    for (int i = 0; i < p->n_child; i++) number(p->child[i], next);
    p->id = (*next)++;
}

int rf__physical_plan(const rf_plan *optimized, rf_physctx *ctx, rf_plan **out)
{
    int rc = plan_node(optimized, ctx, out);
    if (rc) return rc;
    uint32_t next = 0;
    number(*out, &next);
    place(*out, 0);
    if (ctx->reuse_exchanges && (rc = rf__plan_mark_reuse(*out))) rf__plan_destroy(out);
    return rc;
}

/* ---------------------------------------------------------------- adaptive: broadcast -> shuffle */
int rf__plan_unbroadcast(rf_plan *join, int64_t n, rf_plan **probe_x)
{
    rf_plan *bx = join->child[1], *xl = NULL;
    *probe_x = NULL;
    if (join->kind != RF_P_HASH_JOIN || !join->n_exprs || bx->kind != RF_P_EXCHANGE || bx->mode != RF_X_BROADCAST || n < 1)
        return rf__err_set(RF_ERR_INTERNAL, "not a broadcast hash join");
    rf_expr **bk = NULL;
    int rc = copy_bind(join->exprs2, join->n_exprs2, bx->schema, &bk);
    rf_plan *probe = join->child[0];
    if (!rc) rc = exchange(RF_X_HASH, n, rf__plan_retain(probe), join->exprs, join->n_exprs, &xl);   /* drops its reference on failure */
    if (rc) {
        for (int i = 0; bk && i < join->n_exprs2; i++) rf_expr_destroy(&bk[i]);
        rf_free(bk);
        return rc;
    }
    rf__plan_destroy(&probe);   /* the join's reference: the new exchange holds the probe side now */
    xl->id = RF_ADAPTIVE_ID | join->id;   /* a node adaptive execution adds: its own id on every rank (EXPLAIN ANALYZE) */
    /* the probe side keeps its task count, so the join's tasks (and a union's numbering around
     * it) stay as planned; partition p lives where task p of the join runs */
    xl->rank_offset = bx->rank_offset;
    join->child[0] = xl;
    bx->mode = RF_X_HASH;
    bx->n = n;
    bx->exprs = bk;
    bx->n_exprs = join->n_exprs2;
    *probe_x = xl;
    return RF_OK;
}
