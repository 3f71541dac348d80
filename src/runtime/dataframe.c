/*
 * dataframe.c — the public DataFrame API: every transformation analyzes its input right away
 * (names resolved, types checked, errors with suggestions) and returns a new logical plan node;
 * actions (actions.c) hand the plan to the driver (driver.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include "runtime/runtime.h"
#include "expr/func_more.h"

/* ---------------------------------------------------------------- df objects */
static rf_df *track(rf_session *s, rf_df *d)
{
    if (!d) return NULL;
    if (rf__grow((void **)&s->dfs, &s->cap_dfs, s->n_dfs + 1, sizeof *s->dfs)) return d;
    s->dfs[s->n_dfs++] = d;
    return d;
}

rf_df *rf__df_make(rf_session *s, rf_plan *p, int err)
{
    rf_df *d = rf_calloc(1, sizeof *d);
    if (!d) { rf__plan_destroy(&p); return NULL; }
    d->s = s;
    d->plan = p;
    d->err = err;
    if (err) {
        d->msg = rf_strdup(rf__err_slot()->msg);
        rf__plan_destroy(&d->plan);
    }
    return track(s, d);
}

rf_df *rf__df_fail(rf_session *s, int code) { return rf__df_make(s, NULL, code ? code : RF_ERR_INVALID); }

void rf__df_free_all(rf_session *s)
{
    for (int64_t i = 0; i < s->n_dfs; i++) {
        if (!s->dfs[i]) continue;
        rf__plan_destroy(&s->dfs[i]->plan);
        rf_free(s->dfs[i]->msg);
        rf_free(s->dfs[i]);
    }
    RF_FREE(s->dfs);
    s->n_dfs = s->cap_dfs = 0;
}

void rf__df_free_from(rf_session *s, int64_t keep)
{
    for (int64_t i = keep; i < s->n_dfs; i++) {
        if (!s->dfs[i]) continue;
        rf__plan_destroy(&s->dfs[i]->plan);
        rf_free(s->dfs[i]->msg);
        rf_free(s->dfs[i]);
    }
    if (keep < s->n_dfs) s->n_dfs = keep;
}

rf_df *rf__df_deferred(rf_session *s, const char *what)
{
    rf__err_set(RF_ERR_DEFERRED, "%s is analyzed when the statements before it have run", what);
    return rf__df_fail(s, RF_ERR_DEFERRED);
}

void rf_df_release(rf_df **pdf)
{
    rf_df *d = *pdf;
    *pdf = NULL;
    if (!d) return;
    for (int64_t i = 0; i < d->s->n_dfs; i++) if (d->s->dfs[i] == d) d->s->dfs[i] = NULL;
    rf__plan_destroy(&d->plan);
    rf_free(d->msg);
    rf_free(d);
}

const char *rf_df_error(const rf_df *df) { return !df ? "out of memory" : df->err ? df->msg : NULL; }
int rf_df_status(const rf_df *df) { return !df ? RF_ERR_NOMEM : df->err; }

/* Input check shared by every transformation: propagates the sticky error. */


static int64_t new_attr(rf_session *s) { return s->next_attr++; }

/* Why an expression argument is NULL: the error its constructor left (a wrong argument count,
 * ...), or out of memory / a NULL given. */
static const char *why_null(void)
{
    const rf_error *e = rf__err_slot();
    return e->code && e->msg[0] ? e->msg : "NULL or out of memory";
}

/* ---------------------------------------------------------------- sources */
static rf_df *scan(rf_session *s, int n, const char *const *paths, rf_format fmt, const char *options)
{
    rf_source *src = NULL;
    rf_plan *p = NULL;
    int rc = rf__source_build(n, paths, fmt, options, rf__conf_size(&s->conf, "riffle.csv.inferSchema.sampleBytes"), &src);
    if (rc) return rf__df_fail(s, rc);
    if ((rc = rf__plan_new(RF_L_SCAN, 0, &p))) { rf__source_destroy(&src); return rf__df_fail(s, rc); }
    p->src = src;
    if ((rc = rf_schema_copy(src->file_schema, &p->schema))) { rf__plan_destroy(&p); return rf__df_fail(s, rc); }
    for (int i = 0; i < p->schema->n; i++) p->schema->f[i].id = new_attr(s);
    return rf__df_make(s, p, RF_OK);
}

rf_df *rf_read_csv(rf_session *s, const char *path, const char *options) { return scan(s, 1, &path, RF_FMT_CSV, options); }
rf_df *rf_read_csv_paths(rf_session *s, int n, const char *const *paths, const char *options) { return scan(s, n, paths, RF_FMT_CSV, options); }
rf_df *rf_read_hdf5(rf_session *s, const char *path) { return scan(s, 1, &path, RF_FMT_HDF5, NULL); }
rf_df *rf_read_text(rf_session *s, const char *path) { return scan(s, 1, &path, RF_FMT_TEXT, NULL); }
rf_df *rf_read_text_paths(rf_session *s, int n, const char *const *paths) { return scan(s, n, paths, RF_FMT_TEXT, NULL); }

/* A relation of literal rows: rows x cols literals (row-major, consumed), typed by the first row. */
rf_df *rf__df_values(rf_session *s, int64_t rows, int cols, const char *const *names, rf_expr **lits)
{
    rf_plan *p = NULL;
    int rc;
    RF_TRY(rf__plan_new(RF_L_VALUES, 0, &p));
    p->n = rows;
    RF_TRY(rf_schema_create(cols, &p->schema));
    if (rows > 0 && cols > 0) RF_CHECK((p->exprs = rf_calloc((size_t)(rows * cols), sizeof *p->exprs)) != NULL, RF_ERR_NOMEM, "out of memory");
    for (int64_t i = 0; i < rows * cols; i++) {
        p->exprs[i] = lits[i];
        lits[i] = NULL;
        p->n_exprs = (int)i + 1;
        RF_CHECK(p->exprs[i] && p->exprs[i]->kind == RF_E_LIT, RF_ERR_ANALYSIS, "VALUES takes literals only");
    }
    for (int c = 0; c < cols; c++) {
        rf_type t = rows ? p->exprs[c]->type : RF_TYPE_STRING;
        p->schema->f[c] = (rf_field){ .name = rf_strdup(names[c]), .type = t == RF_TYPE_NULL ? RF_TYPE_STRING : t, .nullable = true, .id = new_attr(s) };
    }
    return rf__df_make(s, p, RF_OK);
done:
    for (int64_t i = 0; lits && i < rows * cols; i++) rf_expr_destroy(&lits[i]);
    rf__plan_destroy(&p);
    return rf__df_fail(s, rc);
}

rf_df *rf_range(rf_session *s, int64_t start, int64_t end, int64_t step, int num_partitions)
{
    rf_plan *p = NULL;
    int rc;
    RF_CHECK(step != 0, RF_ERR_INVALID, "range: the step must not be 0");
    RF_CHECK(num_partitions >= 0 && num_partitions <= 1000000, RF_ERR_INVALID, "range: %d partitions (0 to 1000000; 0 picks)", num_partitions);
    RF_TRY(rf__plan_new(RF_L_VALUES, 0, &p));
    p->mode = 1;
    __int128 total = step > 0 ? (end > start ? ((__int128)end - start + step - 1) / step : 0)
                              : (start > end ? ((__int128)start - end - step - 1) / -(__int128)step : 0);
    if (num_partitions == 0) {   /* a million rows a partition, from the row count alone (not the ranks) */
        __int128 k = (total + 999999) / 1000000;
        num_partitions = k < 1 ? 1 : k > 1024 ? 1024 : (int)k;
    }
    p->n = num_partitions;
    RF_CHECK((p->exprs = rf_calloc(3, sizeof *p->exprs)) != NULL, RF_ERR_NOMEM, "out of memory");
    int64_t v[3] = { start, end, step };
    for (int i = 0; i < 3; i++) {
        RF_CHECK((p->exprs[i] = rf__expr_lit(&(rf_value){ .type = RF_TYPE_INT64, .v.i = v[i] })) != NULL, RF_ERR_NOMEM, "out of memory");
        p->n_exprs = i + 1;
    }
    RF_TRY(rf_schema_create(1, &p->schema));
    p->schema->f[0] = (rf_field){ .name = rf_strdup("id"), .type = RF_TYPE_INT64, .nullable = false, .id = new_attr(s) };
    return rf__df_make(s, p, RF_OK);
done:
    rf__plan_destroy(&p);
    return rf__df_fail(s, rc);
}

/* ---------------------------------------------------------------- helpers */
/* A new node over df's plan, which it shares (plans are immutable once made: building a long chain
 * of DataFrames costs memory in proportion to its length, not its square). */
int rf__df_unary(rf_nkind k, const rf_df *in, rf_plan **out)
{
    int rc = rf__plan_new(k, 1, out);
    if (rc) return rc;
    (*out)->child[0] = rf__plan_retain(in->plan);
    return RF_OK;
}

static void free_exprs(rf_expr **v, int n) { for (int i = 0; i < n; i++) rf_expr_destroy(&v[i]); }

static char *display_name(const rf_expr *e)
{
    if (e->name) return rf_strdup(e->name);
    rf_buf b = { 0 };
    rf__expr_display(e, &b);
    char *s = b.data ? rf_strndup((const char *)b.data, b.len) : rf_strdup("col");
    rf_buf_fini(&b);
    return s;
}

/* Output field for a resolved projection item (a bare column keeps its attribute id). */
static int field_for(rf_session *s, const rf_expr *e, rf_field *f)
{
    bool bare = e->kind == RF_E_COL;
    f->name = display_name(e);
    /* s.x of a struct column s keeps s as its qualifier, as a column x of a table s would */
    bool field = e->kind == RF_E_FUNC && e->op == RF_F_GET_FIELD && e->arg[0]->kind == RF_E_COL && !e->arg[0]->qual;
    f->qual = bare ? rf_strdup(e->qual) : field ? rf_strdup(e->arg[0]->name) : NULL;
    f->type = e->type;
    f->nullable = e->nullable;
    f->id = bare ? e->attr : new_attr(s);
    return f->name ? RF_OK : rf__err_set(RF_ERR_NOMEM, "out of memory");
}

static bool is_explode(const rf_expr *e)
{
    if (e->kind == RF_E_CAST && e->type == RF_TYPE_NULL && e->n_arg == 1) e = e->arg[0];
    return e->kind == RF_E_FUNC && rf__is_generator(e->op);
}


/* ---------------------------------------------------------------- windows in a select */
static int collect_windows(rf_expr *e, rf_expr ***v, int64_t *n, int64_t *cap)
{
    if (!e) return RF_OK;
    if (e->kind == RF_E_WINDOW) {
        int rc = rf__grow((void **)v, cap, *n + 1, sizeof **v);
        if (!rc) (*v)[(*n)++] = e;
        return rc;
    }
    for (int i = 0; i < e->n_arg; i++) {
        int rc = collect_windows(e->arg[i], v, n, cap);
        if (rc) return rc;
    }
    return RF_OK;
}

static bool same_window(const rf_expr *a, const rf_expr *b)
{
    if (a->n_part != b->n_part || a->n_order != b->n_order) return false;
    int na = rf__window_nargs(a), nb = rf__window_nargs(b);
    for (int i = 0; i < a->n_part + a->n_order; i++)
        if (!rf__expr_equal(a->arg[na + i], b->arg[nb + i])) return false;
    return true;
}

/* Replaces the window expression `w` (by identity) inside *pe with a column reference. */
static bool replace_window(rf_expr **pe, const rf_expr *w, int64_t attr, const char *name, rf_type t)
{
    if (!*pe) return false;
    if (*pe == w) {
        rf_expr *c = rf__expr_col_attr(attr, name, t, true, -1);
        if (!c) return false;
        c->resolved = false;
        if ((*pe)->name) c = rf_as(c, (*pe)->name);
        rf_expr_destroy(pe);
        *pe = c;
        return true;
    }
    for (int i = 0; i < (*pe)->n_arg; i++) if (replace_window(&(*pe)->arg[i], w, attr, name, t)) return true;
    return false;
}

/* Puts a Window node (one per distinct PARTITION BY / ORDER BY) under the projection for every
 * window expression of the select list, and makes the items read its columns. */
static int plan_windows(rf_session *s, rf_plan **child, rf_expr **items, int n)
{
    rf_expr **ws = NULL;
    int64_t nw = 0, cw = 0;
    int rc = RF_OK, *grp = NULL;
    bool *done = NULL;
    for (int i = 0; i < n && !rc; i++) rc = collect_windows(items[i], &ws, &nw, &cw);
    if (rc) goto done;
    done = rf_calloc((size_t)nw + 1, sizeof *done);
    grp = rf_calloc((size_t)nw + 1, sizeof *grp);
    RF_CHECK(done && grp, RF_ERR_NOMEM, "out of memory");
    for (int i = 0; i < nw; i++) {
        if (done[i]) continue;
        int ng = 0;
        for (int j = i; j < nw; j++) if (!done[j] && same_window(ws[i], ws[j])) { grp[ng++] = j; done[j] = true; }
        rf_plan *w = NULL;
        RF_TRY(rf__plan_new(RF_L_WINDOW, 1, &w));
        w->child[0] = *child;
        *child = w;
        const rf_schema *cs = w->child[0]->schema;
        RF_CHECK((w->exprs = rf_calloc((size_t)ng, sizeof *w->exprs)) != NULL, RF_ERR_NOMEM, "out of memory");
        RF_TRY(rf_schema_create(cs->n + ng, &w->schema));
        for (int k = 0; k < cs->n; k++) {
            w->schema->f[k] = cs->f[k];
            w->schema->f[k].name = rf_strdup(cs->f[k].name);
            w->schema->f[k].qual = rf_strdup(cs->f[k].qual);
        }
        for (int g = 0; g < ng; g++) {
            rf_expr *e = NULL;
            RF_TRY(rf__expr_copy(ws[grp[g]], &e));
            w->exprs[g] = e;
            w->n_exprs = g + 1;
            RF_FREE(e->name);
            RF_TRY(rf__expr_resolve(e, cs, false));
            rf_field *f = &w->schema->f[cs->n + g];
            f->name = display_name(e);
            f->type = e->type;
            f->nullable = e->nullable;
            f->id = new_attr(s);
        }
        for (int g = 0; g < ng; g++) {
            const rf_field *f = &w->schema->f[cs->n + g];
            for (int it = 0; it < n; it++)
                if (replace_window(&items[it], ws[grp[g]], f->id, f->name, f->type)) break;
        }
    }
done:
    rf_free(ws);
    rf_free(done);
    rf_free(grp);
    return rc;
}

/* ---------------------------------------------------------------- select */
rf_df *rf_df_selectv(rf_df *df, int n, rf_expr **exprs)
{
    rf_plan *p = NULL, *child = NULL;
    rf_expr **owned = NULL;   /* posexplode's items: one more than the caller's */
    int rc = RF_OK, gen = -1;
    if (!df) { free_exprs(exprs, n); return NULL; }
    if (df->err) { free_exprs(exprs, n); rf__err_set(df->err, "%s", df->msg); return rf__df_fail(df->s, df->err); }
    child = rf__plan_retain(df->plan);
    for (int i = 0; i < n; i++) {
        RF_CHECK(exprs[i] != NULL, RF_ERR_INVALID, "select: expression %d is invalid (%.600s)", i + 1, why_null());
        if (is_explode(exprs[i])) {
            RF_CHECK(gen < 0, RF_ERR_ANALYSIS, "only one explode() is allowed per select");
            gen = i;
        }
    }
    if (gen >= 0) {
        /* Generate(child, array) below the projection; the select item becomes its columns */
        rf_expr *e = exprs[gen], *fn = (e->kind == RF_E_CAST) ? e->arg[0] : e;
        char alias[256];
        snprintf(alias, sizeof alias, "%s", e->name ? e->name : "");
        {   /* a name that only spells the call out (SQL names every item) is no alias: Spark's col, key, value */
            rf_buf d = { 0 };
            char *keep = fn->name;
            fn->name = NULL;
            if (!rf__expr_display(fn, &d) && d.data && strlen(alias) == d.len && !memcmp(alias, d.data, d.len)) alias[0] = 0;
            fn->name = keep;
            rf_buf_fini(&d);
        }
        RF_TRY(rf__expr_resolve(fn, child->schema, false));   /* types the generator: its columns follow */
        rf_plan *g = NULL;
        int op = fn->op, ng = rf__gen_ncols(fn);
        bool pos = op == RF_F_POSEXPLODE || op == RF_F_POSEXPLODE_OUTER;
        bool outer = op == RF_F_EXPLODE_OUTER || op == RF_F_POSEXPLODE_OUTER || op == RF_F_INLINE_OUTER;
        bool spread = ng - pos > 1 || rf_type_base(fn->arg[0]->type) == RF_TYPE_MAP || op == RF_F_INLINE || op == RF_F_INLINE_OUTER;
        RF_CHECK(ng >= 1 && ng < 4096, RF_ERR_ANALYSIS, "%s() makes no columns", rf__func_name(op));
        RF_TRY(rf__plan_new(RF_L_GENERATE, 1, &g));
        g->child[0] = child;
        child = g;
        g->cond = fn->arg[0];
        g->n = (outer ? RF_GEN_OUTER : 0) | (pos ? RF_GEN_POS : 0) | (spread ? RF_GEN_SPREAD : 0) | ng << 8;
        fn->arg[0] = NULL;
        RF_TRY(rf_schema_create(g->child[0]->schema->n + ng, &g->schema));
        const rf_schema *cs = g->child[0]->schema;
        for (int i = 0; i < cs->n; i++) {
            g->schema->f[i] = cs->f[i];
            g->schema->f[i].name = rf_strdup(cs->f[i].name);
            g->schema->f[i].qual = rf_strdup(cs->f[i].qual);
        }
        rf_expr *tmp = rf__expr_new(RF_E_FUNC, 1, &g->cond);   /* the generator's column names and types, over its array */
        RF_CHECK(tmp != NULL, RF_ERR_NOMEM, "out of memory");
        tmp->op = op;
        const char *names[64];   /* AS (a, b, ...): the SQL parser keeps the names with 0x1f before each */
        int nn = 0;
        for (char *p = alias[0] == 0x1f ? alias + 1 : NULL, *q; p && nn < 64; p = q ? q + 1 : NULL) {
            q = strchr(p, 0x1f);
            if (q) *q = 0;
            names[nn++] = p;
        }
        if (nn && nn != ng) {
            g->cond = tmp->arg[0];   /* the plan owns the array expression again */
            tmp->arg[0] = NULL;
            tmp->n_arg = 0;
            rf_expr_destroy(&tmp);
            RF_CHECK(false, RF_ERR_ANALYSIS, "%s() makes %d columns, but AS (...) names %d", rf__func_name(op), ng, nn);
        }
        for (int k = 0; k < ng; k++) {
            bool el = k >= pos;
            const char *nm = nn ? names[k] : el && ng - pos == 1 && alias[0] ? alias : rf__gen_col_name(tmp, k);
            g->schema->f[cs->n + k] = (rf_field){ .name = rf_strdup(nm), .type = rf__gen_col_type(tmp, k),
                                                  .nullable = el || outer, .id = new_attr(df->s) };
        }
        g->cond = tmp->arg[0];
        tmp->arg[0] = NULL;
        tmp->n_arg = 0;
        rf_expr_destroy(&tmp);
        rf_expr **nv = rf_calloc((size_t)n + (size_t)ng, sizeof *nv);   /* the item becomes ng columns */
        RF_CHECK(nv != NULL, RF_ERR_NOMEM, "out of memory");
        int k2 = 0;
        for (int i = 0; i < n; i++) {
            if (i != gen) { nv[k2++] = exprs[i]; exprs[i] = NULL; continue; }
            for (int k = 0; k < ng; k++) {
                const rf_field *f = &g->schema->f[cs->n + k];
                if (!(nv[k2++] = rf__expr_col_attr(f->id, f->name, f->type, f->nullable, cs->n + k))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
            }
        }
        rf_expr_destroy(&exprs[gen]);
        rf_free(owned);
        owned = exprs = nv;
        n = k2;
        if (rc) goto done;
    }
    {
        bool any_window = false;
        for (int i = 0; i < n; i++) any_window |= rf__expr_has_window(exprs[i]);
        if (any_window) RF_TRY(plan_windows(df->s, &child, exprs, n));
    }
    RF_TRY(rf__plan_new(RF_L_PROJECT, 1, &p));
    p->child[0] = child;
    child = NULL;
    RF_TRY(rf_schema_create(n, &p->schema));
    RF_CHECK((p->exprs = rf_calloc((size_t)(n ? n : 1), sizeof *p->exprs)) != NULL, RF_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        p->exprs[i] = exprs[i];
        exprs[i] = NULL;
        p->n_exprs = i + 1;
        RF_TRY(rf__expr_resolve(p->exprs[i], p->child[0]->schema, false));
        RF_CHECK(!rf__expr_has_agg(p->exprs[i]), RF_ERR_ANALYSIS, "aggregate functions belong in rf_df_agg(), not in select");
        RF_TRY(field_for(df->s, p->exprs[i], &p->schema->f[i]));
    }
    rf_free(owned);
    return rf__df_make(df->s, p, RF_OK);
done:
    free_exprs(exprs, n);
    rf_free(owned);
    rf__plan_destroy(&child);
    rf__plan_destroy(&p);
    return rf__df_fail(df->s, rc);
}

/* The n (count-checked, see dataframe.h) variadic arguments of a DataFrame call, heap-allocated;
 * NULL with the error set (and the arguments destroyed) when the count was wrong. */
rf_expr **rf__df_va_args(const char *fn, int n, va_list ap)
{
    if (n <= RF__VA_BAD) { rf__err_set(RF_ERR_INVALID, "%s: the count does not match the %d argument(s) written", fn, RF__VA_BAD - n); return NULL; }
    if (n < 0) { rf__err_set(RF_ERR_INVALID, "%s: a negative count (%d)", fn, n); return NULL; }
    rf_expr **v = rf_calloc((size_t)n + 1, sizeof *v);
    for (int i = 0; i < n; i++) {
        rf_expr *x = va_arg(ap, rf_expr *);
        if (v) v[i] = x; else rf_expr_destroy(&x);
    }
    if (!v) rf__err_set(RF_ERR_NOMEM, "out of memory");
    return v;
}

rf_df *(rf_df_select)(rf_df *df, int n, ...)
{
    va_list ap;
    va_start(ap, n);
    rf_expr **v = rf__df_va_args("rf_df_select", n, ap);
    va_end(ap);
    if (!v) { if (df && !df->err) return rf__df_fail(df->s, rf__err_slot()->code); RF_DF_INPUT(df); return NULL; }
    rf_df *r = rf_df_selectv(df, n, v);
    rf_free(v);
    return r;
}

static rf_df *select_all_but(rf_df *df, const char *replace, rf_expr *with, const char *rename_from, const char *rename_to,
                             const char *drop)
{
    const rf_schema *s = df->plan->schema;
    rf_expr **v = rf_calloc((size_t)s->n + 1, sizeof *v);
    int n = 0;
    bool replaced = false;
    if (!v) { rf_expr_destroy(&with); return NULL; }
    for (int i = 0; i < s->n; i++) {
        const rf_field *f = &s->f[i];
        if (drop && !strcasecmp(f->name, drop)) continue;
        if (replace && !strcasecmp(f->name, replace)) {
            if (!replaced) v[n++] = rf_as(with, replace);
            replaced = true;
            continue;
        }
        rf_expr *c = rf__expr_col_attr(f->id, f->name, f->type, f->nullable, i);
        if (c) { c->qual = rf_strdup(f->qual); c->resolved = false; }
        if (rename_from && !strcasecmp(f->name, rename_from)) c = rf_as(c, rename_to);
        v[n++] = c;
    }
    if (replace && !replaced) v[n++] = rf_as(with, replace);
    rf_df *r = rf_df_selectv(df, n, v);
    rf_free(v);
    return r;
}

rf_df *rf_df_with_column(rf_df *df, const char *name, rf_expr *e)
{
    if (!df || df->err || !name) { rf_expr_destroy(&e); RF_DF_INPUT(df); return NULL; }
    return select_all_but(df, name, e, NULL, NULL, NULL);
}

rf_df *rf_df_with_column_renamed(rf_df *df, const char *from, const char *to)
{
    RF_DF_INPUT(df);
    return select_all_but(df, NULL, NULL, from, to, NULL);
}

rf_df *rf_df_drop(rf_df *df, const char *name)
{
    RF_DF_INPUT(df);
    return select_all_but(df, NULL, NULL, NULL, NULL, name);
}

rf_df *rf_df_alias(rf_df *df, const char *alias)
{
    RF_DF_INPUT(df);
    rf_df *r = select_all_but(df, NULL, NULL, NULL, NULL, NULL);
    if (r && !r->err)
        for (int i = 0; i < r->plan->schema->n; i++) {
            rf_free(r->plan->schema->f[i].qual);
            r->plan->schema->f[i].qual = rf_strdup(alias);
        }
    return r;
}

/* ---------------------------------------------------------------- filter */
rf_df *rf_df_filter(rf_df *df, rf_expr *pred)
{
    rf_plan *p = NULL;
    int rc;
    if (!df || df->err) { rf_expr_destroy(&pred); RF_DF_INPUT(df); return NULL; }
    RF_CHECK(pred != NULL, RF_ERR_INVALID, "filter: invalid predicate (%.600s)", why_null());
    RF_TRY(rf__df_unary(RF_L_FILTER, df, &p));
    p->cond = pred;
    pred = NULL;
    RF_TRY(rf__expr_resolve(p->cond, p->child[0]->schema, false));
    if (p->cond->type == RF_TYPE_NULL) p->cond = rf__expr_cast_to(p->cond, RF_TYPE_BOOL);
    if (p->cond->type != RF_TYPE_BOOL) {
        rf_buf b = { 0 };
        rf__expr_display(p->cond, &b);
        rc = rf__err_set(RF_ERR_ANALYSIS, "filter condition %s is %s, not boolean", b.data ? (char *)b.data : "?", rf_type_name(p->cond->type));
        rf_buf_fini(&b);
        goto done;
    }
    RF_TRY(rf_schema_copy(p->child[0]->schema, &p->schema));
    return rf__df_make(df->s, p, RF_OK);
done:
    rf_expr_destroy(&pred);
    rf__plan_destroy(&p);
    return rf__df_fail(df->s, rc);
}

rf_df *rf_df_where(rf_df *df, rf_expr *pred) { return rf_df_filter(df, pred); }

/* ---------------------------------------------------------------- aggregation */
static const rf_expr *uncast(const rf_expr *e)
{
    while (e->kind == RF_E_CAST && e->n_arg == 1) e = e->arg[0];
    return e;
}

static rf_expr *agg_call(int op, rf_expr *a)
{
    rf_expr *e = rf__expr_new(RF_E_AGG, a ? 1 : 0, &a);
    if (e) e->op = op;
    return e;
}

/* agg_call(like->op, a) with like's constant arguments after the first (percentile's p, first's
 * ignoreNulls); a second argument that is not a constant (covar_pop(x, y)) is not carried: the call
 * then fails to type, clearly. */
static rf_expr *agg_like(const rf_expr *like, rf_expr *a)
{
    rf_expr *e = agg_call(like->op, a);
    for (int k = 1; e && k < like->n_arg; k++) {
        const rf_expr *c = like->arg[k];
        while (c->kind == RF_E_CAST && c->n_arg == 1) c = c->arg[0];
        if (c->kind != RF_E_LIT) break;
        rf_expr *x = NULL, **na = rf_realloc(e->arg, (size_t)(e->n_arg + 1) * sizeof *na);
        if (!na || rf__expr_copy(c, &x)) { rf_expr_destroy(&e); break; }
        e->arg = na;
        e->arg[e->n_arg++] = x;
    }
    return e;
}

static rf_expr *named(rf_expr *e, const char *fmt, int i)
{
    char nm[32];
    snprintf(nm, sizeof nm, fmt, i);
    return rf_as(e, nm);
}

/* The physical planner runs DISTINCT aggregates over one expression (with min/max of it). Others —
 * count(DISTINCT a), sum(DISTINCT b) and avg(c) together — are rewritten here as Spark's Expand
 * does, with a union of projections: branch 0 carries the plain aggregates' inputs, branch i the
 * i-th distinct expression (`_gid` tells them apart, the other columns are NULL). A first
 * aggregation by (keys, _gid, distinct values) dedups the distinct values and computes the plain
 * aggregates on branch 0's single row per key; a second, by keys, aggregates the distinct values
 * plainly and picks the plain results up (max of the one non-NULL value; count sums, and is 0 over
 * no rows). Each branch reads the input again. */
static bool needs_expand(const rf_plan *p)
{
    const rf_expr *dist = NULL;
    bool any = false;
    for (int i = 0; i < p->n_exprs2; i++) {
        const rf_expr *a = p->exprs2[i];
        if (!a->distinct) continue;
        any = true;
        if (dist && !rf__expr_equal(dist, uncast(a->arg[0]))) return true;
        dist = uncast(a->arg[0]);
    }
    if (!any) return false;
    for (int i = 0; i < p->n_exprs2; i++) {
        const rf_expr *a = p->exprs2[i];
        if (!a->distinct && !((a->op == RF_A_MIN || a->op == RF_A_MAX) && rf__expr_equal(uncast(a->arg[0]), dist))) return true;
    }
    return false;
}

static rf_df *agg_expand(rf_df *df, const rf_plan *p)
{
    int nk = p->n_exprs, na = p->n_exprs2, nd = 0;
    const rf_expr *dx[64];
    int which[256];
    if (na > 256) { rf__err_set(RF_ERR_LIMIT, "too many aggregates (%d)", na); return rf__df_fail(df->s, RF_ERR_LIMIT); }
    for (int i = 0; i < na; i++) {
        const rf_expr *a = p->exprs2[i];
        which[i] = -1;
        if (!a->distinct) continue;
        const rf_expr *x = uncast(a->arg[0]);
        for (int k = 0; k < nd; k++) if (rf__expr_equal(dx[k], x)) which[i] = k;
        if (which[i] < 0) {
            if (nd == 64) { rf__err_set(RF_ERR_LIMIT, "too many DISTINCT expressions in one aggregation"); return rf__df_fail(df->s, RF_ERR_LIMIT); }
            dx[nd] = x;
            which[i] = nd++;
        }
    }
    int w = nk + 1 + nd + na;
    rf_expr **it = rf_calloc((size_t)w + 1, sizeof *it);
    if (!it) { rf__err_set(RF_ERR_NOMEM, "out of memory"); return rf__df_fail(df->s, RF_ERR_NOMEM); }
    rf_df *u = NULL;
    for (int b = 0; b <= nd; b++) {
        int n = 0;
        for (int i = 0; i < nk; i++) { rf_expr *k = NULL; rf__expr_copy(p->exprs[i], &k); it[n++] = named(k, "_k%d", i); }
        it[n++] = rf_as(rf_lit_int(b), "_gid");
        for (int k = 0; k < nd; k++) {
            rf_expr *x = NULL;
            if (b == k + 1) rf__expr_copy(dx[k], &x);
            else x = rf_cast(rf_lit_null(), dx[k]->type);
            it[n++] = named(x, "_x%d", k);
        }
        for (int j = 0; j < na; j++) {
            const rf_expr *a = p->exprs2[j];
            if (which[j] >= 0) continue;
            rf_expr *x = NULL;
            rf_type t = a->n_arg ? a->arg[0]->type : RF_TYPE_INT32;
            if (b == 0 && a->n_arg) rf__expr_copy(a->arg[0], &x);
            else if (b == 0) x = rf_lit_int(1);   /* count(*) */
            else x = rf_cast(rf_lit_null(), t);
            it[n++] = named(x, "_r%d", j);
        }
        rf_df *br = rf_df_selectv(df, n, it);
        u = u ? rf_df_union_all(u, br) : br;
    }
    /* first aggregation: dedup distinct values, plain aggregates on branch 0 */
    int n1k = 0, n1a = 0;
    rf_expr **k1 = rf_calloc((size_t)(nk + 1 + nd) + 1, sizeof *k1), **a1 = rf_calloc((size_t)na + 1, sizeof *a1);
    rf_expr **k2 = rf_calloc((size_t)nk + 1, sizeof *k2), **a2 = rf_calloc((size_t)na + 1, sizeof *a2);
    char nm[32];
    if (!k1 || !a1 || !k2 || !a2 || !u) {
        rf_free(k1); rf_free(a1); rf_free(k2); rf_free(a2); rf_free(it);
        rf__err_set(RF_ERR_NOMEM, "out of memory");
        return rf__df_fail(df->s, RF_ERR_NOMEM);
    }
    for (int i = 0; i < nk; i++) { snprintf(nm, sizeof nm, "_k%d", i); k1[n1k++] = rf_col(nm); }
    k1[n1k++] = rf_col("_gid");
    for (int k = 0; k < nd; k++) { snprintf(nm, sizeof nm, "_x%d", k); k1[n1k++] = rf_col(nm); }
    for (int j = 0; j < na; j++) {
        if (which[j] >= 0) continue;
        snprintf(nm, sizeof nm, "_r%d", j);
        a1[n1a++] = named(agg_like(p->exprs2[j], rf_col(nm)), "_a%d", j);
    }
    rf_df *d1 = rf_df_agg(u, n1k, k1, n1a, a1);
    /* second aggregation, by keys */
    for (int i = 0; i < nk; i++) { snprintf(nm, sizeof nm, "_k%d", i); k2[i] = rf_col(nm); }
    for (int j = 0; j < na; j++) {
        const rf_expr *a = p->exprs2[j];
        if (which[j] >= 0) { snprintf(nm, sizeof nm, "_x%d", which[j]); a2[j] = agg_like(a, rf_col(nm)); }
        else { snprintf(nm, sizeof nm, "_a%d", j); a2[j] = a->op == RF_A_COUNT ? rf_sum(rf_col(nm)) : rf_max(rf_col(nm)); }
        a2[j] = named(a2[j], "_v%d", j);
    }
    rf_df *d2 = rf_df_agg(d1, nk, k2, na, a2);   /* a NULL or failed d1 fails d2 */
    rf_free(k1); rf_free(a1); rf_free(k2); rf_free(a2);
    /* the names and types the aggregation would have had */
    int n = 0;
    for (int i = 0; i < nk; i++) { snprintf(nm, sizeof nm, "_k%d", i); it[n++] = rf_as(rf_col(nm), p->schema->f[i].name); }
    for (int j = 0; j < na; j++) {
        snprintf(nm, sizeof nm, "_v%d", j);
        rf_expr *v = rf_col(nm);
        if (which[j] < 0 && p->exprs2[j]->op == RF_A_COUNT) {
            rf_expr *args[2] = { v, rf_lit_int(0) };
            v = rf__expr_new(RF_E_FUNC, 2, args);
            if (v) { v->op = RF_F_COALESCE; v->name = rf_strdup("coalesce"); }
        }
        it[n++] = rf_as(rf_cast(v, p->schema->f[nk + j].type), p->schema->f[nk + j].name);
    }
    rf_df *out = rf_df_selectv(d2, n, it);
    rf_free(it);
    if (!out) { rf__err_set(RF_ERR_NOMEM, "out of memory"); return rf__df_fail(df->s, RF_ERR_NOMEM); }
    return out;
}

/* A grouping key window(ts, size, slide) with slide < size puts a row in several windows (Spark's
 * TimeWindowing): the input gets a column __window_k exploded from __windows(ts, ...) and the key
 * becomes that column, named window. A row whose time is NULL is in no window (a tumbling one's
 * input is filtered so, as Spark's). *in is replaced by the new input (owned by the session). */
static int sliding_keys(rf_df **in, int n_keys, rf_expr **keys)
{
    for (int k = 0; k < n_keys; k++) {
        rf_expr *e = keys[k];
        if (!e || e->kind != RF_E_FUNC || e->op != RF_F_TIME_WINDOW || e->n_arg < 2) continue;
        int64_t d[3];
        int rc = rf__window_durations(e, d);
        if (rc) return rc;
        if (d[1] == d[0]) {   /* tumbling: rows without a time left out */
            rf_expr *t = NULL;
            if ((rc = rf__expr_copy(e->arg[0], &t))) return rc;
            rf_df *next = rf_df_filter(*in, rf_is_not_null(t));
            if (!next || next->err) return next ? rf__err_set(next->err, "%s", next->msg) : rf__err_set(RF_ERR_NOMEM, "out of memory");
            *in = next;
            continue;
        }
        char col[32];
        snprintf(col, sizeof col, "__window_%d", k);
        rf_expr *ts = e->arg[0];
        e->arg[0] = NULL;
        rf_expr *arr = rf_fn("__windows", 4, ts, rf_lit_int(d[0]), rf_lit_int(d[1]), rf_lit_int(d[2]));
        rf_df *next = rf_df_with_column(*in, col, rf_explode(arr));
        if (!next || next->err) return next ? rf__err_set(next->err, "%s", next->msg) : rf__err_set(RF_ERR_NOMEM, "out of memory");
        *in = next;
        const char *alias = e->name ? e->name : "window";
        rf_expr *key = rf_as(rf_col(col), alias);
        if (!key) return rf__err_set(RF_ERR_NOMEM, "out of memory");
        rf_expr_destroy(&keys[k]);
        keys[k] = key;
    }
    return RF_OK;
}

rf_df *rf_df_agg(rf_df *df, int n_keys, rf_expr **keys, int n_aggs, rf_expr **aggs)
{
    rf_plan *p = NULL;
    int rc;
    if (!df || df->err) { free_exprs(keys, n_keys); free_exprs(aggs, n_aggs); RF_DF_INPUT(df); return NULL; }
    RF_TRY(sliding_keys(&df, n_keys, keys));
    RF_TRY(rf__df_unary(RF_L_AGG, df, &p));
    RF_CHECK((p->exprs = rf_calloc((size_t)n_keys + 1, sizeof *p->exprs)) && (p->exprs2 = rf_calloc((size_t)n_aggs + 1, sizeof *p->exprs2)),
             RF_ERR_NOMEM, "out of memory");
    RF_TRY(rf_schema_create(n_keys + n_aggs, &p->schema));
    for (int i = 0; i < n_keys; i++) {
        p->exprs[i] = keys[i];
        keys[i] = NULL;
        p->n_exprs = i + 1;
        RF_CHECK(p->exprs[i], RF_ERR_INVALID, "groupBy: key %d is invalid", i + 1);
        RF_TRY(rf__expr_resolve(p->exprs[i], p->child[0]->schema, false));
        RF_CHECK(rf_type_base(p->exprs[i]->type) != RF_TYPE_MAP, RF_ERR_ANALYSIS, "cannot group by a map (%s)", rf_type_name(p->exprs[i]->type));
        RF_TRY(field_for(df->s, p->exprs[i], &p->schema->f[i]));
    }
    for (int i = 0; i < n_aggs; i++) {
        rf_expr *a = aggs[i];
        aggs[i] = NULL;
        RF_CHECK(a, RF_ERR_INVALID, "agg: aggregate %d is invalid", i + 1);
        if (a->kind == RF_E_CAST && a->type == RF_TYPE_NULL && a->n_arg == 1) {   /* alias wrapper */
            rf_expr *in = a->arg[0];
            a->arg[0] = NULL;
            rf_free(in->name);
            in->name = a->name;
            a->name = NULL;
            rf_expr_destroy(&a);
            a = in;
        }
        p->exprs2[i] = a;
        p->n_exprs2 = i + 1;
        RF_CHECK(a->kind == RF_E_AGG, RF_ERR_ANALYSIS, "agg() takes aggregate calls (count, sum, avg, min, max); compute expressions of them in a select afterwards");
        RF_TRY(rf__expr_resolve(a, p->child[0]->schema, true));
        rf_field *f = &p->schema->f[n_keys + i];
        f->name = display_name(a);
        f->type = a->type;
        f->nullable = a->nullable;
        f->id = new_attr(df->s);
    }
    if (needs_expand(p)) {
        rf_df *r = agg_expand(df, p);
        rf__plan_destroy(&p);
        return r;
    }
    return rf__df_make(df->s, p, RF_OK);
done:
    free_exprs(keys, n_keys);
    free_exprs(aggs, n_aggs);
    rf__plan_destroy(&p);
    return rf__df_fail(df->s, rc);
}

rf_df *(rf_df_group_count)(rf_df *df, int n_keys, ...)
{
    rf_expr *a[1];
    va_list ap;
    va_start(ap, n_keys);
    rf_expr **k = rf__df_va_args("rf_df_group_count", n_keys, ap);
    va_end(ap);
    if (!k) { if (df && !df->err) return rf__df_fail(df->s, rf__err_slot()->code); RF_DF_INPUT(df); return NULL; }
    a[0] = rf_as(rf_count(NULL), "count");
    rf_df *r = rf_df_agg(df, n_keys, k, 1, a);
    rf_free(k);
    return r;
}

rf_df *rf_df_drop_duplicates(rf_df *df, int n, const char *const *cols)
{
    RF_DF_INPUT(df);
    const rf_schema *s = df->plan->schema;
    int nk = 0, na = 0, rc = RF_OK;
    bool *key = rf_calloc((size_t)s->n + 1, sizeof *key);
    rf_expr **k = rf_calloc((size_t)s->n + 1, sizeof *k), **a = rf_calloc((size_t)s->n + 1, sizeof *a), **sel = rf_calloc((size_t)s->n + 1, sizeof *sel);
    if (!key || !k || !a || !sel) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n && !rc; i++) {
        int at = -1;
        for (int c = 0; c < s->n; c++) if (cols && cols[i] && !s->f[c].hidden && !strcasecmp(s->f[c].name, cols[i])) at = c;
        if (at < 0) rc = rf__err_set(RF_ERR_ANALYSIS, "dropDuplicates: no column '%s'", cols && cols[i] ? cols[i] : "(null)");
        else key[at] = true;
    }
    for (int c = 0; c < s->n && !rc; c++) {
        rf_expr *col = rf__expr_col_attr(s->f[c].id, s->f[c].name, s->f[c].type, s->f[c].nullable, c);
        if (col) { col->resolved = false; col->qual = s->f[c].qual ? rf_strdup(s->f[c].qual) : NULL; }
        if (n == 0 || key[c]) k[nk++] = col;
        else a[na++] = rf_as(rf_first(col), s->f[c].name);
    }
    rf_df *g = rc ? NULL : rf_df_agg(df, nk, k, na, a);
    if (g && !g->err && g->plan->kind == RF_L_AGG) g->plan->mode |= RF_LAGG_DEDUP;
    rf_df *r = NULL;
    if (g && !g->err) {   /* the columns in their order */
        for (int c = 0; c < s->n; c++) sel[c] = rf_col(s->f[c].name);
        r = rf_df_selectv(g, s->n, sel);
    }
    rf_free(key); rf_free(k); rf_free(a); rf_free(sel);
    if (rc) return rf__df_fail(df->s, rc);
    return r ? r : g;
}

rf_df *rf_df_distinct(rf_df *df)
{
    RF_DF_INPUT(df);
    const rf_schema *s = df->plan->schema;
    rf_expr **k = rf_calloc((size_t)s->n + 1, sizeof *k);
    if (!k) return NULL;
    for (int i = 0; i < s->n; i++) {
        k[i] = rf__expr_col_attr(s->f[i].id, s->f[i].name, s->f[i].type, s->f[i].nullable, i);
        if (k[i]) { k[i]->resolved = false; k[i]->qual = rf_strdup(s->f[i].qual); }
    }
    rf_df *r = rf_df_agg(df, s->n, k, 0, NULL);
    rf_free(k);
    return r;
}
