/*
 * dataframe_ops.c — the DataFrame operations that combine or reorder rows: joins (ON a condition,
 * USING columns, with SQL's hidden USING keys), sorting, repartitioning, limits, caching and unions.
 * The rest of the DataFrame API is dataframe.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include "runtime/runtime.h"

/* ---------------------------------------------------------------- joins */
static int join_schema(rf_plan *j)
{
    const rf_schema *l = j->child[0]->schema, *r = j->child[1]->schema;
    bool left_only = j->mode == RF_JOIN_SEMI || j->mode == RF_JOIN_ANTI;
    int n = l->n + (left_only ? 0 : r->n);
    int rc = rf_schema_create(n, &j->schema);
    if (rc) return rc;
    for (int i = 0; i < n; i++) {
        const rf_field *f = i < l->n ? &l->f[i] : &r->f[i - l->n];
        j->schema->f[i] = *f;
        j->schema->f[i].name = rf_strdup(f->name);
        j->schema->f[i].qual = rf_strdup(f->qual);
        if (j->mode == RF_JOIN_FULL || (j->mode == RF_JOIN_LEFT && i >= l->n) || (j->mode == RF_JOIN_RIGHT && i < l->n))
            j->schema->f[i].nullable = true;
    }
    return RF_OK;
}

static bool refs_ids_of(const rf_expr *e, const rf_schema *s)
{
    if (e->kind == RF_E_COL && e->attr >= 0)
        for (int i = 0; i < s->n; i++) if (s->f[i].id == e->attr) return true;
    for (int i = 0; i < e->n_arg; i++) if (refs_ids_of(e->arg[i], s)) return true;
    return false;
}

rf_df *rf_df_join_on(rf_df *left, rf_df *right, rf_expr *cond, rf_join_type type)
{
    rf_plan *j = NULL;
    rf_schema *both = NULL;
    int rc;
    if (!left || !right || left->err || right->err) {
        rf_expr_destroy(&cond);
        RF_DF_INPUT(left);
        RF_DF_INPUT(right);
        return NULL;
    }
    RF_CHECK(type >= RF_JOIN_INNER && type <= RF_JOIN_CROSS, RF_ERR_INVALID, "join: unknown join type %d", (int)type);
    RF_TRY(rf__plan_new(RF_L_JOIN, 2, &j));
    j->mode = type;
    j->child[0] = rf__plan_retain(left->plan);
    bool shared = false;   /* a self-join: the right side gets fresh attribute ids (a copy of its own) */
    for (int i = 0; i < left->plan->schema->n; i++)
        for (int k = 0; k < right->plan->schema->n; k++) shared |= left->plan->schema->f[i].id == right->plan->schema->f[k].id;
    if (shared) {
        RF_CHECK(!cond || !refs_ids_of(cond, right->plan->schema), RF_ERR_ANALYSIS,
                 "joining a DataFrame with itself: name the columns through aliases (rf_df_alias) rather than rf_df_col");
        RF_TRY(rf__plan_copy(right->plan, &j->child[1]));
        RF_TRY(rf__plan_reid(j->child[1], &left->s->next_attr));
    } else j->child[1] = rf__plan_retain(right->plan);
    if (cond) {
        const rf_schema *ls = j->child[0]->schema, *rs = j->child[1]->schema;
        RF_TRY(rf_schema_create(ls->n + rs->n, &both));
        for (int i = 0; i < both->n; i++) {
            const rf_field *f = i < ls->n ? &ls->f[i] : &rs->f[i - ls->n];
            both->f[i] = *f;
            both->f[i].name = rf_strdup(f->name);
            both->f[i].qual = rf_strdup(f->qual);
        }
        j->cond = cond;
        cond = NULL;
        RF_TRY(rf__expr_resolve(j->cond, both, false));
        RF_CHECK(j->cond->type == RF_TYPE_BOOL, RF_ERR_ANALYSIS, "join condition is %s, not boolean", rf_type_name(j->cond->type));
    } else {
        RF_CHECK(type == RF_JOIN_CROSS || type == RF_JOIN_INNER, RF_ERR_ANALYSIS, "an outer, semi or anti join needs a condition");
    }
    RF_TRY(join_schema(j));
    rf_schema_destroy(&both);
    return rf__df_make(left->s, j, RF_OK);
done:
    rf_expr_destroy(&cond);
    rf_schema_destroy(&both);
    rf__plan_destroy(&j);
    return rf__df_fail(left->s, rc);
}

rf_df *rf_df_join(rf_df *left, rf_df *right, const char *using_cols, rf_join_type type)
{
    return rf__df_join_using(left, right, using_cols, type, false);
}

rf_df *rf__df_join_using(rf_df *left, rf_df *right, const char *using_cols, rf_join_type type, bool keep_keys)
{
    RF_DF_INPUT(left);
    RF_DF_INPUT(right);
    if (!using_cols || !*using_cols) return rf_df_join_on(left, right, NULL, RF_JOIN_CROSS);
    for (int i = 0; i < left->plan->schema->n; i++)
        for (int k = 0; k < right->plan->schema->n; k++)
            if (left->plan->schema->f[i].id == right->plan->schema->f[k].id) {   /* self-join: a renumbered copy */
                rf_plan *c = NULL;
                int rc = rf__plan_copy(right->plan, &c);
                if (!rc) rc = rf__plan_reid(c, &left->s->next_attr);
                if (rc) { rf__plan_destroy(&c); return rf__df_fail(left->s, rc); }
                rf_df *fresh = rf__df_make(left->s, c, RF_OK);
                rf_df *r = fresh ? rf__df_join_using(left, fresh, using_cols, type, keep_keys) : NULL;
                rf_df_release(&fresh);
                return r;
            }
    char *copy = rf_strdup(using_cols), *save = NULL;
    char **names = rf_calloc(strlen(using_cols) / 2 + 2, sizeof *names);   /* at most one name per two bytes */
    int nk = 0;
    rf_expr *cond = NULL;
    rf_conj cj = { 0 };
    if (!copy || !names) { rf_free(copy); rf_free(names); return rf__df_fail(left->s, rf__err_set(RF_ERR_NOMEM, "out of memory")); }
    for (char *t = strtok_r(copy, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
        int li = rf_schema_find(left->plan->schema, t), ri = rf_schema_find(right->plan->schema, t);
        if (li < 0 || ri < 0) {
            rf_expr *probe = rf_col(t);
            rf__expr_resolve(probe, li < 0 ? left->plan->schema : right->plan->schema, false);
            rf_expr_destroy(&probe);
            char msg[sizeof rf__err_slot()->msg];
            snprintf(msg, sizeof msg, "%s", rf__err_slot()->msg);
            rf__err_set(RF_ERR_ANALYSIS, "join using '%s': %s side: %.1400s", t, li < 0 ? "left" : "right", msg);
            rf__conj_fini(&cj);
            rf_free(copy);
            rf_free(names);
            return rf__df_fail(left->s, RF_ERR_ANALYSIS);
        }
        names[nk++] = t;
        const rf_field *lf = &left->plan->schema->f[li], *rf_ = &right->plan->schema->f[ri];
        rf_expr *e = rf_eq(rf__expr_col_attr(lf->id, lf->name, lf->type, lf->nullable, li),
                           rf__expr_col_attr(rf_->id, rf_->name, rf_->type, rf_->nullable, ri));
        if (e) { e->arg[0]->resolved = e->arg[1]->resolved = false; }
        rf__conj_add(&cj, e);
    }
    cond = rf__conj_build(&cj, false);
    rf_df *j = rf_df_join_on(left, right, cond, type);
    if (!j || j->err || type == RF_JOIN_SEMI || type == RF_JOIN_ANTI) { rf_free(copy); rf_free(names); return j; }
    /* USING: the key columns once (coalesced for a full join), then the other columns */
    const rf_schema *ls = left->plan->schema, *rs = right->plan->schema;
    rf_expr **v = rf_calloc((size_t)(ls->n + rs->n + nk) + 1, sizeof *v);   /* the keys once more, the columns, hidden keys */
    int *hid = keep_keys ? rf_calloc((size_t)(ls->n + rs->n + nk) + 1, sizeof *hid) : NULL, nh = 0;
    int n = 0;
    for (int k = 0; k < nk; k++) {
        const rf_field *lf = &ls->f[rf_schema_find(ls, names[k])], *rf_ = &rs->f[rf_schema_find(rs, names[k])];
        rf_expr *lc = rf__expr_col_attr(lf->id, lf->name, lf->type, true, 0), *rc_ = rf__expr_col_attr(rf_->id, rf_->name, rf_->type, true, 0);
        if (lc) { lc->resolved = false; lc->qual = rf_strdup(lf->qual); }
        if (rc_) { rc_->resolved = false; rc_->qual = rf_strdup(rf_->qual); }
        if (type == RF_JOIN_FULL) v[n++] = rf_as(rf_fn("coalesce", 2, lc, rc_), lf->name);
        else if (type == RF_JOIN_RIGHT) { rf_expr_destroy(&lc); v[n++] = rc_; }
        else { rf_expr_destroy(&rc_); v[n++] = lc; }
    }
    for (int side = 0; side < 2; side++) {
        const rf_schema *s = side ? rs : ls;
        for (int i = 0; i < s->n; i++) {
            bool key = false;   /* (a key an earlier USING hid stays hidden, not this join's key) */
            for (int k = 0; k < nk && !s->f[i].hidden; k++) key |= !strcasecmp(s->f[i].name, names[k]);
            /* a key side that is not the visible key: kept hidden, for t.k and t.* (Spark keeps both) */
            bool keep_hidden = key && hid && (side ? type != RF_JOIN_RIGHT : (type == RF_JOIN_RIGHT || type == RF_JOIN_FULL));
            if (key && !keep_hidden) continue;
            rf_expr *c = rf__expr_col_attr(s->f[i].id, s->f[i].name, s->f[i].type, true, 0);
            if (c) { c->resolved = false; c->qual = rf_strdup(s->f[i].qual); }   /* t.v still names it */
            if ((keep_hidden || s->f[i].hidden) && hid) hid[nh++] = n;
            v[n++] = c;
        }
    }
    rf_free(copy);
    rf_free(names);
    rf_df *r = rf_df_selectv(j, n, v);
    rf_free(v);
    if (r && !r->err && r->plan && r->plan->refs == 1)
        for (int k = 0; k < nh; k++) r->plan->schema->f[hid[k]].hidden = true;
    rf_free(hid);
    return r;
}

/* ---------------------------------------------------------------- ordering, limits, unions */
rf_df *rf_df_sort_within_partitions(rf_df *df, int n, rf_expr **v)
{
    rf_df *r = rf_df_order_byv(df, n, v);
    if (r && !r->err && r->plan && r->plan->kind == RF_L_SORT && r->plan->refs == 1) r->plan->mode = 1;   /* local: no range exchange */
    return r;
}

rf_df *rf_df_repartition_by(rf_df *df, int n, int nk, rf_expr **keys)
{
    rf_plan *p = NULL;
    int rc;
    if (!df || df->err || nk < 1 || nk > RF_MAX_EXPR_ARGS || n < 0) {
        for (int i = 0; i < nk && i < RF_MAX_EXPR_ARGS; i++) rf_expr_destroy(&keys[i]);
        RF_DF_INPUT(df);
        return rf__df_fail(df->s, rf__err_set(RF_ERR_INVALID, "repartition: 1 to %d keys and a partition count of 0 or more", RF_MAX_EXPR_ARGS));
    }
    RF_TRY(rf__df_unary(RF_L_REPART, df, &p));
    p->n = n;
    RF_CHECK((p->exprs = rf_calloc((size_t)nk, sizeof *p->exprs)) != NULL, RF_ERR_NOMEM, "out of memory");
    for (int i = 0; i < nk; i++) {
        p->exprs[i] = keys[i];
        keys[i] = NULL;
        p->n_exprs = i + 1;
        RF_CHECK(p->exprs[i], RF_ERR_INVALID, "repartition: key %d is invalid", i + 1);
        RF_TRY(rf__expr_resolve(p->exprs[i], p->child[0]->schema, false));
        RF_CHECK(rf_type_base(p->exprs[i]->type) != RF_TYPE_MAP, RF_ERR_ANALYSIS, "cannot partition by a map (%s)", rf_type_name(p->exprs[i]->type));
    }
    RF_TRY(rf_schema_copy(p->child[0]->schema, &p->schema));
    return rf__df_make(df->s, p, RF_OK);
done:
    for (int i = 0; i < nk; i++) rf_expr_destroy(&keys[i]);
    rf__plan_destroy(&p);
    return rf__df_fail(df->s, rc);
}

rf_df *rf_df_order_byv(rf_df *df, int n, rf_expr **v)
{
    rf_plan *p = NULL;
    int rc;
    if (!df || df->err || n < 1 || n > RF_MAX_EXPR_ARGS) {
        for (int i = 0; i < n && i < RF_MAX_EXPR_ARGS; i++) rf_expr_destroy(&v[i]);
        RF_DF_INPUT(df);
        return rf__df_fail(df->s, rf__err_set(RF_ERR_INVALID, "orderBy needs 1 to %d orders", RF_MAX_EXPR_ARGS));
    }
    RF_TRY(rf__df_unary(RF_L_SORT, df, &p));
    RF_CHECK((p->exprs = rf_calloc((size_t)n, sizeof *p->exprs)) != NULL, RF_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        rf_expr *e = v[i];
        v[i] = NULL;
        RF_CHECK(e, RF_ERR_INVALID, "orderBy: order %d is invalid", i + 1);
        if (e->kind != RF_E_SORT) e = rf_asc(e);
        p->exprs[i] = e;
        p->n_exprs = i + 1;
        RF_TRY(rf__expr_resolve(e, p->child[0]->schema, false));
        RF_CHECK(rf_type_base(e->arg[0]->type) != RF_TYPE_MAP, RF_ERR_ANALYSIS, "cannot order by a map (%s)", rf_type_name(e->arg[0]->type));
    }
    RF_TRY(rf_schema_copy(p->child[0]->schema, &p->schema));
    return rf__df_make(df->s, p, RF_OK);
done:
    for (int i = 0; i < n; i++) rf_expr_destroy(&v[i]);
    rf__plan_destroy(&p);
    return rf__df_fail(df->s, rc);
}

rf_df *(rf_df_order_by)(rf_df *df, int n, ...)
{
    va_list ap;
    va_start(ap, n);
    rf_expr **v = rf__df_va_args("rf_df_order_by", n, ap);
    va_end(ap);
    if (!v) { if (df && !df->err) return rf__df_fail(df->s, rf__err_slot()->code); RF_DF_INPUT(df); return NULL; }
    rf_df *r = rf_df_order_byv(df, n, v);
    rf_free(v);
    return r;
}

static rf_df *counted(rf_df *df, rf_nkind k, int64_t n, const char *what)
{
    rf_plan *p = NULL;
    int rc;
    RF_DF_INPUT(df);
    RF_CHECK(n >= (k == RF_L_LIMIT ? 0 : 1), RF_ERR_INVALID, "%s: %lld is out of range", what, (long long)n);
    RF_TRY(rf__df_unary(k, df, &p));
    p->n = n;
    RF_TRY(rf_schema_copy(p->child[0]->schema, &p->schema));
    return rf__df_make(df->s, p, RF_OK);
done:
    rf__plan_destroy(&p);
    return rf__df_fail(df->s, rc);
}

rf_df *rf_df_cache(rf_df *df) { return rf_df_persist(df, RF_MEMORY_AND_DISK); }

rf_df *rf_df_unpersist(rf_df *df)
{
    if (!df || df->err || !df->plan || df->plan->kind != RF_L_CACHE) return df;
    rf_session *s = df->s;
    for (int64_t i = 0; i < s->n_uncached; i++) if (s->uncached[i] == df->plan->n) return df;
    if (!rf__grow((void **)&s->uncached, &s->cap_uncached, s->n_uncached + 1, sizeof *s->uncached))
        s->uncached[s->n_uncached++] = df->plan->n;
    return df;
}

rf_df *rf_df_persist(rf_df *df, rf_storage_level level)
{
    rf_plan *p = NULL;
    int rc;
    RF_DF_INPUT(df);
    if (level != RF_MEMORY_AND_DISK && level != RF_MEMORY_ONLY && level != RF_DISK_ONLY)
        return rf__df_fail(df->s, rf__err_set(RF_ERR_INVALID, "persist: unknown storage level %d", (int)level));
    RF_TRY(rf__df_unary(RF_L_CACHE, df, &p));
    p->n = ++df->s->next_cache;
    p->mode = (int)level;
    RF_TRY(rf_schema_copy(p->child[0]->schema, &p->schema));
    return rf__df_make(df->s, p, RF_OK);
done:
    rf__plan_destroy(&p);
    return rf__df_fail(df->s, rc);
}

rf_df *rf_df_limit(rf_df *df, int64_t n) { return counted(df, RF_L_LIMIT, n, "limit"); }
rf_df *rf_df_repartition(rf_df *df, int n) { return counted(df, RF_L_REPART, n, "repartition"); }
rf_df *rf_df_coalesce(rf_df *df, int n) { return counted(df, RF_L_COALESCE, n, "coalesce"); }

/* One union node over d[0..n) (every input's columns of the same types). A chain of unions, here
 * or in the C API (the optimizer flattens nested unions when it copies the plan), runs as one node. */
rf_df *rf__df_union_all_n(rf_df **d, int n)
{
    rf_plan *p = NULL;
    int rc;
    if (n < 1 || !d) return NULL;
    for (int k = 0; k < n; k++) RF_DF_INPUT(d[k]);
    const rf_schema *sa = d[0]->plan->schema;
    for (int k = 1; k < n; k++) {
        const rf_schema *sb = d[k]->plan->schema;
        RF_CHECK(sa->n == sb->n, RF_ERR_ANALYSIS, "union: the inputs have %d and %d columns", sa->n, sb->n);
        for (int i = 0; i < sa->n; i++)
            RF_CHECK(sa->f[i].type == sb->f[i].type, RF_ERR_ANALYSIS, "union: column %d ('%s') is %s on the left and %s on the right; cast one side",
                     i + 1, sa->f[i].name, rf_type_name(sa->f[i].type), rf_type_name(sb->f[i].type));
    }
    RF_CHECK(n <= RF_MAX_PLAN_CHILDREN, RF_ERR_LIMIT, "union: %d inputs (at most %d)", n, RF_MAX_PLAN_CHILDREN);
    RF_TRY(rf__plan_new(RF_L_UNION, n, &p));
    for (int k = 0; k < n; k++) p->child[k] = rf__plan_retain(d[k]->plan);
    RF_TRY(rf_schema_copy(sa, &p->schema));
    for (int i = 0; i < sa->n; i++) {
        p->schema->f[i].id = d[0]->s->next_attr++;
        for (int k = 1; k < n; k++) p->schema->f[i].nullable |= d[k]->plan->schema->f[i].nullable;
        RF_FREE(p->schema->f[i].qual);
    }
    return rf__df_make(d[0]->s, p, RF_OK);
done:
    rf__plan_destroy(&p);
    return rf__df_fail(d[0]->s, rc);
}

rf_df *rf_df_union_all(rf_df *a, rf_df *b)
{
    rf_df *v[2] = { a, b };
    if (!a || !b) { RF_DF_INPUT(a); RF_DF_INPUT(b); }
    return rf__df_union_all_n(v, 2);
}

rf_expr *rf_df_col(rf_df *df, const char *name)
{
    rf_expr *e = rf_col(name);
    if (!e || !df || df->err || !df->plan) return e;
    int i = rf_schema_find(df->plan->schema, e->name);
    if (i >= 0) e->attr = df->plan->schema->f[i].id;   /* resolves to exactly this df's column */
    return e;
}
