/*
 * stream_state.c — a streaming aggregation's state between batches (docs/ARCHITECTURE.md,
 * "Streaming"). Rank 0 builds the plans; every batch's jobs run on all ranks.
 *
 * The state is the aggregation's partial result: one row per group, its keys and each aggregate's
 * serialized state (expr/agg.h: the format a partial aggregation sends through a shuffle), plus the
 * last batch that changed the group (max(batch id), one more aggregate), kept as riffle batch files
 * (io/rfb.c) in versions <ckpt>/state/N, each written by an ordinary atomic overwrite: a snapshot
 * (every group) every SNAPSHOT_EVERY-th batch, else a delta (the groups batch N changed, their states
 * over its rows only). The state after batch N is the merge of the latest snapshot at or before N
 * and the deltas after it:
 *
 *   delta N    = merge( partial aggregation of batch N's rows less those the watermark calls late )
 *   snapshot N = merge( that, and the chain up to N-1 less the groups the watermark closed )
 *
 * One plan: L_AGG[STATE_OUT] over the batch's rows (unioned, for a snapshot, with scans of the
 * chain) under L_AGG[STATE_IN|STATE_OUT] — physically partial -> exchange -> merge (plan/physical.c):
 * the inputs are hash-partitioned by the keys with the shuffle's hash, so a group's states and its
 * new rows meet in one task. It spills as every aggregation does. The output of batch N is a second
 * job over the chain up to N: L_AGG[STATE_IN] (finalize) with the query above the aggregation on
 * top, filtered by the output mode (complete: every group; update: the groups batch N changed;
 * append: the groups whose event-time key the watermark has passed). Nothing depends on the rank
 * count, so a restart may use another.
 *
 * The watermark is Spark's: after batch N, W = max(W, the largest event time batch N saw - delay);
 * batch N evicts (and in append mode emits) the groups whose event time (a window's end) is at or
 * before W as it stood when N began, and drops as late the rows at or before W as it stood when
 * N-1 began (spark.sql.streaming.statefulOperator.allowMultiple's rule). Complete mode keeps every
 * group and drops nothing.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "runtime/stream_int.h"
#include "expr/agg.h"
#include "io/files.h"
#include "io/output.h"

/* ---------------------------------------------------------------- finding and checking */
int rf__stream_leaves(rf_plan *p, rf_plan **out, int max)
{
    int n = 0;
    if (p->kind == RF_L_SCAN && p->src && p->src->stream_dir) {
        if (max > 0) out[0] = p;
        return 1;
    }
    for (int i = 0; i < p->n_child; i++) n += rf__stream_leaves(p->child[i], out ? out + n : NULL, max - n);
    return n;
}

bool rf__plan_has_stream(const rf_plan *p) { return rf__stream_leaves((rf_plan *)p, NULL, 0) > 0; }

/* In a copy of the query's plan (whose stream scan a batch's files may have replaced), the place
 * of the node that is st->agg in the query: found by its path from the root (copies keep the shape). */
static bool path_to(const rf_plan *p, const rf_plan *target, int *path, int *n)
{
    if (p == target) return true;
    if (*n >= RF_MAX_PLAN_DEPTH) return false;
    for (int i = 0; i < p->n_child; i++) {
        path[(*n)++] = i;
        if (path_to(p->child[i], target, path, n)) return true;
        (*n)--;
    }
    return false;
}

static rf_plan **same_slot(rf_plan **root, const rf_plan *query, const rf_plan *target)
{
    int path[RF_MAX_PLAN_DEPTH], n = 0;
    if (!path_to(query, target, path, &n)) return NULL;
    rf_plan **pp = root;
    for (int i = 0; i < n; i++) {
        if (path[i] >= (*pp)->n_child) return NULL;
        pp = &(*pp)->child[path[i]];
    }
    return (*pp)->kind == target->kind ? pp : NULL;
}

static const rf_plan *find_wm(const rf_plan *p)
{
    if (p->kind == RF_L_PROJECT && p->watermark) return p;
    for (int i = 0; i < p->n_child; i++) {
        const rf_plan *w = find_wm(p->child[i]);
        if (w) return w;
    }
    return NULL;
}

static const rf_expr *uncast(const rf_expr *e)
{
    while (e->kind == RF_E_CAST && e->n_arg == 1) e = e->arg[0];
    return e;
}

/* The expression that computes column attr below p (through projections; for a column a generator
 * adds, the array it explodes), or NULL. */
static const rf_expr *defining(const rf_plan *p, int64_t attr)
{
    if (p->kind == RF_L_GENERATE && p->cond && p->schema->n > 0 && p->schema->f[p->schema->n - 1].id == attr) return p->cond;
    if (p->kind == RF_L_PROJECT)
        for (int i = 0; i < p->n_exprs && i < p->schema->n; i++) {
            const rf_expr *e = p->exprs[i];
            if (p->schema->f[i].id == attr && !(uncast(e)->kind == RF_E_COL && uncast(e)->attr == attr)) return e;
        }
    for (int i = 0; i < p->n_child; i++) {
        const rf_expr *e = defining(p->child[i], attr);
        if (e) return e;
    }
    return NULL;
}

/* 1: key e is the event-time column wm; 2: a window() of it; 0: neither. */
static int event_kind(const rf_plan *below, const rf_expr *e, int64_t wm, int depth)
{
    e = uncast(e);
    if (depth > 64) return 0;
    if (e->kind == RF_E_COL) {
        if (e->attr == wm) return 1;
        const rf_expr *d = defining(below, e->attr);
        return d ? event_kind(below, d, wm, depth + 1) : 0;
    }
    if (e->kind == RF_E_FUNC && e->op == RF_F_NAMED_STRUCT && e->n_arg == 4 && e->arg[1]->kind == RF_E_FUNC &&
        e->arg[1]->op == RF_F_WINDOW_START && event_kind(below, e->arg[1]->arg[0], wm, depth + 1) == 1)
        return 2;
    if (e->kind == RF_E_FUNC && e->op == RF_F_WINDOWS && event_kind(below, e->arg[0], wm, depth + 1) == 1) return 2;   /* a sliding window's */
    return 0;
}

static bool contains_agg(const rf_plan *p)
{
    if (p->kind == RF_L_AGG) return true;
    for (int i = 0; i < p->n_child; i++) if (contains_agg(p->child[i])) return true;
    return false;
}

/* Spark's rules (UnsupportedOperationChecker) for what a streaming query may do. */
static int check(const rf_plan *p, rf_outmode mode, rf_sstate *st)
{
    int here = 0;
    if (!rf__plan_has_stream(p)) return RF_OK;
    switch (p->kind) {
    case RF_L_AGG:
        if (st->agg) return rf__err_set(RF_ERR_ANALYSIS, "Multiple streaming aggregations are not supported with streaming DataFrames/Datasets");
        for (int i = 0; i < p->n_exprs2; i++)
            if (p->exprs2[i]->distinct)
                return rf__err_set(RF_ERR_ANALYSIS, "Distinct aggregations are not supported on streaming DataFrames/Datasets. Consider using approx_count_distinct() instead.");
        st->agg = p;
        st->dedup = (p->mode & RF_LAGG_DEDUP) != 0;
        break;
    case RF_L_SORT:
        if (mode != RF_OUT_COMPLETE || !contains_agg(p))
            return rf__err_set(RF_ERR_ANALYSIS, "Sorting is not supported on streaming DataFrames/Datasets, unless it is on aggregated DataFrame/Dataset in Complete output mode");
        break;
    case RF_L_LIMIT:
        if (mode != RF_OUT_COMPLETE) return rf__err_set(RF_ERR_ANALYSIS, "Limits are not supported on streaming DataFrames/Datasets in Update and Append output modes");
        break;
    case RF_L_WINDOW: return rf__err_set(RF_ERR_ANALYSIS, "Non-time-based windows are not supported on streaming DataFrames/Datasets");
    case RF_L_CACHE: return rf__err_set(RF_ERR_ANALYSIS, "a streaming DataFrame cannot be cached");
    case RF_L_UNION:
        for (int i = 0; i < p->n_child; i++) here += rf__plan_has_stream(p->child[i]);
        if (here > 1) return rf__err_set(RF_ERR_ANALYSIS, "a union of two streams is not supported yet");
        if (contains_agg(p)) return rf__err_set(RF_ERR_ANALYSIS, "a union with a streaming aggregation is not supported");
        break;
    case RF_L_JOIN: {
        bool l = rf__plan_has_stream(p->child[0]), r = rf__plan_has_stream(p->child[1]);
        if (l && r) return rf__err_set(RF_ERR_ANALYSIS, "a join of two streams is not supported yet (stream-static joins are)");
        if (contains_agg(p->child[l ? 0 : 1])) return rf__err_set(RF_ERR_ANALYSIS, "a join after a streaming aggregation is not supported");
        bool ok = p->mode == RF_JOIN_INNER || p->mode == RF_JOIN_CROSS || (l && (p->mode == RF_JOIN_LEFT || p->mode == RF_JOIN_SEMI || p->mode == RF_JOIN_ANTI)) ||
                  (r && p->mode == RF_JOIN_RIGHT);
        if (!ok) return rf__err_set(RF_ERR_ANALYSIS, "this outer join between a stream and a static DataFrame is not supported: the static side's unmatched rows are never final (Spark's rule)");
        break;
    }
    default:
        break;
    }
    for (int i = 0; i < p->n_child; i++) {
        int rc = check(p->child[i], mode, st);
        if (rc) return rc;
    }
    return RF_OK;
}

int rf__sstate_plan(const rf_plan *plan, rf_outmode mode, rf_sstate *st)
{
    memset(st, 0, sizeof *st);
    st->mode = mode;
    st->ev_key = -1;
    int rc = check(plan, mode, st);
    if (rc) return rc;
    if (!st->agg || (st->dedup && mode == RF_OUT_COMPLETE)) {
        if (mode == RF_OUT_COMPLETE)
            return rf__err_set(RF_ERR_ANALYSIS, "Complete output mode not supported when there are no streaming aggregations on streaming DataFrames/Datasets");
        return RF_OK;
    }
    st->wm = find_wm(st->agg);
    for (int k = 0; st->wm && k < st->agg->n_exprs && st->ev_key < 0; k++) {
        int kind = event_kind(st->agg->child[0], st->agg->exprs[k], st->wm->wm_attr, 0);
        if (kind) { st->ev_key = k; st->ev_window = kind == 2; }
    }
    if (mode == RF_OUT_APPEND && st->ev_key < 0 && !st->dedup)
        return rf__err_set(RF_ERR_ANALYSIS, "Append output mode not supported when there are streaming aggregations on streaming DataFrames/DataSets without watermark "
                                            "(group by the watermark's column or a window() of it, or use outputMode update or complete)");
    return RF_OK;
}

/* ---------------------------------------------------------------- plan pieces */
static rf_expr *lit_ts(int64_t us)
{
    rf_expr *l = rf__expr_lit(&(rf_value){ .type = RF_TYPE_TIMESTAMP, .v.i = us });
    if (l) l->resolved = true;
    return l;
}

/* The event time of a row from key expression k (a copy): the window's end, or k itself. */
static rf_expr *event_of(const rf_sstate *st, rf_expr *k)
{
    return st->ev_window ? rf_fn("__get_field", 2, k, rf_lit_str("end")) : k;
}

/* Filter over child keeping the rows whose event time (from key expression k, a copy) is NULL or
 * after w: Spark's late-row and eviction predicate (event time <= watermark) negated. */
static int keep_after(const rf_sstate *st, rf_plan **child, rf_expr *k, int64_t w)
{
    rf_expr *k2 = NULL;
    int rc = rf__expr_copy(k, &k2);
    if (rc) { rf_expr_destroy(&k); return rc; }
    rf_expr *cond = rf_or(rf_is_null(event_of(st, k)), rf_gt(event_of(st, k2), lit_ts(w)));
    rf_plan *f = NULL;
    if (!cond) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    if ((rc = rf__plan_new(RF_L_FILTER, 1, &f))) { rf_expr_destroy(&cond); return rc; }
    f->child[0] = *child;
    *child = f;
    f->cond = cond;
    rc = rf__expr_resolve(f->cond, f->child[0]->schema, false);
    return rc ? rc : rf_schema_copy(f->child[0]->schema, &f->schema);
}

/* The calls the state keeps: the aggregation's (none for dropDuplicates: its keys are the state),
 * then max(batch id). */
static int state_calls(const rf_plan *a, int64_t id, rf_expr ***out, int *n)
{
    int na = (a->mode & RF_LAGG_DEDUP) ? 0 : a->n_exprs2;
    rf_expr **v = rf_calloc((size_t)na + 1, sizeof *v);
    int rc = v ? RF_OK : rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int i = 0; i < na && !rc; i++) rc = rf__expr_copy(a->exprs2[i], &v[i]);
    if (!rc && !(v[na] = rf_max(rf_lit_int(id)))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    if (!rc) rc = rf__expr_resolve(v[na], a->schema, true);
    *out = v;
    *n = na + 1;
    return rc;
}

static void free_calls(rf_expr **v, int n)
{
    for (int i = 0; v && i < n; i++) rf_expr_destroy(&v[i]);
    rf_free(v);
}

/* The state's schema: a's keys, then each call's state columns; fresh attribute ids. */
static int state_schema(rf_session *s, const rf_plan *a, rf_expr **calls, int nc, rf_schema **out)
{
    rf_type t[RF_AGG_MAX_STATE];
    int nk = a->n_exprs, n = nk;
    for (int i = 0; i < nc; i++) n += rf__agg_state_types(calls[i], t);
    int rc = rf_schema_create(n, out);
    for (int i = 0; i < nk && !rc; i++) {
        (*out)->f[i] = (rf_field){ .name = rf_strdup(a->schema->f[i].name), .type = a->schema->f[i].type, .nullable = true, .id = s->next_attr++ };
        if (!(*out)->f[i].name) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    }
    for (int i = 0, c = nk; i < nc && !rc; i++) {
        int m = rf__agg_state_types(calls[i], t);
        for (int j = 0; j < m && !rc; j++, c++) {
            char name[32];
            snprintf(name, sizeof name, "state_%d_%d", i, j);
            (*out)->f[c] = (rf_field){ .name = rf_strdup(name), .type = t[j], .nullable = true, .id = s->next_attr++ };
            if (!(*out)->f[c].name) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
        }
    }
    return rc;
}

/* An aggregation node of mode `mode` over child; keys: child's first nk columns (STATE_IN) or a's
 * key expressions; the node owns calls afterwards. */
static int agg_node(const rf_plan *a, rf_plan *child, int mode, rf_expr **calls, int nc, rf_schema *schema, rf_plan **out)
{
    rf_plan *p = NULL;
    int nk = a->n_exprs, rc = rf__plan_new(RF_L_AGG, 1, &p);
    if (rc) { rf__plan_destroy(&child); free_calls(calls, nc); rf_schema_destroy(&schema); return rc; }
    p->child[0] = child;
    p->mode = mode;
    p->schema = schema;
    p->exprs2 = calls;
    p->n_exprs2 = nc;
    p->exprs = rf_calloc((size_t)nk + 1, sizeof *p->exprs);
    if (!p->exprs) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int k = 0; k < nk && !rc; k++) {
        if (mode & RF_LAGG_STATE_IN) {
            const rf_field *f = &child->schema->f[k];
            p->exprs[k] = rf__expr_col_attr(f->id, f->name, f->type, f->nullable, k);
        } else rc = rf__expr_copy(a->exprs[k], &p->exprs[k]);
        if (!rc && !p->exprs[k]) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
        p->n_exprs = k + 1;
    }
    if (rc) rf__plan_destroy(&p);
    *out = p;
    return rc;
}

/* A scan of <ckpt>/state/<id>'s files, NULL when there are none; its types must be `want`'s. */
static int state_scan(rf_session *s, const char *ckpt, int64_t id, const rf_schema *want, rf_plan **out)
{
    char dir[4400];
    *out = NULL;
    if (id < 0) return RF_OK;
    snprintf(dir, sizeof dir, "%s/state/%lld", ckpt, (long long)id);
    DIR *d = opendir(dir);
    if (!d) return errno == ENOENT ? rf__err_set(RF_ERR_INVALID, "%s: missing: batch %lld's state (a damaged checkpoint?)", dir, (long long)id)
                                   : rf__err_set(RF_ERR_IO, "%s: cannot open: %s", dir, strerror(errno));
    bool any = false;
    for (struct dirent *e; !any && (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        any = e->d_name[0] != '.' && e->d_name[0] != '_' && n > 4 && !strcmp(e->d_name + n - 4, ".rfb");
    }
    closedir(d);
    if (!any) return RF_OK;
    const char *paths[1] = { dir };
    rf_source *src = NULL;
    rf_plan *p = NULL;
    int rc = rf__source_build(1, paths, RF_FMT_RFB, NULL, 0, &src);
    bool same = !rc && src->file_schema->n == want->n;
    for (int i = 0; same && i < want->n; i++) same = src->file_schema->f[i].type == want->f[i].type;
    if (!rc && !same) rc = rf__err_set(RF_ERR_INVALID, "%s: the checkpoint's state does not fit this query (its aggregation changed?): use a new checkpointLocation", dir);
    if (!rc) rc = rf__plan_new(RF_L_SCAN, 0, &p);
    if (!rc) { p->src = src; src = NULL; rc = rf_schema_copy(want, &p->schema); }
    for (int i = 0; !rc && i < p->schema->n; i++) p->schema->f[i].id = s->next_attr++;
    rf__source_destroy(&src);
    if (rc) rf__plan_destroy(&p);
    *out = p;
    return rc;
}

/* A union of plans v[0..n) (the same column types), fresh ids; v's plans move into it. */
static int union_of(rf_session *s, rf_plan **v, int n, rf_plan **out)
{
    *out = NULL;
    if (n == 1) { *out = v[0]; v[0] = NULL; return RF_OK; }
    rf_plan *u = NULL;
    int rc = rf__plan_new(RF_L_UNION, n, &u);
    for (int i = 0; !rc && i < n; i++) { u->child[i] = v[i]; v[i] = NULL; }
    if (!rc) rc = rf_schema_copy(u->child[0]->schema, &u->schema);
    for (int i = 0; !rc && i < u->schema->n; i++) { u->schema->f[i].id = s->next_attr++; u->schema->f[i].nullable = true; RF_FREE(u->schema->f[i].qual); }
    if (rc) rf__plan_destroy(&u);
    *out = u;
    return rc;
}

/* State versions: state/N is a snapshot (every group) when N is a multiple of SNAPSHOT_EVERY, else a
 * delta (marked by a _delta file: the groups batch N changed, their states over that batch's rows
 * only). The state after batch N is the merge of the latest snapshot at or before N and the deltas
 * after it (aggregate states merge: expr/agg.h), so a batch writes what it changed, not every group. */
#define SNAPSHOT_EVERY 10

static bool is_delta(const char *ckpt, int64_t id)
{
    char p[4500];
    struct stat st;
    snprintf(p, sizeof p, "%s/state/%lld/_delta", ckpt, (long long)id);
    return stat(p, &st) == 0;
}

/* The first version of the state after batch id: the latest snapshot at or before it (-1: none). */
static int64_t chain_from(const char *ckpt, int64_t id)
{
    int64_t k = id;
    while (k > 0 && is_delta(ckpt, k)) k--;
    return id < 0 ? -1 : k;
}

/* The versions whose merge is the state after batch id, each less the groups the watermark w
 * closed (when judged), as one input (a union); NULL when they hold no group. */
static int chain_scan(rf_session *s, const rf_sstate *st, const char *ckpt, int64_t id, const rf_schema *want, bool judged, int64_t w, rf_plan **out)
{
    *out = NULL;
    int64_t from = chain_from(ckpt, id);
    if (from < 0) return RF_OK;
    int n = 0, rc = RF_OK;
    rf_plan **v = rf_calloc((size_t)(id - from + 1), sizeof *v);
    if (!v) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int64_t k = from; k <= id && !rc; k++) {
        rf_plan *p = NULL;
        rc = state_scan(s, ckpt, k, want, &p);
        if (!rc && p && judged && w != RF_NO_WM) {
            const rf_field *f = &p->schema->f[st->ev_key];
            rc = keep_after(st, &p, rf__expr_col_attr(f->id, f->name, f->type, true, st->ev_key), w);
        }
        if (p) v[n++] = p;
    }
    if (!rc && n) rc = union_of(s, v, n, out);
    for (int i = 0; i < n; i++) rf__plan_destroy(&v[i]);
    rf_free(v);
    return rc;
}

/* The largest value of the watermark's column over the rows of w (a collect job). */
static int max_event(rf_session *s, const rf_plan *w, int64_t *out)
{
    rf_expr *c = rf__expr_col_attr(w->wm_attr, "event_time", RF_TYPE_TIMESTAMP, true, -1);
    rf_expr **calls = rf_calloc(1, sizeof *calls);
    rf_schema *sc = NULL;
    rf_plan *p = NULL;
    rf_batch *res = NULL;
    int rc = c && calls ? RF_OK : rf__err_set(RF_ERR_NOMEM, "out of memory");
    if (!rc && !(calls[0] = rf_max(c))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    c = NULL;
    if (!rc) rc = rf__expr_resolve(calls[0], w->schema, true);
    if (!rc) rc = rf_schema_create(1, &sc);
    if (!rc) sc->f[0] = (rf_field){ .name = rf_strdup("max_event_time"), .type = RF_TYPE_TIMESTAMP, .nullable = true, .id = s->next_attr++ };
    if (!rc) rc = rf__plan_new(RF_L_AGG, 1, &p);
    if (!rc) {
        p->child[0] = rf__plan_retain((rf_plan *)w);
        p->exprs2 = calls;
        p->n_exprs2 = 1;
        p->schema = sc;
        calls = NULL;
        sc = NULL;
        rf_action act = { .kind = RF_ACT_COLLECT };
        rc = rf__driver_run(s, p, &act, &res);
        rf__action_fini(&act);
    }
    *out = RF_NO_WM;
    if (!rc && res && res->nrows == 1 && rf_column_valid(res->cols[0], 0)) *out = rf_col_i64(res->cols[0], 0);
    rf_batch_destroy(&res);
    rf__plan_destroy(&p);
    rf_schema_destroy(&sc);
    free_calls(calls, 1);
    rf_expr_destroy(&c);
    return rc;
}

/* ---------------------------------------------------------------- a batch */
int rf__sstate_update(rf_session *s, const rf_sstate *st, const rf_plan *query, rf_plan *batch, const char *ckpt, int64_t id,
                      int64_t w_prev, int64_t w_late, int64_t *max_ev, int64_t *rows_in, int64_t *state_rows)
{
    const rf_plan *a = st->agg;
    rf_expr **calls = NULL;
    rf_schema *want = NULL, *ps = NULL, *ms = NULL;
    rf_plan *part = NULL, *old = NULL, *in = NULL, *merged = NULL;
    int nc = 0;
    bool judged = st->ev_key >= 0 && st->mode != RF_OUT_COMPLETE;   /* late rows dropped, closed groups evicted */
    *max_ev = RF_NO_WM;
    *rows_in = *state_rows = 0;
    int rc = state_calls(a, id, &calls, &nc);
    if (!rc) rc = state_schema(s, a, calls, nc, &want);
    if (!rc && batch) {   /* the batch's rows, aggregated partially */
        rf_plan **slot = same_slot(&batch, query, a);
        if (!slot) { rc = rf__err_set(RF_ERR_INTERNAL, "the streaming aggregation is gone"); goto done; }
        rf_plan *ba = *slot;
        const rf_plan *w = st->wm ? find_wm(ba) : NULL;
        if (w && st->ev_key >= 0) rc = max_event(s, w, max_ev);
        rf_plan *child = rf__plan_retain(ba->child[0]);
        rf_expr *k = NULL;
        if (!rc && judged && w_late != RF_NO_WM && !(rc = rf__expr_copy(a->exprs[st->ev_key], &k))) rc = keep_after(st, &child, k, w_late);
        rf_expr **pc = NULL;
        int npc = 0;
        if (!rc) rc = state_calls(a, id, &pc, &npc);
        if (!rc) rc = state_schema(s, a, pc, npc, &ps);
        if (!rc) { rc = agg_node(a, child, RF_LAGG_STATE_OUT, pc, npc, ps, &part); child = NULL; ps = NULL; }
        else free_calls(pc, npc);
        rf__plan_destroy(&child);
    }
    bool delta = id % SNAPSHOT_EVERY != 0;   /* else a snapshot: the old state (less the groups batch id-1 closed) merged in */
    if (!rc && !delta) rc = chain_scan(s, st, ckpt, id - 1, want, judged, w_prev, &old);
    char dir[4400], mark[4500];
    snprintf(dir, sizeof dir, "%s/state/%lld", ckpt, (long long)id);
    snprintf(mark, sizeof mark, "%s/_delta", dir);
    if (!rc && !part && !old) {   /* nothing to write: an empty version */
        rc = rf__rmtree(dir);
        if (!rc) rc = rf__mkdirs(dir);
        if (!rc && delta) rc = rf__write_file_atomic(mark, "", 0);
        goto done;
    }
    if (!rc && part && old) {
        rc = rf__plan_new(RF_L_UNION, 2, &in);
        if (!rc) { in->child[0] = part; in->child[1] = old; part = old = NULL; rc = rf_schema_copy(in->child[0]->schema, &in->schema); }
        for (int i = 0; !rc && i < in->schema->n; i++) { in->schema->f[i].id = s->next_attr++; in->schema->f[i].nullable = true; RF_FREE(in->schema->f[i].qual); }
    } else if (!rc) { in = part ? part : old; part = old = NULL; }
    if (!rc) rc = rf_schema_copy(want, &ms);
    for (int i = 0; !rc && i < ms->n; i++) ms->f[i].id = s->next_attr++;
    if (!rc) { rc = agg_node(a, in, RF_LAGG_STATE_IN | RF_LAGG_STATE_OUT, calls, nc, ms, &merged); in = NULL; calls = NULL; ms = NULL; }
    if (!rc) {
        char parent[4400];
        snprintf(parent, sizeof parent, "%s/state", ckpt);
        rc = rf__mkdirs(parent);
        rf_action act = { .kind = RF_ACT_WRITE_RFB, .out = { .write_mode = 1 } };
        if (!rc && !(act.out.path = rf_strdup(dir))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
        if (!rc) rc = rf__driver_run(s, merged, &act, NULL);
        if (!rc) { *rows_in = act.rows_in; *state_rows = act.rows_out; }
        rf__action_fini(&act);
        if (!rc && delta) rc = rf__write_file_atomic(mark, "", 0);   /* before the batch's output: a replay rewrites both */
    }
done:
    if (!rc && *max_ev != RF_NO_WM) {   /* kept beside the state: a restart that only publishes this batch's output needs it */
        char path[4500], v[32];
        snprintf(path, sizeof path, "%s/_max_event", dir);
        int n = snprintf(v, sizeof v, "%lld\n", (long long)*max_ev);
        rc = rf__write_file_atomic(path, v, (size_t)n);
    }
    free_calls(calls, nc);
    rf_schema_destroy(&want);
    rf_schema_destroy(&ps);
    rf_schema_destroy(&ms);
    rf__plan_destroy(&part);
    rf__plan_destroy(&old);
    rf__plan_destroy(&in);
    rf__plan_destroy(&merged);
    return rc;
}

int rf__sstate_output(rf_session *s, const rf_sstate *st, const rf_plan *query, const char *ckpt, int64_t id,
                      int64_t w_prev, int64_t w_evict, rf_plan **out)
{
    const rf_plan *a = st->agg;
    rf_plan *q = NULL, *scan = NULL, *fin = NULL, *f = NULL, *pj = NULL;
    rf_expr **calls = NULL;
    rf_schema *want = NULL, *fs = NULL;
    int nc = 0, nk = a->n_exprs, na = a->n_exprs2;
    *out = NULL;
    int rc = state_calls(a, id, &calls, &nc);
    if (!rc) rc = state_schema(s, a, calls, nc, &want);
    bool judged = st->ev_key >= 0 && st->mode != RF_OUT_COMPLETE;   /* (the groups earlier batches closed are gone) */
    if (!rc) rc = chain_scan(s, st, ckpt, id, want, judged, w_prev, &scan);
    if (!rc && !scan) {   /* no groups: an empty input of the state's columns */
        rc = rf__plan_new(RF_L_VALUES, 0, &scan);
        if (!rc) rc = rf_schema_copy(want, &scan->schema);
        for (int i = 0; !rc && i < scan->schema->n; i++) scan->schema->f[i].id = s->next_attr++;
    }
    /* the results, under the aggregation's own column ids (the query above refers to them), and the last batch */
    if (!rc) rc = rf_schema_create(nk + na + 1, &fs);
    for (int i = 0; !rc && i < nk + na; i++) {
        const rf_field *af = &a->schema->f[i];
        fs->f[i] = (rf_field){ .name = rf_strdup(af->name), .qual = af->qual ? rf_strdup(af->qual) : NULL, .type = af->type, .nullable = true, .id = af->id };
        if (!fs->f[i].name) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    }
    if (!rc) {
        fs->f[nk + na] = (rf_field){ .name = rf_strdup("__last_batch"), .type = RF_TYPE_INT64, .nullable = true, .id = s->next_attr++ };
        if (!fs->f[nk + na].name) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    }
    if (!rc) { rc = agg_node(a, scan, RF_LAGG_STATE_IN, calls, nc, fs, &fin); scan = NULL; calls = NULL; fs = NULL; }
    rf_expr *cond = NULL;
    if (!rc && st->mode == RF_OUT_UPDATE)
        cond = rf_eq(rf__expr_col_attr(fin->schema->f[nk + na].id, "__last_batch", RF_TYPE_INT64, true, nk + na), rf_lit_int(id));
    else if (!rc && st->mode == RF_OUT_APPEND) {
        const rf_field *k = &fin->schema->f[st->ev_key];
        cond = rf_le(event_of(st, rf__expr_col_attr(k->id, k->name, k->type, true, st->ev_key)), lit_ts(w_evict));
    }
    if (!rc && (st->mode != RF_OUT_COMPLETE) && !cond) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    if (!rc && cond) {
        rc = rf__plan_new(RF_L_FILTER, 1, &f);
        if (!rc) { f->child[0] = fin; fin = NULL; f->cond = cond; cond = NULL; rc = rf__expr_resolve(f->cond, f->child[0]->schema, false); }
        if (!rc) rc = rf_schema_copy(f->child[0]->schema, &f->schema);
    } else if (!rc) { f = fin; fin = NULL; }
    rf_expr_destroy(&cond);
    /* the aggregation's columns only, in place of the aggregation in a copy of the query */
    if (!rc) rc = rf__plan_new(RF_L_PROJECT, 1, &pj);
    if (!rc) { pj->child[0] = f; f = NULL; rc = rf_schema_copy(a->schema, &pj->schema); }
    if (!rc && !(pj->exprs = rf_calloc((size_t)(nk + na) + 1, sizeof *pj->exprs))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int i = 0; !rc && i < nk + na; i++) {
        const rf_field *fl = &a->schema->f[i];
        if (!(pj->exprs[i] = rf__expr_col_attr(fl->id, fl->name, fl->type, true, i))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
        pj->n_exprs = i + 1;
    }
    if (!rc) rc = rf__plan_copy(query, &q);
    if (!rc) {
        rf_plan **slot = same_slot(&q, query, a);
        if (!slot) rc = rf__err_set(RF_ERR_INTERNAL, "the streaming aggregation is gone");
        else {
            rf__plan_destroy(slot);
            *slot = pj;
            pj = NULL;
            *out = q;
            q = NULL;
        }
    }
    free_calls(calls, nc);
    rf_schema_destroy(&want);
    rf_schema_destroy(&fs);
    rf__plan_destroy(&scan);
    rf__plan_destroy(&fin);
    rf__plan_destroy(&f);
    rf__plan_destroy(&pj);
    rf__plan_destroy(&q);
    return rc;
}

int64_t rf__sstate_max_event(const char *ckpt, int64_t id)
{
    char path[4500];
    snprintf(path, sizeof path, "%s/state/%lld/_max_event", ckpt, (long long)id);
    FILE *f = fopen(path, "r");
    long long v;
    bool ok = f && fscanf(f, "%lld", &v) == 1;
    if (f) fclose(f);
    return ok ? (int64_t)v : RF_NO_WM;
}

int rf__sstate_dedup_output(rf_session *s, const rf_sstate *st, const rf_plan *query, const rf_plan *batch, const char *ckpt,
                            int64_t id, int64_t w_late, rf_plan **out)
{
    const rf_plan *a = st->agg;
    rf_plan *q = NULL, *old = NULL;
    rf_expr **calls = NULL, *cond = NULL;
    rf_schema *want = NULL;
    rf_df *l = NULL, *r = NULL, *j = NULL;
    int nc = 0, nk = a->n_exprs;
    bool judged = st->ev_key >= 0;
    *out = NULL;
    int rc = rf__plan_copy(batch, &q);
    rf_plan **slot = rc ? NULL : same_slot(&q, query, a);
    if (!rc && !slot) rc = rf__err_set(RF_ERR_INTERNAL, "the streaming deduplication is gone");
    rf_expr *k = NULL;
    if (!rc && judged && w_late != RF_NO_WM && !(rc = rf__expr_copy(a->exprs[st->ev_key], &k))) rc = keep_after(st, &(*slot)->child[0], k, w_late);
    if (!rc) rc = state_calls(a, id, &calls, &nc);
    if (!rc) rc = state_schema(s, a, calls, nc, &want);
    if (!rc) rc = chain_scan(s, st, ckpt, id - 1, want, judged, w_late, &old);
    if (!rc && old) {   /* the batch's distinct rows whose keys the state has not seen (NULL keys equal, as dropDuplicates) */
        const rf_schema *ls = (*slot)->schema, *os = old->schema;
        for (int i = 0; i < nk; i++) {
            rf_expr *c = rf_eq_null_safe(rf__expr_col_attr(ls->f[i].id, ls->f[i].name, ls->f[i].type, true, -1),
                                         rf__expr_col_attr(os->f[i].id, os->f[i].name, os->f[i].type, true, -1));
            cond = cond ? rf_and(cond, c) : c;
        }
        if (!cond) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
        l = rc ? NULL : rf__df_make(s, rf__plan_retain(*slot), RF_OK);
        r = rc ? NULL : rf__df_make(s, old, RF_OK);
        old = NULL;
        j = rc ? NULL : rf_df_join_on(l, r, cond, RF_JOIN_ANTI);
        cond = NULL;
        if (!rc && (!j || j->err)) rc = j ? rf__err_set(j->err, "%s", j->msg) : rf__err_set(RF_ERR_NOMEM, "out of memory");
        if (!rc) { rf__plan_destroy(slot); *slot = rf__plan_retain(j->plan); }
    }
    if (!rc) { *out = q; q = NULL; }
    rf_df_release(&j);
    rf_df_release(&l);
    rf_df_release(&r);
    rf_expr_destroy(&cond);
    free_calls(calls, nc);
    rf_schema_destroy(&want);
    rf__plan_destroy(&old);
    rf__plan_destroy(&q);
    return rc;
}

void rf__sstate_prune(const char *ckpt, int64_t id)
{
    int64_t keep = chain_from(ckpt, id);   /* the state after batch id: that snapshot and the deltas after it */
    char dir[4400];
    snprintf(dir, sizeof dir, "%s/state", ckpt);
    DIR *d = opendir(dir);
    if (!d) return;
    for (struct dirent *e; (e = readdir(d));) {
        char *end = NULL;
        long long v = strtoll(e->d_name, &end, 10);
        if (e->d_name[0] >= '0' && e->d_name[0] <= '9' && !*end && v < keep) {
            char p[4700];
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            (void)rf__rmtree(p);
        }
    }
    closedir(d);
}
