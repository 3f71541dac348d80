/*
 * actions.c — the DataFrame actions: collect, take, count, write (CSV, HDF5 and their options),
 * explain. Each checks that its DataFrame has no pending error, builds an rf_action and hands the
 * plan to the driver (driver.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include "runtime/runtime.h"
#include "io/partition.h"

static int action_error(rf_df *df)
{
    if (!df) return RF_ERR_NOMEM;
    if (df->err) { df->s->err.code = df->err; snprintf(df->s->err.msg, sizeof df->s->err.msg, "%s", df->msg); df->s->err.rank = -1; }
    return df->err;
}

static int collect_plan(rf_df *df, rf_plan *plan, rf_result **out)
{
    rf_action act = { .kind = RF_ACT_COLLECT };
    rf_batch *b = NULL;
    int rc = rf__driver_run(df->s, plan, &act, &b);
    rf__action_fini(&act);
    if (rc) return rc;
    rf_result *r = rf_calloc(1, sizeof *r);
    if (!r || rf_schema_copy(plan->schema, &r->schema)) { rf_free(r); rf_batch_destroy(&b); return rf__err_set(RF_ERR_NOMEM, "out of memory"); }
    r->batch = b;
    *out = r;
    return RF_OK;
}

int rf_df_collect(rf_df *df, rf_result **out)
{
    int rc = action_error(df);
    *out = NULL;
    return rc ? rc : collect_plan(df, df->plan, out);
}

int rf_df_take(rf_df *df, int64_t n, rf_result **out)
{
    int rc = action_error(df);
    *out = NULL;
    if (rc) return rc;
    rf_df *l = rf_df_limit(df, n);
    if ((rc = action_error(l))) return rc;
    rc = collect_plan(l, l->plan, out);
    rf_df_release(&l);
    return rc;
}

int rf_df_count(rf_df *df, int64_t *out)
{
    int rc = action_error(df);
    *out = 0;
    if (rc) return rc;
    rf_expr *a[1] = { rf_as(rf_count(NULL), "count") };
    rf_df *c = rf_df_agg(df, 0, NULL, 1, a);
    rf_result *r = NULL;
    if ((rc = action_error(c))) return rc;
    rc = collect_plan(c, c->plan, &r);
    if (!rc) *out = rf_result_int(r, 0, 0);
    rf_result_destroy(&r);
    rf_df_release(&c);
    return rc;
}

void rf__write_action(rf_session *s, rf_action_kind kind, rf_action *act)
{
    *act = (rf_action){ .kind = kind, .out = { .header = true, .delim = ',' }, .rg_rows = rf__conf_size(&s->conf, "riffle.hdf5.rowGroupRows") };
    const char *cw = rf__conf_get(&s->conf, "riffle.hdf5.collectiveWrite");
    act->collective = !strcasecmp(cw, "true") ? 1 : !strcasecmp(cw, "false") ? 0 : 2;
    act->checksum = !strcasecmp(rf__conf_get(&s->conf, "riffle.hdf5.checksum"), "true");
}

/* Writes df (or, dry, only checks the options and plans it: nothing is created). */
static int write_as(rf_df *df, rf_action_kind kind, const char *dir, const char *options, bool dry)
{
    int rc = action_error(df);
    if (rc) return rc;
    bool h5 = kind == RF_ACT_WRITE_HDF5;
    rf_action act;
    rf__write_action(df->s, kind, &act);
    act.out.dynamic = !strcasecmp(rf__conf_get(&df->s->conf, "riffle.sql.sources.partitionOverwriteMode"), "dynamic");
    act.out.max_records = rf__conf_size(&df->s->conf, "riffle.sql.files.maxRecordsPerFile");
    char *opts = options ? rf_strdup(options) : NULL, *save = NULL;
    for (char *t = opts ? strtok_r(opts, ",", &save) : NULL; t; t = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(t, '=');
        const char *v = eq ? eq + 1 : "";
        if (eq) *eq = '\0';
        while (*t == ' ') t++;
        if (!strcasecmp(t, "mode")) {
            if (!strcasecmp(v, "error") || !strcasecmp(v, "errorifexists")) act.out.write_mode = 0;
            else if (!strcasecmp(v, "overwrite")) act.out.write_mode = 1;
            else if (!strcasecmp(v, "append")) act.out.write_mode = 2;
            else { rc = rf__err_set(RF_ERR_INVALID, "write mode '%s' is not error, overwrite or append", v); break; }
        } else if (!h5 && !strcasecmp(t, "header")) {
            if (strcasecmp(v, "true") && strcasecmp(v, "false")) { rc = rf__err_set(RF_ERR_INVALID, "write option header: '%s' is not true or false", v); break; }
            act.out.header = !strcasecmp(v, "true");
        }
        else if (!h5 && (!strcasecmp(t, "delimiter") || !strcasecmp(t, "sep"))) act.out.delim = !strcmp(v, "\\t") ? '\t' : v[0] ? v[0] : ',';
        else if (h5 && !strcasecmp(t, "rowGroupRows")) {
            act.rg_rows = rf_parse_size(v);
            if (act.rg_rows < 1) { rc = rf__err_set(RF_ERR_INVALID, "write option rowGroupRows: '%s' is not a positive number", v); break; }
        } else if (h5 && !strcasecmp(t, "compression")) {
            if (!strcasecmp(v, "none") || !strcasecmp(v, "uncompressed")) act.deflate = 0;
            else if (!strcasecmp(v, "deflate") || !strcasecmp(v, "gzip") || !strcasecmp(v, "zlib")) act.deflate = 4;
            else if (!strncasecmp(v, "deflate:", 8) && v[8] >= '1' && v[8] <= '9' && !v[9]) act.deflate = v[8] - '0';
            else { rc = rf__err_set(RF_ERR_INVALID, "write option compression: '%s' is not none, deflate or deflate:1..9", v); break; }
        } else if (h5 && !strcasecmp(t, "collective")) {
            if (!strcasecmp(v, "true") || !strcasecmp(v, "false") || !strcasecmp(v, "auto")) act.collective = !strcasecmp(v, "true") ? 1 : !strcasecmp(v, "false") ? 0 : 2;
            else { rc = rf__err_set(RF_ERR_INVALID, "write option collective: '%s' is not true, false or auto", v); break; }
        }
        else if (h5 && !strcasecmp(t, "singleFile")) {
            if (strcasecmp(v, "true") && strcasecmp(v, "false")) { rc = rf__err_set(RF_ERR_INVALID, "write option singleFile: '%s' is not true or false", v); break; }
            act.out.single_file = !strcasecmp(v, "true");
        } else if (h5 && !strcasecmp(t, "checksum")) {
            if (strcasecmp(v, "true") && strcasecmp(v, "false")) { rc = rf__err_set(RF_ERR_INVALID, "write option checksum: '%s' is not true or false", v); break; }
            act.checksum = !strcasecmp(v, "true");
        } else if (!strcasecmp(t, "partitionOverwriteMode")) {
            if (strcasecmp(v, "static") && strcasecmp(v, "dynamic")) { rc = rf__err_set(RF_ERR_INVALID, "write option partitionOverwriteMode: '%s' is not static or dynamic", v); break; }
            act.out.dynamic = !strcasecmp(v, "dynamic");
        }
        else if (!h5 && !strcasecmp(t, "maxRecordsPerFile")) {
            act.out.max_records = rf_parse_size(v);
            if (act.out.max_records < 0) { rc = rf__err_set(RF_ERR_INVALID, "write option maxRecordsPerFile: '%s' is not a number (0: no limit)", v); break; }
        }
        else if (!strcasecmp(t, "partitionBy")) {   /* "a;b" (the option list itself is comma-separated) */
            int *pc = NULL, np = 0;
            rf_free(act.out.partition_by);
            act.out.partition_by = rf_strdup(v);
            if ((rc = rf__part_columns(df->plan->schema, v, &pc, &np))) break;
            rf_free(pc);
        }
        else { rc = rf__err_set(RF_ERR_INVALID, "unknown %s write option '%s'", h5 ? "hdf5" : "csv", t); break; }
    }
    rf_free(opts);
    if (!rc && act.out.single_file && act.out.partition_by && *act.out.partition_by)
        rc = rf__err_set(RF_ERR_INVALID, "a partitioned output is a directory, not a single file");
    if (!rc && (!dir || !*dir)) rc = rf__err_set(RF_ERR_INVALID, "no output path given");
    if (!rc && dry) {
        rf_buf b = { 0 };
        rc = rf__driver_explain(df->s, df->plan, &b);
        rf_buf_fini(&b);
    } else if (!rc) {
        act.out.path = rf_strdup(dir);
        rc = act.out.path ? rf__driver_run(df->s, df->plan, &act, NULL) : RF_ERR_NOMEM;
    } else {
        df->s->err = *rf__err_slot();
    }
    rf__action_fini(&act);
    return rc;
}

int rf_df_write_csv(rf_df *df, const char *dir, const char *options) { return write_as(df, RF_ACT_WRITE_CSV, dir, options, false); }
int rf_df_write_hdf5(rf_df *df, const char *dir, const char *options) { return write_as(df, RF_ACT_WRITE_HDF5, dir, options, false); }

int rf__df_write_check(rf_df *df, bool hdf5, const char *dir, const char *options)
{
    return write_as(df, hdf5 ? RF_ACT_WRITE_HDF5 : RF_ACT_WRITE_CSV, dir, options, true);
}

int rf__df_check(rf_df *df, rf_buf *plans)
{
    int rc = action_error(df);
    if (rc) return rc;
    rf_buf b = { 0 };
    rc = rf__driver_explain(df->s, df->plan, plans ? plans : &b);
    rf_buf_fini(&b);
    return rc;
}

int rf_df_explain_analyze(rf_df *df, FILE *f)
{
    int rc = action_error(df);
    if (rc) return rc;
    rf_action act = { .kind = RF_ACT_COLLECT, .analyze = true };
    rf_batch *b = NULL;
    rc = rf__driver_run(df->s, df->plan, &act, &b);
    rf__action_fini(&act);
    if (!rc) {
        fprintf(f, "== Result: %lld row(s) (not shown) ==\n", (long long)(b ? b->nrows : 0));
        const char *a = rf__job_analysis();
        if (a) fputs(a, f);
    }
    rf_batch_destroy(&b);
    return rc;
}

int rf_df_explain(rf_df *df, FILE *f)
{
    int rc = action_error(df);
    if (rc) return rc;
    rf_buf b = { 0 };
    rc = rf__driver_explain(df->s, df->plan, &b);
    if (!rc && b.data) fwrite(b.data, 1, b.len, f);
    rf_buf_fini(&b);
    return rc;
}
