/*
 * rdd_actions.c — RDD actions (riffle/rdd.h): each runs the RDD's DataFrame as a job (collect,
 * count, a write) and hands back records; reduce / fold / aggregate are a global aggregation with
 * the RDD combiner, countByKey a by-key one with the engine's own functions (expr/udf.c).
 */
#include <string.h>
#include <strings.h>
#include "runtime/runtime.h"
#include "expr/udf.h"

#define DF(r) ((rf_df *)(r))
#define RDD(d) ((rf_rdd *)(d))

struct rf_records { rf_result *res; };

int64_t rf_records_count(const rf_records *rs) { return rs && rs->res ? rf_result_rows(rs->res) : 0; }

static rf_val cell(const rf_result *r, int64_t i, int c)
{
    if (c >= rf_result_cols(r) || rf_result_is_null(r, i, c)) return (rf_val){ NULL, 0 };
    size_t len;
    const char *p = rf_result_str(r, i, c, &len);
    return (rf_val){ (const uint8_t *)p, len };
}

rf_rec rf_records_get(const rf_records *rs, int64_t i)
{
    if (!rs || i < 0 || i >= rf_records_count(rs)) return (rf_rec){ { NULL, 0 }, { NULL, 0 } };
    return (rf_rec){ cell(rs->res, i, 0), cell(rs->res, i, 1) };
}

void rf_records_destroy(rf_records **prs)
{
    if (!prs || !*prs) return;
    rf_result_destroy(&(*prs)->res);
    rf_free(*prs);
    *prs = NULL;
}

static int wrap(rf_result *r, rf_records **out)
{
    if (!(*out = rf_calloc(1, sizeof **out))) { rf_result_destroy(&r); return rf__err_set(RF_ERR_NOMEM, "out of memory"); }
    (*out)->res = r;
    return RF_OK;
}

static int fail(rf_rdd *r, int rc)
{
    if (r) DF(r)->s->err = *rf__err_slot();
    return rc;
}

int rf_rdd_collect(rf_rdd *r, rf_records **out)
{
    rf_result *res = NULL;
    *out = NULL;
    if (!r) return RF_ERR_INVALID;
    int rc = rf_df_collect(DF(r), &res);
    return rc ? rc : wrap(res, out);
}

int rf_rdd_count(rf_rdd *r, int64_t *out) { return r ? rf_df_count(DF(r), out) : RF_ERR_INVALID; }

int rf_rdd_take(rf_rdd *r, int64_t n, rf_records **out)
{
    rf_result *res = NULL;
    *out = NULL;
    if (!r) return RF_ERR_INVALID;
    int rc = rf_df_take(DF(r), n, &res);
    return rc ? rc : wrap(res, out);
}

int rf_rdd_first(rf_rdd *r, rf_records **out)
{
    int rc = rf_rdd_take(r, 1, out);
    if (!rc && rf_records_count(*out) == 0) {
        rf_records_destroy(out);
        return fail(r, rf__err_set(RF_ERR_INVALID, "first: the RDD is empty"));
    }
    return rc;
}

/* One record from a global combine of r (an empty RDD: its value NULL unless a zero was given). */
static int global(rf_rdd *r, char mode, const char *f1, const char *f2, rf_val zero, const char *what, rf_records **out)
{
    *out = NULL;
    if (!r) return RF_ERR_INVALID;
    rf_rdd *g = NULL;
    switch (mode) {
    case 'r': g = rf_rdd_reduce_by_key(RDD(rf_df_select(DF(r), 2, rf_as(rf_cast(rf_lit_null(), RF_TYPE_STRING), "key"), rf_col("value"))), f1, 1); break;
    default:  g = rf_rdd_aggregate_by_key(RDD(rf_df_select(DF(r), 2, rf_as(rf_cast(rf_lit_null(), RF_TYPE_STRING), "key"), rf_col("value"))), zero, f1, f2, 1); break;
    }
    /* one group (the NULL key); an empty input has none: the zero value then, or an error */
    int rc = rf_rdd_collect(g, out);
    rf_df *gd = DF(g);
    rf_df_release(&gd);
    if (rc) return rc;
    if (rf_records_count(*out) == 0) {
        rf_records_destroy(out);
        if (!zero.n) return fail(r, rf__err_set(RF_ERR_INVALID, "%s: the RDD is empty", what));
        rf_rec z = { { NULL, 0 }, zero };
        rf_rdd *one = rf_parallelize(DF(r)->s, 1, &z, 1);
        rc = rf_rdd_collect(one, out);
        rf_df *od = DF(one);
        rf_df_release(&od);
    }
    return rc;
}

int rf_rdd_reduce(rf_rdd *r, const char *fn, rf_records **out) { return global(r, 'r', fn, NULL, (rf_val){ 0 }, "reduce", out); }
int rf_rdd_fold(rf_rdd *r, rf_val zero, const char *fn, rf_records **out)
{
    if (!zero.n) { *out = NULL; return fail(r, rf__err_set(RF_ERR_INVALID, "fold: no zero value")); }
    return global(r, 'f', fn, fn, zero, "fold", out);
}
int rf_rdd_aggregate(rf_rdd *r, rf_val zero, const char *seq, const char *comb, rf_records **out)
{
    if (!zero.n) { *out = NULL; return fail(r, rf__err_set(RF_ERR_INVALID, "aggregate: no zero value")); }
    return global(r, 'f', seq, comb, zero, "aggregate", out);
}

int rf_rdd_count_by_key(rf_rdd *r, rf_records **out)
{
    *out = NULL;
    if (!r) return RF_ERR_INVALID;
    rf_rdd *c = rf_rdd_sort_by_key(rf_rdd_combine_by_key(r, "__rf_one", "__rf_inc", "__rf_add", 0), true, 0);
    return rf_rdd_collect(c, out);
}

int rf_rdd_save_as_text_file(rf_rdd *r, const char *dir, const char *mode)
{
    if (!r) return RF_ERR_INVALID;
    rf_df *df = DF(r);
    if (df->err) { rf__err_set(df->err, "%s", df->msg); return fail(r, df->err); }
    int wm = !mode || !*mode || !strcasecmp(mode, "error") || !strcasecmp(mode, "errorifexists") ? 0
           : !strcasecmp(mode, "overwrite") ? 1 : !strcasecmp(mode, "append") ? 2 : -1;
    if (wm < 0) return fail(r, rf__err_set(RF_ERR_INVALID, "saveAsTextFile: mode '%s' is not error, overwrite or append", mode));
    if (!dir || !*dir) return fail(r, rf__err_set(RF_ERR_INVALID, "saveAsTextFile: no output path given"));
    /* the records as text lines: an RDD node whose output is one string column */
    rf_plan *p = NULL;
    rf_schema *sc = NULL;
    int rc = rf__df_unary(RF_L_RDD, df, &p);
    if (!rc) rc = rf_schema_create(1, &sc);
    if (!rc) {
        sc->f[0] = (rf_field){ .name = rf_strdup("value"), .type = RF_TYPE_STRING, .id = df->s->next_attr++ };
        p->schema = sc;
        p->mode = RF_RDD_TOTEXT;
        p->exprs = rf_calloc(2, sizeof *p->exprs);
        if (!sc->f[0].name || !p->exprs || !(p->exprs[0] = rf_lit_null()) || !(p->exprs[1] = rf_lit_null())) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
        else p->n_exprs = 2;
    }
    rf_action act;
    rf__write_action(df->s, RF_ACT_WRITE_CSV, &act);
    act.out.header = false;
    act.out.delim = 0;   /* text lines */
    act.out.write_mode = wm;
    if (!rc && !(act.out.path = rf_strdup(dir))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    if (!rc) rc = rf__driver_run(df->s, p, &act, NULL);
    else df->s->err = *rf__err_slot();
    rf__action_fini(&act);
    rf__plan_destroy(&p);
    return rc;
}

/* Runs a foreach node (its output is nothing) for its side effects. */
static int run_foreach(rf_rdd *r, rf_rddop op, const char *fn)
{
    rf_rdd *f = op == RF_RDD_FOREACH ? rf_rdd_flat_map(r, fn) : rf_rdd_map_partitions(r, fn);
    if (f && !DF(f)->err) DF(f)->plan->mode = op;   /* same shape, no output */
    int64_t n = 0;
    int rc = rf_rdd_count(f, &n);
    rf_df *d = DF(f);
    rf_df_release(&d);
    return rc;
}

int rf_rdd_foreach(rf_rdd *r, const char *fn) { return run_foreach(r, RF_RDD_FOREACH, fn); }
int rf_rdd_foreach_partition(rf_rdd *r, const char *fn) { return run_foreach(r, RF_RDD_FOREACHPART, fn); }
