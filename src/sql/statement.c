/*
 * statement.c — runs a SQL script: parses each statement (SELECT / WITH, CREATE TEMPORARY VIEW,
 * SET, INSERT OVERWRITE DIRECTORY, EXPLAIN, and the table statements of catalog.c) and executes it
 * through the DataFrame API; prints query results on rank 0 as a table (Spark's show() layout), CSV
 * or JSON lines.
 *
 * A script is read twice (planner.h): a CHECK pass parses and analyzes every statement and plans
 * every query without running anything, then the RUN pass executes them. A syntax or analysis
 * error anywhere in the file therefore means nothing ran and nothing was touched.
 */
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>
#include "sql/ast.h"
#include "sql/parser.h"
#include "sql/planner.h"
#include "runtime/runtime.h"

q_select *rf__p_query(rf_parser *P);
int rf__result_print_table(const rf_result *r, int64_t n, bool truncate, FILE *f);
rf_df *rf__df_values(rf_session *s, int64_t rows, int cols, const char *const *names, rf_expr **lits);

/* ---------------------------------------------------------------- output */
static void json_str(FILE *f, const char *s, size_t n)
{
    rf_buf b = { 0 };
    if (!rf_buf_json_str(&b, s, n)) fwrite(b.data, 1, b.len, f);
    rf_buf_fini(&b);
}

static void print_result(const rf_result *r, rf_outfmt fmt, FILE *f)
{
    int nc = rf_result_cols(r);
    int64_t n = rf_result_rows(r);
    rf_buf b = { 0 };
    if (fmt == RF_OUT_TABLE) { rf__result_print_table(r, n, true, f); return; }
    if (fmt == RF_OUT_CSV) {
        for (int c = 0; c < nc; c++) fprintf(f, "%s%s", c ? "," : "", rf_result_name(r, c));
        fputc('\n', f);
    }
    for (int64_t i = 0; i < n; i++) {
        if (fmt == RF_OUT_JSON) fputc('{', f);
        for (int c = 0; c < nc; c++) {
            const rf_column *col = r->batch->cols[c];
            bool isnull;
            b.len = 0;
            rf_format_value(col, i, &b, &isnull);
            const char *s = b.data ? (const char *)b.data : "";
            if (fmt == RF_OUT_CSV) {
                if (c) fputc(',', f);
                if (isnull) continue;
                bool q = col->type == RF_TYPE_STRING && b.len == 0;
                for (size_t k = 0; k < b.len && !q; k++) q = s[k] == ',' || s[k] == '"' || s[k] == '\n' || s[k] == '\r';
                if (!q) { fwrite(s, 1, b.len, f); continue; }
                fputc('"', f);
                for (size_t k = 0; k < b.len; k++) { if (s[k] == '"') fputc('"', f); fputc(s[k], f); }
                fputc('"', f);
            } else {
                fprintf(f, "%s", c ? "," : "");
                json_str(f, rf_result_name(r, c), strlen(rf_result_name(r, c)));
                fputc(':', f);
                if (isnull) fputs("null", f);
                else if (rf_type_is_nested(col->type)) {   /* as JSON, as to_json writes it */
                    b.len = 0;
                    if (!rf__json_value(&b, col, i)) fwrite(b.data, 1, b.len, f);
                } else if (col->type == RF_TYPE_STRING || col->type == RF_TYPE_DATE || col->type == RF_TYPE_TIMESTAMP)
                    json_str(f, s, b.len);
                else if (col->type == RF_TYPE_DOUBLE && (strchr(s, 'N') || strchr(s, 'I'))) json_str(f, s, b.len);
                else fwrite(s, 1, b.len, f);
            }
        }
        fputs(fmt == RF_OUT_JSON ? "}\n" : "\n", f);
    }
    rf_buf_fini(&b);
    fflush(f);
}

/* ---------------------------------------------------------------- statements */
void rf__kv_free(rf_kvlist *l)
{
    for (int i = 0; i < l->n; i++) { rf_free(l->k[i]); rf_free(l->v[i]); }
    rf_free(l->k);
    rf_free(l->v);
    memset(l, 0, sizeof *l);
}

static const char *kv_get(const rf_kvlist *l, const char *k)
{
    for (int i = 0; i < l->n; i++) if (!strcasecmp(l->k[i], k)) return l->v[i];
    return NULL;
}

int rf__p_options(rf_parser *P, rf_kvlist *out)
{
    if ((P->rc = rf__p_expect(P, "("))) return P->rc;
    do {
        char *k = NULL, *v = NULL;
        if (P->cur.t == T_STRING) k = rf__p_string(P);
        else {
            k = rf__p_ident(P);
            while (k && rf__p_accept(P, ".")) {   /* dotted keys */
                char *n = rf__p_ident(P), *j = NULL;
                if (n && (j = rf_malloc(strlen(k) + strlen(n) + 2))) sprintf(j, "%s.%s", k, n);
                rf_free(k); rf_free(n);
                k = j;
            }
        }
        if (!k) return P->rc ? P->rc : RF_ERR_NOMEM;
        rf__p_accept(P, "=");
        if (P->cur.t == T_STRING) v = rf__p_string(P);
        else if (P->cur.t == T_INT || P->cur.t == T_NUM || P->cur.t == T_IDENT) { v = rf_strndup(P->cur.p, (size_t)P->cur.len); rf__p_adv(P); }
        else { rf_free(k); return P->rc = rf__p_error(P, "expected an option value"); }
        char **nk = rf_realloc(out->k, (size_t)(out->n + 1) * sizeof *nk);
        if (nk) out->k = nk;
        char **nv = rf_realloc(out->v, (size_t)(out->n + 1) * sizeof *nv);
        if (nv) out->v = nv;
        if (!nk || !nv) { rf_free(k); rf_free(v); return P->rc = RF_ERR_NOMEM; }
        out->k[out->n] = k;
        out->v[out->n++] = v;
    } while (rf__p_accept(P, ","));
    return P->rc = rf__p_expect(P, ")");
}

static int add_view(rf_sqlctx *c, const char *name, rf_df *d, bool replace, int line, int col)
{
    for (int i = 0; i < c->n_views; i++)
        if (!strcasecmp(c->views[i].name, name)) {
            if (!replace) {
                rf__err_set(RF_ERR_ANALYSIS, "view '%s' already exists (use CREATE OR REPLACE TEMPORARY VIEW)", name);
                rf__err_at(line, col);
                return RF_ERR_ANALYSIS;
            }
            c->views[i].df = d;
            RF_FREE(c->views[i].sfmt);
            RF_FREE(c->views[i].sopts);
            return RF_OK;
        }
    rf_sqlview *v = rf_realloc(c->views, (size_t)(c->n_views + 1) * sizeof *v);
    if (!v) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    c->views = v;
    c->views[c->n_views] = (rf_sqlview){ .name = rf_strdup(name), .df = d };
    c->n_views++;
    return RF_OK;
}

static void view_fini(rf_sqlview *v) { rf_free(v->name); rf_free(v->sfmt); rf_free(v->sopts); }

/* Keeps view name's source (it was just added) for FROM STREAM. */
static int view_source(rf_sqlctx *c, const char *name, const char *fmt, const char *path, const char *ropts)
{
    for (int i = 0; i < c->n_views; i++)
        if (!strcasecmp(c->views[i].name, name)) {
            rf_buf b = { 0 };
            int rc = rf_buf_printf(&b, "path=%s%s%s", path, ropts && *ropts ? "," : "", ropts ? ropts : "");
            if (!rc && (!(c->views[i].sfmt = rf_strdup(fmt)) || !(c->views[i].sopts = rf_strdup((const char *)b.data))))
                rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
            rf_buf_fini(&b);
            return rc;
        }
    return RF_OK;
}

static int stmt_create_view(rf_sqlctx *c, rf_parser *P)
{
    bool replace = false;
    rf_kvlist opts = { 0 };
    rf_buf schema = { 0 }, ropts = { 0 }, sx = { 0 };
    char *name = NULL, *fmt = NULL, **vcols = NULL;
    q_select *q = NULL;
    int rc = RF_OK, n_vcols = 0;
    if (rf__p_accept(P, "OR")) { if ((rc = rf__p_expect(P, "REPLACE"))) goto done; replace = true; }
    rf__p_accept(P, "GLOBAL");
    if (!rf__p_accept(P, "TEMPORARY") && !rf__p_accept(P, "TEMP")) { rc = rf__p_error(P, "only TEMPORARY views are supported (CREATE [OR REPLACE] TEMPORARY VIEW)"); goto done; }
    if ((rc = rf__p_expect(P, "VIEW"))) goto done;
    rf_token nt = P->cur;
    if (!(name = rf__p_ident(P))) { rc = P->rc; goto done; }
    if (rf__p_accept(P, "(")) {   /* (col TYPE, ...), or (col, ...) naming the columns of AS query */
        do {
            char *cn = rf__p_ident(P);
            rf_type t;
            if (!cn) { rc = P->rc; goto done; }
            if (rf__p_is(P, ",") || rf__p_is(P, ")")) {
                char **nv = rf_realloc(vcols, (size_t)(n_vcols + 1) * sizeof *nv);
                if (!nv) { rf_free(cn); rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); goto done; }
                vcols = nv;
                vcols[n_vcols++] = cn;
                continue;
            }
            if ((rc = rf__p_type(P, &t))) { rf_free(cn); goto done; }
            rf_buf_printf(&schema, "%s%s %s", schema.len ? "; " : "", cn, rf_type_name(t));
            rf_free(cn);
        } while (rf__p_accept(P, ","));
        if ((rc = rf__p_expect(P, ")"))) goto done;
    }
    if (rf__p_accept(P, "AS")) {
        if (!(q = rf__p_query(P))) { rc = P->rc; goto done; }
        rf_df *d = rf__sql_plan(c, q);
        if (!d && c->mode != RF_SQL_RUN && rf__err_slot()->code == RF_ERR_DEFERRED) {
            char what[512];
            snprintf(what, sizeof what, "view %.400s", name);
            d = rf__df_deferred(c->s, what);
        }
        if (d && n_vcols && !rf_df_status(d)) d = rf__sql_rename(d, n_vcols, vcols, NULL, nt.line, nt.col);
        if (!d) { rc = rf__err_slot()->code ? rf__err_slot()->code : RF_ERR_ANALYSIS; goto done; }
        rc = add_view(c, name, d, replace, nt.line, nt.col);
        goto done;
    }
    if ((rc = rf__p_expect(P, "USING"))) goto done;
    rf_token ft = P->cur;
    if (!(fmt = rf__p_ident(P))) { rc = P->rc; goto done; }
    if (rf__p_accept(P, "OPTIONS") && (rc = rf__p_options(P, &opts))) goto done;
    const char *path = kv_get(&opts, "path");
    if (!path) { rc = rf__err_set(RF_ERR_INVALID, "CREATE TEMPORARY VIEW %s: OPTIONS needs a path", name); rf__err_at(nt.line, nt.col); goto done; }
    rf_df *d = NULL;
    if (c->mode != RF_SQL_RUN && rf__sql_written(c, path)) {   /* an earlier statement writes it: read it when it exists */
        char what[512];
        snprintf(what, sizeof what, "view %.400s", name);
        rc = add_view(c, name, rf__df_deferred(c->s, what), replace, nt.line, nt.col);
        goto done;
    }
    for (int i = 0; i < opts.n; i++)   /* a stream's own options: kept for FROM STREAM, not for reading the view */
        if (!strcasecmp(opts.k[i], "maxFilesPerTrigger") || !strcasecmp(opts.k[i], "maxBytesPerTrigger"))
            rf_buf_printf(&sx, "%s%s=%s", sx.len ? "," : "", opts.k[i], opts.v[i]);
    if (!strcasecmp(fmt, "csv")) {
        for (int i = 0; i < opts.n; i++) {
            const char *k = opts.k[i];
            if (!strcasecmp(k, "path") || !strcasecmp(k, "maxFilesPerTrigger") || !strcasecmp(k, "maxBytesPerTrigger")) continue;
            if (!strcasecmp(k, "schema")) {   /* 'a INT, b DECIMAL(10,2)': fields apart by ';' (options are split at ',') */
                rf_buf_printf(&ropts, "%sschema=", ropts.len ? "," : "");
                int depth = 0;
                for (const char *ch = opts.v[i]; *ch; ch++) {
                    depth += (*ch == '(' || *ch == '<') - (*ch == ')' || *ch == '>');
                    rf_buf_put_u8(&ropts, (uint8_t)(*ch == ',' && depth == 0 ? ';' : *ch));
                }
                rf_buf_put_u8(&ropts, 0);
                ropts.len--;
                continue;
            }
            if (!strcasecmp(k, "delimiter") || !strcasecmp(k, "sep")) {
                rf_buf_printf(&ropts, "%sdelimiter=%s", ropts.len ? "," : "", !strcmp(opts.v[i], ",") ? "" : opts.v[i]);
                continue;
            }
            rf_buf_printf(&ropts, "%s%s=%s", ropts.len ? "," : "", k, opts.v[i]);
        }
        if (schema.len) rf_buf_printf(&ropts, "%sschema=%.*s", ropts.len ? "," : "", (int)schema.len, (const char *)schema.data);
        d = rf_read_csv(c->s, path, ropts.data ? (const char *)ropts.data : "");
    } else if (!strcasecmp(fmt, "text")) {
        d = rf_read_text(c->s, path);
    } else if (!strcasecmp(fmt, "hdf5")) {
        for (int i = 0; i < opts.n; i++)
            if (strcasecmp(opts.k[i], "path") && strcasecmp(opts.k[i], "maxFilesPerTrigger") && strcasecmp(opts.k[i], "maxBytesPerTrigger")) {
                rc = rf__err_set(RF_ERR_INVALID, "view %s: unknown hdf5 option '%s' (the file says its schema)", name, opts.k[i]);
                rf__err_at(ft.line, ft.col);
                goto done;
            }
        d = rf_read_hdf5(c->s, path);
    } else {
        rc = rf__err_set(RF_ERR_INVALID, "data source '%s' is not supported (csv, text, hdf5)", fmt);
        rf__err_at(ft.line, ft.col);
        goto done;
    }
    if (rf_df_status(d)) {
        rc = rf_df_status(d);
        rf__err_set(rc, "view %s: %s", name, rf_df_error(d));
        rf__err_at(nt.line, nt.col);
        goto done;
    }
    rc = add_view(c, name, d, replace, nt.line, nt.col);
    if (!rc && !strcasecmp(fmt, "csv") && sx.len) rf_buf_printf(&ropts, "%s%s", ropts.len ? "," : "", (const char *)sx.data);
    if (!rc && (!strcasecmp(fmt, "csv") || !strcasecmp(fmt, "text") || !strcasecmp(fmt, "hdf5")))
        rc = view_source(c, name, fmt, path, !strcasecmp(fmt, "csv") ? (ropts.data ? (const char *)ropts.data : NULL) : sx.len ? (const char *)sx.data : NULL);   /* text, hdf5: the stream's own options only */
done:
    rf__q_free(q);
    rf__kv_free(&opts);
    rf_buf_fini(&schema);
    rf_buf_fini(&ropts);
    rf_buf_fini(&sx);
    rf_free(name);
    rf_free(fmt);
    for (int i = 0; i < n_vcols; i++) rf_free(vcols[i]);
    rf_free(vcols);
    return rc ? rc : P->rc;
}

/* Whether a failed analysis only waits for earlier statements (CHECK / EXPLAIN): then it is no error. */
static bool deferred(rf_sqlctx *c)
{
    if (c->mode == RF_SQL_RUN || rf__err_slot()->code != RF_ERR_DEFERRED) return false;
    rf__err_clear();
    return true;
}

int rf__sql_check_df(rf_sqlctx *c, rf_df *d, const char *header)
{
    rf_buf plans = { 0 };
    int rc = rf__df_check(d, c->mode == RF_SQL_EXPLAIN ? &plans : NULL);
    if (rc) *rf__err_slot() = c->s->err;
    else if (c->mode == RF_SQL_EXPLAIN) {
        if (header) fprintf(c->out, "== %s ==\n", header);
        if (plans.data) fwrite(plans.data, 1, plans.len, c->out);
        fflush(c->out);
    }
    rf_buf_fini(&plans);
    return rc;
}

/* A query statement; `explain` for EXPLAIN query (prints the plans when the script runs). */
/* explain: 0 runs the query and prints its rows, 1 prints its plans (EXPLAIN), 2 runs it and prints
 * the plan as it ran (EXPLAIN ANALYZE). */
static int run_query(rf_sqlctx *c, q_select *q, int explain)
{
    rf_df *d = rf__sql_plan(c, q);
    int rc;
    if (!d) {
        if (deferred(c)) {
            if (c->mode == RF_SQL_EXPLAIN) fprintf(c->out, "== Query at line %d: planned when the statements before it have run ==\n", q->line);
            return RF_OK;
        }
        return rf__err_slot()->code ? rf__err_slot()->code : RF_ERR_ANALYSIS;
    }
    if (c->mode != RF_SQL_RUN) return rf__sql_check_df(c, d, NULL);
    if (explain == 2) {
        if ((rc = rf_df_explain_analyze(d, c->out))) *rf__err_slot() = c->s->err;
        return rc;
    }
    if (explain) return rf_df_explain(d, c->out) ? rf__err_set(RF_ERR_INTERNAL, "%s", rf_session_error(c->s)) : RF_OK;
    rf_result *r = NULL;
    if ((rc = rf_df_collect(d, &r))) {
        *rf__err_slot() = c->s->err;
        return rc;
    }
    print_result(r, c->fmt, c->out);
    rf_result_destroy(&r);
    return RF_OK;
}

/* CHECK / EXPLAIN of a write: its options, the plan; EXPLAIN prints the plans. */
static int write_check(rf_sqlctx *c, rf_df *d, bool h5, const char *path, const char *opts)
{
    int rc = rf__df_write_check(d, h5, path, opts);
    if (rc) { *rf__err_slot() = c->s->err; return rc; }
    if (c->mode != RF_SQL_EXPLAIN) return RF_OK;
    char head[4300];
    snprintf(head, sizeof head, "INSERT OVERWRITE DIRECTORY '%.4000s' USING %s", path, h5 ? "hdf5" : "csv");
    return rf__sql_check_df(c, d, head);
}

/* INSERT INTO DIRECTORY over FROM STREAM: starts the streaming query and runs it until its
 * trigger ends it or a stop signal (runtime/stream.c); CHECK only checks it. */
int rf__sql_insert_stream(rf_sqlctx *c, rf_df *d, const char *path, const char *fmt, const rf_kvlist *opts, int line, int col)
{
    rf_buf w = { 0 };
    int rc = rf_buf_printf(&w, "format=%s", fmt);
    for (int i = 0; i < opts->n && !rc; i++) {
        const char *k = opts->k[i];
        if (strcasecmp(k, "checkpointLocation") && strcasecmp(k, "outputMode") && strcasecmp(k, "trigger") && strcasecmp(k, "header") &&
            strcasecmp(k, "delimiter")) {
            rc = rf__err_set(RF_ERR_INVALID, "INSERT INTO DIRECTORY: unknown streaming %s option '%s'", fmt, k);
            break;
        }
        if (strchr(opts->v[i], ',')) { rc = rf__err_set(RF_ERR_INVALID, "INSERT INTO DIRECTORY: option %s cannot hold a comma", k); break; }
        if (!strcasecmp(fmt, "hdf5") && (!strcasecmp(k, "header") || !strcasecmp(k, "delimiter"))) { rc = rf__err_set(RF_ERR_INVALID, "INSERT INTO DIRECTORY: option %s is for csv", k); break; }
        rc = rf_buf_printf(&w, "%s%s=%s", w.len ? "," : "", k, opts->v[i]);
    }
    if (!rc && c->mode != RF_SQL_RUN) rc = rf__stream_check(d, path, w.data ? (const char *)w.data : "");
    else if (!rc) {
        rf_stream *q = rf_df_write_stream(d, path, w.data ? (const char *)w.data : "");
        rc = !q ? rf__err_set(RF_ERR_NOMEM, "out of memory") : rf_stream_error(q) ? rf__err_set(RF_ERR_ANALYSIS, "%s", rf_stream_error(q)) : RF_OK;
        if (!rc && (rc = rf_stream_await(q))) rf__err_set(rc, "%s", rf_stream_error(q));
        rf_stream_close(&q);
    }
    if (rc && !rf__err_slot()->line) rf__err_at(line, col);
    rf_buf_fini(&w);
    return rc;
}

static int stmt_insert_dir(rf_sqlctx *c, rf_parser *P, bool into)
{
    rf_kvlist opts = { 0 };
    char *path = NULL, *fmt = NULL;
    q_select *q = NULL;
    rf_buf w = { 0 };
    int rc;
    rf__p_accept(P, "LOCAL");
    if ((rc = rf__p_expect(P, "DIRECTORY"))) goto done;
    if (!(path = rf__p_string(P))) { rc = P->rc; goto done; }
    rf_token ft = P->cur;
    if ((rc = rf__p_expect(P, "USING"))) goto done;
    if (!(fmt = rf__p_ident(P))) { rc = P->rc; goto done; }
    bool h5 = !strcasecmp(fmt, "hdf5");
    if (!h5 && strcasecmp(fmt, "csv")) { rc = rf__err_set(RF_ERR_INVALID, "INSERT OVERWRITE DIRECTORY: format '%s' is not supported (csv, hdf5)", fmt); rf__err_at(ft.line, ft.col); goto done; }
    if (rf__p_accept(P, "OPTIONS") && (rc = rf__p_options(P, &opts))) goto done;
    if (!(q = rf__p_query(P))) { rc = P->rc; goto done; }
    if (c->mode != RF_SQL_RUN && (rc = rf__sql_note_write(c, path))) goto done;
    rf_df *d = rf__sql_plan(c, q);
    if (!d && deferred(c)) goto done;
    if (!d) { rc = rf__err_slot()->code ? rf__err_slot()->code : RF_ERR_ANALYSIS; goto done; }
    bool stream = !rf_df_status(d) && rf__plan_has_stream(d->plan);
    if (stream && !into) {
        rc = rf__err_set(RF_ERR_ANALYSIS, "a streaming query appends: write it with INSERT INTO DIRECTORY '...' USING csv OPTIONS (checkpointLocation '...')");
        rf__err_at(ft.line, ft.col);
        goto done;
    }
    if (!stream && into) {
        rc = rf__err_set(RF_ERR_ANALYSIS, "INSERT INTO DIRECTORY runs a streaming query (FROM STREAM v); a batch query writes with INSERT OVERWRITE DIRECTORY");
        rf__err_at(ft.line, ft.col);
        goto done;
    }
    if (stream) { rc = rf__sql_insert_stream(c, d, path, h5 ? "hdf5" : "csv", &opts, ft.line, ft.col); goto done; }
    rf_buf_printf(&w, "mode=overwrite");
    for (int i = 0; i < opts.n; i++)   /* writer options are comma-separated: columns go by ';' */
        if (!strcasecmp(opts.k[i], "partitionBy")) for (char *p = opts.v[i]; *p; p++) if (*p == ',') *p = ';';
    const char *pb = kv_get(&opts, "partitionBy");
    if (h5) {
        for (int i = 0; i < opts.n; i++) rf_buf_printf(&w, ",%s=%s", opts.k[i], opts.v[i]);
        if (c->mode != RF_SQL_RUN) rc = write_check(c, d, true, path, (const char *)w.data);
        else if ((rc = rf_df_write_hdf5(d, path, (const char *)w.data))) *rf__err_slot() = c->s->err;
    } else {
        const char *h = kv_get(&opts, "header"), *dl = kv_get(&opts, "delimiter");
        rf_buf_printf(&w, ",header=%s", h ? h : "true");
        if (dl && strcmp(dl, ",")) rf_buf_printf(&w, ",delimiter=%s", dl);
        if (pb) rf_buf_printf(&w, ",partitionBy=%s", pb);
        const char *mr = kv_get(&opts, "maxRecordsPerFile");
        if (mr) rf_buf_printf(&w, ",maxRecordsPerFile=%s", mr);
        for (int i = 0; i < opts.n && !rc; i++)
            if (strcasecmp(opts.k[i], "header") && strcasecmp(opts.k[i], "delimiter") && strcasecmp(opts.k[i], "partitionBy") &&
                strcasecmp(opts.k[i], "maxRecordsPerFile")) {
                rc = rf__err_set(RF_ERR_INVALID, "INSERT OVERWRITE DIRECTORY: unknown csv option '%s'", opts.k[i]);
                rf__err_at(ft.line, ft.col);
            }
        if (!rc && c->mode != RF_SQL_RUN) rc = write_check(c, d, false, path, (const char *)w.data);
        else if (!rc && (rc = rf_df_write_csv(d, path, (const char *)w.data))) *rf__err_slot() = c->s->err;
    }
done:
    rf__kv_free(&opts);
    rf_free(path);
    rf_free(fmt);
    rf__q_free(q);
    rf_buf_fini(&w);
    return rc;
}

static int stmt_set(rf_sqlctx *c, rf_parser *P, FILE *out)
{
    /* SET key = value: the key is everything up to '=', the value everything after (raw text) */
    const char *ks = P->cur.p;
    if (P->cur.t == T_EOF || rf__p_is(P, ";")) return RF_OK;
    while (P->cur.t != T_EOF && !rf__p_is(P, "=") && !rf__p_is(P, ";")) rf__p_adv(P);
    const char *ke = P->cur.p;
    while (ke > ks && (ke[-1] == ' ' || ke[-1] == '\t')) ke--;
    char *key = rf_strndup(ks, (size_t)(ke - ks));
    int rc = RF_OK;
    if (rf__p_accept(P, "=")) {
        const char *vs = P->cur.p;
        while (P->cur.t != T_EOF && !rf__p_is(P, ";")) rf__p_adv(P);
        const char *ve = P->cur.t == T_EOF ? P->lx.end : P->cur.p;
        while (ve > vs && (ve[-1] == ' ' || ve[-1] == '\n' || ve[-1] == '\t' || ve[-1] == '\r')) ve--;
        char *val = rf_strndup(vs, (size_t)(ve - vs));
        if ((rc = rf_conf_set(c->s, key, val))) *rf__err_slot() = c->s->err;
        rf_free(val);
    } else {
        const char *v = rf_conf_get(c->s, key);
        if (c->mode == RF_SQL_RUN) fprintf(out, "%s\t%s\n", key, v ? v : "<undefined>");
    }
    rf_free(key);
    return rc;
}

static int show_df(rf_sqlctx *c, rf_df *d, rf_outfmt fmt, FILE *out)
{
    if (c->mode != RF_SQL_RUN) return RF_OK;
    rf_result *r = NULL;
    int rc = rf_df_collect(d, &r);
    if (rc) { *rf__err_slot() = c->s->err; return rc; }
    print_result(r, fmt, out);
    rf_result_destroy(&r);
    return RF_OK;
}

/* DROP VIEW [IF EXISTS] v: a temporary view. */
static int drop_view(rf_sqlctx *c, rf_parser *P)
{
    bool ife = false;
    int rc;
    if (rf__p_accept(P, "IF")) { if ((rc = rf__p_expect(P, "EXISTS"))) return rc; ife = true; }
    rf_token nt = P->cur;
    char *name = rf__p_ident(P);
    if (!name) return P->rc;
    for (int i = 0; i < c->n_views; i++)
        if (!strcasecmp(c->views[i].name, name)) {
            view_fini(&c->views[i]);
            c->views[i] = c->views[--c->n_views];
            rf_free(name);
            return RF_OK;
        }
    rc = RF_OK;
    if (!ife) { rc = rf__err_set(RF_ERR_ANALYSIS, "view '%s' not found", name); rf__err_at(nt.line, nt.col); }
    rf_free(name);
    return rc;
}

/* CACHE [LAZY] TABLE name [OPTIONS ('storageLevel' 'LEVEL')] [[AS] query]: name becomes a temporary
 * view of the cached rows (of the query, or of the view or table name); without LAZY the rows are
 * computed and kept now. */
static int stmt_cache(rf_sqlctx *c, rf_parser *P)
{
    rf_kvlist opts = { 0 };
    q_select *q = NULL;
    char *name = NULL;
    rf_storage_level level = RF_MEMORY_AND_DISK;
    bool lazy = rf__p_accept(P, "LAZY");
    int rc = rf__p_expect(P, "TABLE");
    if (rc) return rc;
    rf_token nt = P->cur;
    if (!(name = rf__p_ident(P))) return P->rc;
    if (rf__p_accept(P, "OPTIONS") && (rc = rf__p_options(P, &opts))) goto done;
    for (int i = 0; i < opts.n; i++) {
        if (strcasecmp(opts.k[i], "storageLevel")) {
            rc = rf__err_set(RF_ERR_INVALID, "CACHE TABLE %s: unknown option '%s' (storageLevel)", name, opts.k[i]);
            rf__err_at(nt.line, nt.col);
            goto done;
        }
        const char *v = opts.v[i];
        if (!strcasecmp(v, "MEMORY_AND_DISK") || !strcasecmp(v, "MEMORY_AND_DISK_SER")) level = RF_MEMORY_AND_DISK;
        else if (!strcasecmp(v, "MEMORY_ONLY") || !strcasecmp(v, "MEMORY_ONLY_SER")) level = RF_MEMORY_ONLY;
        else if (!strcasecmp(v, "DISK_ONLY")) level = RF_DISK_ONLY;
        else {
            rc = rf__err_set(RF_ERR_INVALID, "CACHE TABLE %s: storage level '%s' (MEMORY_AND_DISK, MEMORY_ONLY, DISK_ONLY)", name, v);
            rf__err_at(nt.line, nt.col);
            goto done;
        }
    }
    rf_df *d = NULL;
    bool as = rf__p_accept(P, "AS");
    if (as || rf__p_is(P, "SELECT") || rf__p_is(P, "WITH") || rf__p_is(P, "VALUES") || rf__p_is(P, "(")) {
        if (!(q = rf__p_query(P))) { rc = P->rc; goto done; }
        d = rf__sql_plan(c, q);
    } else if (!(d = rf__sql_lookup(c, name)) && !(d = rf__sql_table(c, name)) && !rf__err_slot()->code) {
        rc = rf__err_set(RF_ERR_ANALYSIS, "CACHE TABLE: table or view '%s' not found", name);
        rf__err_at(nt.line, nt.col);
        goto done;
    }
    if (!d && c->mode != RF_SQL_RUN && rf__err_slot()->code == RF_ERR_DEFERRED) {   /* waits for earlier statements */
        char what[512];
        snprintf(what, sizeof what, "view %.400s", name);
        rf__err_clear();
        rc = add_view(c, name, rf__df_deferred(c->s, what), true, nt.line, nt.col);
        goto done;
    }
    if (!d) { rc = rf__err_slot()->code ? rf__err_slot()->code : RF_ERR_ANALYSIS; goto done; }
    rf_df *cd = rf_df_persist(d, level);
    if ((rc = rf_df_status(cd))) { rf__err_set(rc, "CACHE TABLE %s: %s", name, rf_df_error(cd)); goto done; }
    if ((rc = add_view(c, name, cd, true, nt.line, nt.col))) goto done;
    if (c->mode == RF_SQL_RUN && !lazy) {
        int64_t n = 0;
        if ((rc = rf_df_count(cd, &n))) *rf__err_slot() = c->s->err;
    } else if (c->mode != RF_SQL_RUN) rc = rf__sql_check_df(c, cd, NULL);
done:
    rf__q_free(q);
    rf__kv_free(&opts);
    rf_free(name);
    return rc ? rc : P->rc;
}

/* UNCACHE TABLE [IF EXISTS] name: forgets the cached rows of view name (it stays, uncached). */
static int stmt_uncache(rf_sqlctx *c, rf_parser *P)
{
    bool ife = false;
    int rc = rf__p_expect(P, "TABLE");
    if (rc) return rc;
    if (rf__p_accept(P, "IF")) { if ((rc = rf__p_expect(P, "EXISTS"))) return rc; ife = true; }
    rf_token nt = P->cur;
    char *name = rf__p_ident(P);
    if (!name) return P->rc;
    rf_df *d = rf__sql_lookup(c, name);
    if (!d && !ife && !rf__sql_table(c, name)) {
        if (!rf__err_slot()->code || rf__err_slot()->code == RF_ERR_DEFERRED) {
            rf__err_clear();
            rc = rf__err_set(RF_ERR_ANALYSIS, "UNCACHE TABLE: table or view '%s' not found", name);
            rf__err_at(nt.line, nt.col);
        } else rc = rf__err_slot()->code;
    }
    rf__err_clear();
    if (d && c->mode == RF_SQL_RUN) rf_df_unpersist(d);
    rf_free(name);
    return rc;
}

/* ---------------------------------------------------------------- paths written by the script */
/* An absolute path with "//", "/./" and trailing '/' removed (returned-owned). */
static char *norm_path(const char *path)
{
    rf_buf b = { 0 };
    char cwd[4096];
    int rc = RF_OK;
    if (path[0] != '/') {
        if (!getcwd(cwd, sizeof cwd)) snprintf(cwd, sizeof cwd, ".");
        rc = rf_buf_printf(&b, "%s/", cwd);
    }
    if (!rc) rc = rf_buf_printf(&b, "%s", path);
    if (!rc) rc = rf_buf_put_u8(&b, 0);
    if (rc) { rf_buf_fini(&b); return NULL; }
    char *s = (char *)b.data, *w = s;
    for (const char *r = s; *r;) {
        if (r[0] == '/' && (r[1] == '/' || (r[1] == '.' && (r[2] == '/' || !r[2])))) { r += r[1] == '/' ? 1 : 2; continue; }
        *w++ = *r++;
    }
    while (w > s + 1 && w[-1] == '/') w--;
    *w = '\0';
    return s;
}

int rf__sql_note_write(rf_sqlctx *c, const char *path)
{
    char *n = norm_path(path);
    char **v = n ? rf_realloc(c->written, (size_t)(c->n_written + 1) * sizeof *v) : NULL;
    if (!v) { rf_free(n); return rf__err_set(RF_ERR_NOMEM, "out of memory"); }
    c->written = v;
    c->written[c->n_written++] = n;
    return RF_OK;
}

bool rf__sql_written(const rf_sqlctx *c, const char *path)
{
    char *n = norm_path(path);
    bool hit = false;
    if (!n) return true;   /* out of memory: be safe, read it when the script runs */
    /* a glob's directory part is what matters */
    char *g = strpbrk(n, "*?[{");
    if (g) { while (g > n && *g != '/') g--; *g = '\0'; }
    size_t ln = strlen(n);
    for (int i = 0; i < c->n_written && !hit; i++) {
        size_t lw = strlen(c->written[i]), m = ln < lw ? ln : lw;
        hit = strncmp(n, c->written[i], m) == 0 && (ln == lw || (ln < lw ? c->written[i][m] == '/' : n[m] == '/') || m == 1);
    }
    rf_free(n);
    return hit;
}

/* ---------------------------------------------------------------- the script */
/* A copy of the session's temporary views (names and sources copied, DataFrames shared). */
static int views_copy(const rf_sqlview *v, int n, rf_sqlview **out, int *n_out)
{
    *out = NULL;
    *n_out = 0;
    if (!n) return RF_OK;
    if (!(*out = rf_calloc((size_t)n, sizeof **out))) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        (*out)[i] = (rf_sqlview){ .name = rf_strdup(v[i].name), .df = v[i].df, .sfmt = v[i].sfmt ? rf_strdup(v[i].sfmt) : NULL,
                                  .sopts = v[i].sopts ? rf_strdup(v[i].sopts) : NULL };
        *n_out = i + 1;
        if (!(*out)[i].name) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    }
    return RF_OK;
}

void rf__sql_views_free(rf_session *s)
{
    for (int i = 0; i < s->n_views; i++) view_fini(&s->views[i]);
    RF_FREE(s->views);
    s->n_views = 0;
}

static int script_pass(rf_session *s, const char *text, size_t len, rf_sqlmode mode, rf_outfmt fmt, FILE *out)
{
    rf_parser P;
    rf_sqlctx c = { .s = s, .mode = mode, .out = out, .fmt = fmt };
    int rc = rf__p_init(&P, text, len);
    if (!rc) rc = views_copy(s->views, s->n_views, &c.views, &c.n_views);   /* rf_df_create_temp_view's, earlier rf_sql's */
    c.one_row = rf__df_values(s, 1, 0, NULL, NULL);   /* what SELECT without FROM reads: one row, no columns */
    while (!rc) {
        while (rf__p_accept(&P, ";")) {}
        if (P.cur.t == T_EOF) break;
        rf__clock_thaw();
        rf__clock_freeze();   /* current_timestamp / now(): one value per statement, as Spark */
        rf_df *shown = NULL;
        if (rf__p_accept(&P, "CREATE")) {
            if (rf__p_accept(&P, "TABLE")) rc = rf__sql_create_table(&c, &P);
            else rc = stmt_create_view(&c, &P);
        } else if (rf__p_accept(&P, "SET")) rc = stmt_set(&c, &P, out);
        else if (rf__p_accept(&P, "CACHE")) rc = stmt_cache(&c, &P);
        else if (rf__p_accept(&P, "UNCACHE")) rc = stmt_uncache(&c, &P);
        else if (rf__p_accept(&P, "INSERT")) {
            bool into = rf__p_accept(&P, "INTO");
            if (!into) rc = rf__p_expect(&P, "OVERWRITE");
            bool dir = rf__p_is(&P, "DIRECTORY") || rf__p_is(&P, "LOCAL"), table = !dir || rf__p_is(&P, "TABLE");
            if (!rc && table) {
                rf__p_accept(&P, "TABLE");
                rc = rf__sql_insert_table(&c, &P, !into);
            } else if (!rc) rc = stmt_insert_dir(&c, &P, into);
        } else if (rf__p_accept(&P, "DROP")) {
            if (rf__p_accept(&P, "TABLE")) rc = rf__sql_drop_table(&c, &P);
            else if (rf__p_accept(&P, "VIEW")) rc = drop_view(&c, &P);
            else rc = rf__p_error(&P, "expected TABLE or VIEW after DROP");
        } else if (rf__p_accept(&P, "SHOW")) {
            if (rf__p_accept(&P, "FUNCTIONS")) { if (!(rc = rf__sql_show_functions(&c, &P, &shown))) rc = show_df(&c, shown, fmt, out); }
            else if (!(rc = rf__p_expect(&P, "TABLES")) && !(rc = rf__sql_show_tables(&c, &shown))) rc = show_df(&c, shown, fmt, out);
        } else if (rf__p_accept(&P, "DESCRIBE") || rf__p_accept(&P, "DESC")) {
            rf__p_accept(&P, "TABLE");
            if (!(rc = rf__sql_describe(&c, &P, &shown))) rc = show_df(&c, shown, fmt, out);
        } else if (rf__p_accept(&P, "EXPLAIN")) {
            bool analyze = rf__p_accept(&P, "ANALYZE");
            if (!analyze && !rf__p_accept(&P, "EXTENDED") && !rf__p_accept(&P, "COST")) rf__p_accept(&P, "FORMATTED");   /* COST: the estimates are on every plan */
            q_select *q = rf__p_query(&P);
            rc = q ? run_query(&c, q, analyze ? 2 : 1) : (P.rc ? P.rc : RF_ERR_INVALID);
            rf__q_free(q);
        } else if (rf__p_is(&P, "SELECT") || rf__p_is(&P, "WITH") || rf__p_is(&P, "VALUES") || rf__p_is(&P, "(")) {
            q_select *q = rf__p_query(&P);
            rc = q ? run_query(&c, q, false) : (P.rc ? P.rc : RF_ERR_INVALID);
            rf__q_free(q);
        } else {
            rc = rf__p_error(&P, "expected a statement (SELECT, WITH, VALUES, CREATE TEMPORARY VIEW, CREATE TABLE, INSERT, DROP, CACHE TABLE, UNCACHE TABLE, SHOW TABLES, SHOW FUNCTIONS, DESCRIBE, SET, EXPLAIN)");
        }
        if (!rc && P.rc) rc = P.rc;
        if (!rc && P.cur.t != T_EOF && !rf__p_is(&P, ";")) rc = rf__p_error(&P, "expected ';' or the end of the statement");
        if (!rc && mode == RF_SQL_RUN && rf__stop_requested()) {   /* what ran is complete; nothing more starts */
            while (rf__p_accept(&P, ";")) {}
            if (P.cur.t != T_EOF) {
                rc = rf__stop_error();
                rf__err_set(rc, "%s before the statement at line %d (the statements before it completed)", rf__err_slot()->msg, P.cur.line);
            }
        }
        for (int i = 0; i < P.n_subs; i++) rf__q_free(P.subs[i]);
        P.n_subs = 0;
    }
    for (int i = 0; i < P.n_subs; i++) rf__q_free(P.subs[i]);
    rf_free(P.subs);
    rf__clock_thaw();
    rf__p_fini(&P);
    if (mode == RF_SQL_RUN && s->keep_views) {   /* the views rf_sql's statement made stay in the session */
        rf__sql_views_free(s);
        s->views = c.views;
        s->n_views = c.n_views;
        c.views = NULL;
        c.n_views = 0;
    }
    for (int i = 0; i < c.n_views; i++) view_fini(&c.views[i]);
    rf_free(c.views);
    rf_free(c.ctes);
    for (int i = 0; i < c.n_written; i++) rf_free(c.written[i]);
    rf_free(c.written);
    rf__sql_shadow_free(&c);
    return rc;
}

int rf__sql_run_script(rf_session *s, const char *text, size_t len, rf_outfmt fmt, FILE *out, bool explain_only)
{
    if (explain_only) return script_pass(s, text, len, RF_SQL_EXPLAIN, fmt, out);
    /* CHECK on a copy of the configuration (its SETs must not leak into the run), then RUN */
    rf_conf saved;
    int64_t keep = s->n_dfs;
    int rc = rf__conf_copy(&saved, &s->conf);
    if (rc) return rc;
    rc = script_pass(s, text, len, RF_SQL_CHECK, fmt, out);
    rf_conf checked = s->conf;
    s->conf = saved;
    for (int i = 0; i < checked.n_warned; i++) {   /* spark.* keys already warned about stay quiet */
        bool d = s->conf.driver;
        s->conf.driver = false;
        rf__conf_set(&s->conf, checked.warned[i], "");
        s->conf.driver = d;
    }
    rf__conf_fini(&checked);
    rf__df_free_from(s, keep);
    if (rc) return rc;
    rf__err_clear();
    return script_pass(s, text, len, RF_SQL_RUN, fmt, out);
}

void rf__sql_format_error(const rf_error *e, const char *text, size_t len, const char *file, FILE *f)
{
    fprintf(f, "riffle: error: %s\n", e->msg);
    if (e->line <= 0 || !text) return;
    const char *p = text, *end = text + len;
    for (int l = 1; l < e->line && p < end; p++) if (*p == '\n') l++;
    const char *eol = memchr(p, '\n', (size_t)(end - p));
    if (!eol) eol = end;
    /* a long line shows 60 bytes either side of the column, so the message stays readable */
    const char *from = p, *to = eol, *at = p + (e->col > 0 ? e->col - 1 : 0);
    if (at > eol) at = eol;
    if (at - from > 60) from = at - 60;
    if (to - at > 60) to = at + 60;
    bool cut_l = from > p, cut_r = to < eol;
    fprintf(f, "  at %s%sline %d, column %d:\n  %s", file ? file : "", file ? ": " : "", e->line, e->col, cut_l ? "..." : "");
    for (const char *q = from; q < to; q++) fputc((unsigned char)*q < 0x20 && *q != '\t' ? '?' : *q, f);
    fprintf(f, "%s\n  %s", cut_r ? "..." : "", cut_l ? "   " : "");
    for (const char *q = from; q < at; q++) fputc(*q == '\t' ? '\t' : ' ', f);
    fputs("^\n", f);
}

/* ---------------------------------------------------------------- SQL from C */
int rf_df_create_temp_view(rf_df *df, const char *name)
{
    if (!df) return RF_ERR_INVALID;
    rf_session *s = df->s;
    int rc = RF_OK;
    if (df->err) { rf__err_set(df->err, "%s", df->msg); rc = df->err; goto done; }
    if (!name || !*name) { rc = rf__err_set(RF_ERR_INVALID, "createOrReplaceTempView: no name"); goto done; }
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_')) {
            rc = rf__err_set(RF_ERR_INVALID, "createOrReplaceTempView: '%s' is not a name (letters, digits and '_')", name);
            goto done;
        }
    for (int i = 0; i < s->n_views; i++)
        if (!strcasecmp(s->views[i].name, name)) {
            s->views[i].df = df;
            RF_FREE(s->views[i].sfmt);
            RF_FREE(s->views[i].sopts);
            return RF_OK;
        }
    rf_sqlview *v = rf_realloc(s->views, (size_t)(s->n_views + 1) * sizeof *v);
    if (!v) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); goto done; }
    s->views = v;
    s->views[s->n_views] = (rf_sqlview){ .name = rf_strdup(name), .df = df };
    if (!s->views[s->n_views].name) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); goto done; }
    s->n_views++;
    return RF_OK;
done:
    s->err = *rf__err_slot();
    return rc;
}

/* The error in the slot with its SQL position in the message ("... at line L, column C of the SQL"). */
static rf_df *sql_fail(rf_session *s, int rc)
{
    rf_error *e = rf__err_slot();
    if (!rc) rc = e->code ? e->code : RF_ERR_INVALID;
    if (e->line > 0) {
        char pos[80];
        size_t l = strlen(e->msg);
        int k = snprintf(pos, sizeof pos, " (at line %d, column %d of the SQL)", e->line, e->col);
        if (k > 0 && l + (size_t)k < sizeof e->msg) memcpy(e->msg + l, pos, (size_t)k + 1);
    }
    s->err = *e;
    return rf__df_fail(s, rc);
}

rf_df *rf_sql(rf_session *s, const char *sql)
{
    if (!s) return NULL;
    if (!sql) { rf__err_set(RF_ERR_INVALID, "rf_sql: no SQL given"); return sql_fail(s, RF_ERR_INVALID); }
    rf__err_clear();
    rf_parser P;
    size_t len = strlen(sql);
    int rc = rf__p_init(&P, sql, len);
    if (rc) { rf__p_fini(&P); return sql_fail(s, rc); }
    while (rf__p_accept(&P, ";")) {}
    bool query = rf__p_is(&P, "SELECT") || rf__p_is(&P, "WITH") || rf__p_is(&P, "VALUES") || rf__p_is(&P, "(") || rf__p_is(&P, "FROM");
    if (!query) {   /* a statement: run it now, as a one-statement script (CHECK, then RUN) */
        rf__p_fini(&P);
        s->keep_views = true;
        rc = rf__sql_run_script(s, sql, len, RF_OUT_TABLE, stdout, false);
        s->keep_views = false;
        return rc ? sql_fail(s, rc) : rf__df_values(s, 0, 0, NULL, NULL);
    }
    rf_sqlctx c = { .s = s, .mode = RF_SQL_RUN, .out = stdout, .views = s->views, .n_views = s->n_views };
    c.one_row = rf__df_values(s, 1, 0, NULL, NULL);
    rf_df *d = NULL;
    q_select *q = rf__p_query(&P);
    if (q) {
        while (rf__p_accept(&P, ";")) {}
        if (P.cur.t != T_EOF) rc = rf__p_error(&P, "rf_sql takes one statement: expected the end of the SQL");
        else d = rf__sql_plan(&c, q);
    }
    if (!q || rc || !d) rc = P.rc ? P.rc : rf__err_slot()->code ? rf__err_slot()->code : RF_ERR_INVALID;
    for (int i = 0; i < P.n_subs; i++) rf__q_free(P.subs[i]);
    rf_free(P.subs);
    rf__q_free(q);
    rf__p_fini(&P);
    rf_free(c.ctes);
    return rc ? sql_fail(s, rc) : d;
}
