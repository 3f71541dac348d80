/*
 * plan.c — plan node lifecycle (create, deep copy, destroy), file sources, and the task count of
 * a physical subtree.
 */
#include <stdlib.h>
#include "plan/plan.h"

static const char *kind_names[RF_NKIND_COUNT_] = {
    "Scan", "Filter", "Project", "Generate", "Aggregate", "Join", "Sort", "Limit", "Union",
    "Repartition", "Coalesce",
    "Scan", "Filter", "Project", "Generate", "HashAggregate", "HashJoin", "NestedLoopJoin", "Sort",
    "TakeOrdered", "Limit", "Union", "Exchange", "Window", "Window", "LocalRelation", "LocalRelation", "Cache", "InMemoryRelation(fill)", "InMemoryRelation",
    "RDD", "RDD",
};

const char *rf__plan_kind_name(rf_nkind k) { return (unsigned)k < RF_NKIND_COUNT_ ? kind_names[k] : "?"; }

int rf__plan_new(rf_nkind k, int n_child, rf_plan **out)
{
    rf_plan *p = rf_calloc(1, sizeof *p);
    *out = NULL;
    if (!p) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    if (n_child && !(p->child = rf_calloc((size_t)n_child, sizeof *p->child))) {
        rf_free(p);
        return rf__err_set(RF_ERR_NOMEM, "out of memory");
    }
    p->refs = 1;
    p->kind = k;
    p->n_child = n_child;
    p->est_bytes = -1;
    *out = p;
    return RF_OK;
}

void rf__source_destroy(rf_source **ps)
{
    rf_source *s = *ps;
    *ps = NULL;
    if (!s) return;
    for (int i = 0; i < s->n_files; i++) rf_free(s->files[i]);
    rf_free(s->files);
    rf_free(s->sizes);
    rf_schema_destroy(&s->file_schema);
    rf_free(s->read);
    rf_free(s->null_value);
    rf_free(s->split_file);
    rf_free(s->split_off);
    rf_free(s->split_len);
    rf__rowgroups_release(&s->rg);
    for (int64_t i = 0; s->part_vals && i < (int64_t)s->n_files * s->n_part; i++) rf_free(s->part_vals[i]);
    rf_free(s->part_vals);
    rf_free(s->stream_dir);
    rf_free(s->stream_opts);
    rf_free(s);
}

void rf__rowgroups_release(rf_rowgroups **pr)
{
    rf_rowgroups *r = *pr;
    *pr = NULL;
    if (!r || atomic_fetch_sub(&r->refs, 1) > 1) return;
    for (int64_t i = 0; i < r->n * r->ncols; i++) { rf_value_fini(&r->min[i]); rf_value_fini(&r->max[i]); }
    rf_free(r->file); rf_free(r->off); rf_free(r->rows); rf_free(r->min); rf_free(r->max); rf_free(r->nulls); rf_free(r->file_rows);
    rf_free(r);
}

static void free_exprs(rf_expr ***pe, int n)
{
    for (int i = 0; i < n; i++) rf_expr_destroy(&(*pe)[i]);
    RF_FREE(*pe);
}

rf_plan *rf__plan_retain(rf_plan *p)
{
    if (p) p->refs++;
    return p;
}

void rf__plan_destroy(rf_plan **pp)
{
    rf_plan *p = *pp;
    *pp = NULL;
    if (!p || --p->refs > 0) return;
    for (int i = 0; i < p->n_child; i++) rf__plan_destroy(&p->child[i]);
    rf_free(p->child);
    rf_schema_destroy(&p->schema);
    free_exprs(&p->exprs, p->n_exprs);
    free_exprs(&p->exprs2, p->n_exprs2);
    rf_expr_destroy(&p->cond);
    rf__source_destroy(&p->src);
    rf_free(p);
}

#define DUP_ARRAY(dst, src, n, type)                                                        \
    do {                                                                                    \
        if ((n) > 0) {                                                                      \
            (dst) = rf_malloc((size_t)(n) * sizeof(type));                                  \
            if (!(dst)) goto nomem;                                                         \
            memcpy((dst), (src), (size_t)(n) * sizeof(type));                               \
        } else (dst) = NULL;                                                                \
    } while (0)

int rf__source_copy(const rf_source *s, rf_source **out)
{
    rf_source *c = rf_calloc(1, sizeof *c);
    if (!c) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    *c = *s;
    c->files = NULL; c->sizes = NULL; c->file_schema = NULL; c->read = NULL; c->null_value = NULL;
    c->split_file = NULL; c->split_off = NULL; c->split_len = NULL;
    if (c->rg) atomic_fetch_add(&c->rg->refs, 1);
    c->part_vals = NULL;
    c->stream_dir = c->stream_opts = NULL;
    c->n_files = 0;
    c->files = rf_calloc((size_t)(s->n_files ? s->n_files : 1), sizeof *c->files);
    if (!c->files) goto nomem;
    for (int i = 0; i < s->n_files; i++) {
        if (!(c->files[i] = rf_strdup(s->files[i]))) goto nomem;
        c->n_files++;
    }
    DUP_ARRAY(c->sizes, s->sizes, s->n_files, int64_t);
    DUP_ARRAY(c->read, s->read, s->n_read, int);
    DUP_ARRAY(c->split_file, s->split_file, s->n_splits, int32_t);
    DUP_ARRAY(c->split_off, s->split_off, s->n_splits, int64_t);
    DUP_ARRAY(c->split_len, s->split_len, s->n_splits, int64_t);
    if (s->null_value && !(c->null_value = rf_strdup(s->null_value))) goto nomem;
    if (s->stream_dir && !(c->stream_dir = rf_strdup(s->stream_dir))) goto nomem;
    if (s->stream_opts && !(c->stream_opts = rf_strdup(s->stream_opts))) goto nomem;
    if (s->n_part) {
        int64_t nv = (int64_t)s->n_files * s->n_part;
        if (!(c->part_vals = rf_calloc((size_t)nv + 1, sizeof *c->part_vals))) goto nomem;
        for (int64_t i = 0; i < nv; i++)
            if (s->part_vals[i] && !(c->part_vals[i] = rf_strdup(s->part_vals[i]))) goto nomem;
    }
    if (s->file_schema && rf_schema_copy(s->file_schema, &c->file_schema)) goto nomem;
    *out = c;
    return RF_OK;
nomem:
    rf__source_destroy(&c);
    return rf__err_set(RF_ERR_NOMEM, "out of memory");
}

static int copy_exprs(rf_expr **src, int n, rf_expr ***out)
{
    *out = NULL;
    if (!n) return RF_OK;
    *out = rf_calloc((size_t)n, sizeof **out);
    if (!*out) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        int rc = rf__expr_copy(src[i], &(*out)[i]);
        if (rc) return rc;
    }
    return RF_OK;
}

static int plan_copy(const rf_plan *p, rf_plan **out, int depth, int64_t *nodes);

int rf__plan_copy(const rf_plan *p, rf_plan **out)
{
    int64_t nodes = 0;
    return plan_copy(p, out, 1, &nodes);
}

static int plan_copy(const rf_plan *p, rf_plan **out, int depth, int64_t *nodes)
{
    rf_plan *c = NULL;
    *out = NULL;
    if (depth > RF_MAX_PLAN_DEPTH) return rf__err_set(RF_ERR_LIMIT, "the plan is nested too deeply (more than %d levels)", RF_MAX_PLAN_DEPTH);
    if (++*nodes > RF_MAX_PLAN_NODES)
        return rf__err_set(RF_ERR_LIMIT, "the plan has more than %d operators (views that read a view several times multiply)", RF_MAX_PLAN_NODES);
    int rc = rf__stack_check("the plan");
    if (!rc) rc = rf__plan_new(p->kind, p->n_child, &c);
    if (rc) return rc;
    c->id = p->id;
    c->n = p->n;
    c->mode = p->mode;
    c->est_bytes = p->est_bytes;
    c->rank_offset = p->rank_offset;
    c->flags = p->flags;
    c->reuses = p->reuses;
    c->watermark = p->watermark;
    c->wm_attr = p->wm_attr;
    c->wm_delay = p->wm_delay;
    if (p->schema) RF_TRY(rf_schema_copy(p->schema, &c->schema));
    c->n_exprs = p->n_exprs;
    RF_TRY(copy_exprs(p->exprs, p->n_exprs, &c->exprs));
    c->n_exprs2 = p->n_exprs2;
    RF_TRY(copy_exprs(p->exprs2, p->n_exprs2, &c->exprs2));
    if (p->cond) RF_TRY(rf__expr_copy(p->cond, &c->cond));
    if (p->src) RF_TRY(rf__source_copy(p->src, &c->src));
    if (p->kind == RF_L_UNION) {   /* union(union(a, b), c) is union(a, b, c): flattened without recursing down the chain */
        const rf_plan **stack = NULL, **leaf = NULL;
        int64_t ns = 0, cs = 0, nl = 0, cl = 0;
        rc = rf__grow((void **)&stack, &cs, 1, sizeof *stack);
        for (int i = p->n_child - 1; i >= 0 && !rc; i--) {
            if ((rc = rf__grow((void **)&stack, &cs, ns + 1, sizeof *stack))) break;
            stack[ns++] = p->child[i];
        }
        while (ns > 0 && !rc) {
            const rf_plan *q = stack[--ns];
            if (q->kind == RF_L_UNION) {
                for (int i = q->n_child - 1; i >= 0 && !rc; i--) {
                    if ((rc = rf__grow((void **)&stack, &cs, ns + 1, sizeof *stack))) break;
                    stack[ns++] = q->child[i];
                }
                continue;
            }
            if (!(rc = rf__grow((void **)&leaf, &cl, nl + 1, sizeof *leaf))) leaf[nl++] = q;
        }
        if (!rc && nl > RF_MAX_PLAN_CHILDREN) rc = rf__err_set(RF_ERR_LIMIT, "a union has more than %d inputs", RF_MAX_PLAN_CHILDREN);
        if (!rc && nl != c->n_child) {
            rf_free(c->child);
            c->n_child = 0;
            if (!(c->child = rf_calloc((size_t)nl, sizeof *c->child))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
        }
        for (int64_t i = 0; i < nl && !rc; i++) {
            rc = plan_copy(leaf[i], &c->child[i], depth + 1, nodes);
            c->n_child = (int)i + 1;
        }
        rf_free(stack);
        rf_free(leaf);
        if (rc) goto done;
        *out = c;
        return RF_OK;
    }
    for (int i = 0; i < p->n_child; i++) RF_TRY(plan_copy(p->child[i], &c->child[i], depth + 1, nodes));
    *out = c;
    return RF_OK;
done:
    rf__plan_destroy(&c);
    *out = NULL;
    return rc;
}

int64_t rf__plan_tasks(const rf_plan *p)
{
    switch (p->kind) {
    case RF_P_SCAN: return p->src->n_splits;
    case RF_P_VALUES: return p->mode == 1 ? p->n : 1;   /* range(): its partitions */
    case RF_P_CACHE_READ: return p->mode;
    case RF_P_EXCHANGE: return p->mode == RF_X_BROADCAST ? -1 : p->mode == RF_X_SINGLE ? 1 : p->n;
    case RF_P_UNION: {
        int64_t t = 0;
        for (int i = 0; i < p->n_child; i++) {
            int64_t c = rf__plan_tasks(p->child[i]);
            t += c < 0 ? 1 : c;
        }
        return t;
    }
    default: {
        int64_t t = -1;
        for (int i = 0; i < p->n_child; i++) {
            int64_t c = rf__plan_tasks(p->child[i]);
            if (c > t) t = c;
        }
        return t;
    }
    }
}

/* ---------------------------------------------------------------- re-identifying a subtree */
typedef struct { int64_t *from, *to; int64_t n, cap; int64_t *next; } idmap;

static int64_t map_id(idmap *m, int64_t id)
{
    for (int64_t i = 0; i < m->n; i++) if (m->from[i] == id) return m->to[i];
    int64_t c2 = m->cap;
    if (rf__grow((void **)&m->from, &m->cap, m->n + 1, sizeof *m->from) || rf__grow((void **)&m->to, &c2, m->n + 1, sizeof *m->to))
        return id;
    m->from[m->n] = id;
    m->to[m->n] = (*m->next)++;
    return m->to[m->n++];
}

static void reid_expr(rf_expr *e, idmap *m)
{
    if (!e) return;
    if (e->kind == RF_E_COL && e->attr >= 0) e->attr = map_id(m, e->attr);
    for (int i = 0; i < e->n_arg; i++) reid_expr(e->arg[i], m);
}

static void reid_node(rf_plan *p, idmap *m)
{
    for (int i = 0; i < p->n_child; i++) reid_node(p->child[i], m);
    for (int i = 0; p->schema && i < p->schema->n; i++) p->schema->f[i].id = map_id(m, p->schema->f[i].id);
    for (int i = 0; i < p->n_exprs; i++) reid_expr(p->exprs[i], m);
    for (int i = 0; i < p->n_exprs2; i++) reid_expr(p->exprs2[i], m);
    reid_expr(p->cond, m);
}

int rf__plan_reid(rf_plan *p, int64_t *next_attr)
{
    idmap m = { .next = next_attr };
    reid_node(p, &m);
    rf_free(m.from);
    rf_free(m.to);
    return RF_OK;
}

/* ---------------------------------------------------------------- limits */
static int check_node(const rf_plan *p, int depth, int64_t *nodes)
{
    if (depth > RF_MAX_PLAN_DEPTH) return rf__err_set(RF_ERR_LIMIT, "the plan is nested too deeply (more than %d levels)", RF_MAX_PLAN_DEPTH);
    if (++*nodes > RF_MAX_PLAN_NODES) return rf__err_set(RF_ERR_LIMIT, "the plan has more than %d operators", RF_MAX_PLAN_NODES);
    int rc = rf__stack_check("the plan");
    if (!rc && p->n_child > RF_MAX_PLAN_CHILDREN) rc = rf__err_set(RF_ERR_LIMIT, "a plan operator has %d inputs (at most %d)", p->n_child, RF_MAX_PLAN_CHILDREN);
    if (!rc && (p->n_exprs > RF_MAX_NODE_EXPRS || p->n_exprs2 > RF_MAX_NODE_EXPRS))
        rc = rf__err_set(RF_ERR_LIMIT, "a plan operator has more than %d expressions", RF_MAX_NODE_EXPRS);
    rf_expr *const *lists[3] = { p->exprs, p->exprs2, &p->cond };
    int counts[3] = { p->n_exprs, p->n_exprs2, p->cond ? 1 : 0 };
    for (int l = 0; l < 3 && !rc; l++)
        for (int i = 0; i < counts[l] && !rc; i++) {
            int h = rf__expr_height(lists[l][i]);
            if (h < 0) rc = rf__err_slot()->code;
            else if (h > RF_MAX_WIRE_EXPR_DEPTH)
                rc = rf__err_set(RF_ERR_LIMIT, "an expression of the plan is nested too deeply (%d levels, at most %d after analysis)", h, RF_MAX_WIRE_EXPR_DEPTH);
        }
    for (int i = 0; i < p->n_child && !rc; i++) rc = check_node(p->child[i], depth + 1, nodes);
    return rc;
}

int rf__plan_check_limits(const rf_plan *p)
{
    int64_t nodes = 0;
    return check_node(p, 1, &nodes);
}
