/*
 * catalog.c — tables that outlive a job: a file-based catalog under riffle.sql.warehouse.dir, and
 * the statements that use it (CREATE TABLE, INSERT INTO / OVERWRITE TABLE, DROP TABLE, SHOW TABLES,
 * DESCRIBE).
 *
 * Each table is one small text file <warehouse>/_riffle_catalog/<name>.table (key=value lines:
 * format, location, partition columns, schema, managed), replaced atomically (write, fsync,
 * rename), so a catalog entry is never half-written. A managed table's data lives in
 * <warehouse>/<name>; LOCATION makes an external table whose data DROP TABLE leaves alone. Data is
 * written by the ordinary writers, so every insert is staged and published by rename: a reader
 * sees the table before or after an insert, never during. Runs on the driver (rank 0).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "sql/parser.h"
#include "sql/planner.h"
#include "runtime/runtime.h"
#include "io/partition.h"

typedef struct rf_table {
    char *name, *format, *location, *partition_by, *schema;   /* partition_by "a,b"; schema "a int; b string" */
    bool  managed;
} rf_table;

static void table_fini(rf_table *t)
{
    rf_free(t->name); rf_free(t->format); rf_free(t->location); rf_free(t->partition_by); rf_free(t->schema);
    memset(t, 0, sizeof *t);
}

static const char *warehouse(rf_session *s) { return rf_conf_get(s, "riffle.sql.warehouse.dir"); }

static int entry_path(rf_session *s, const char *name, char *out, size_t cap)
{
    for (const char *p = name; *p; p++)
        if (!(*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            return rf__err_set(RF_ERR_INVALID, "table name '%s': use letters, digits and _", name);
    snprintf(out, cap, "%s/_riffle_catalog/%s.table", warehouse(s), name);
    for (char *p = out + strlen(out) - strlen(name) - 6; *p; p++) *p = (char)tolower((unsigned char)*p);
    return RF_OK;
}

/* 0 found, 1 not found, else an error. */
static int cat_get(rf_session *s, const char *name, rf_table *t)
{
    char path[4200], line[8192];
    memset(t, 0, sizeof *t);
    int rc = entry_path(s, name, path, sizeof path);
    if (rc) return rc;
    FILE *f = fopen(path, "r");
    if (!f) return errno == ENOENT ? 1 : rf__err_set(RF_ERR_IO, "%s: %s", path, strerror(errno));
    t->name = rf_strdup(name);
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *eq = strchr(line, '=');
        if (!eq) continue;
        *eq = '\0';
        const char *v = eq + 1;
        if (!strcmp(line, "format")) { rf_free(t->format); t->format = rf_strdup(v); }
        else if (!strcmp(line, "location")) { rf_free(t->location); t->location = rf_strdup(v); }
        else if (!strcmp(line, "partitioned_by")) { rf_free(t->partition_by); t->partition_by = rf_strdup(v); }
        else if (!strcmp(line, "schema")) { rf_free(t->schema); t->schema = rf_strdup(v); }
        else if (!strcmp(line, "managed")) t->managed = !strcmp(v, "true");
    }
    fclose(f);
    if (!t->format || !t->location || !t->schema) {
        table_fini(t);
        return rf__err_set(RF_ERR_INVALID, "%s: a damaged catalog entry (format, location and schema are required)", path);
    }
    if (!t->partition_by) t->partition_by = rf_strdup("");
    return RF_OK;
}

static int cat_put(rf_session *s, const rf_table *t)
{
    char path[4200], tmp[4300], dir[4200];
    int rc = entry_path(s, t->name, path, sizeof path);
    if (rc) return rc;
    snprintf(dir, sizeof dir, "%s/_riffle_catalog", warehouse(s));
    if ((rc = rf__mkdirs(dir))) return rc;
    snprintf(tmp, sizeof tmp, "%s/.%s.%d.tmp", dir, t->name, (int)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) return rf__err_set(RF_ERR_IO, "%s: cannot create: %s", tmp, strerror(errno));
    fprintf(f, "# riffle table (docs/FORMAT.md)\nname=%s\nformat=%s\nlocation=%s\npartitioned_by=%s\nschema=%s\nmanaged=%s\n",
            t->name, t->format, t->location, t->partition_by ? t->partition_by : "", t->schema, t->managed ? "true" : "false");
    bool ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok &= fclose(f) == 0;
    if (!ok || rename(tmp, path) != 0) { unlink(tmp); return rf__err_set(RF_ERR_IO, "%s: cannot write: %s", path, strerror(errno)); }
    int dfd = open(dir, O_RDONLY | O_CLOEXEC);
    if (dfd >= 0) { fsync(dfd); close(dfd); }
    return RF_OK;
}

/* Whether dir holds any data file (recursively, skipping hidden and _ names). */
static bool has_data(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return false;
    struct dirent *e;
    bool found = false;
    while (!found && (e = readdir(d))) {
        if (e->d_name[0] == '.' || e->d_name[0] == '_') continue;
        char p[4400];
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (stat(p, &st) != 0) continue;
        found = S_ISDIR(st.st_mode) ? has_data(p) : S_ISREG(st.st_mode);
    }
    closedir(d);
    return found;
}

/* The table's columns from its stored schema. */
static int table_schema(const rf_table *t, rf_schema **out)
{
    char *copy = rf_strdup(t->schema), *save = NULL;
    int n = 1, rc = RF_OK;
    if (!copy) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (char *p = copy; *p; p++) n += *p == ';';
    if ((rc = rf_schema_create(n, out))) { rf_free(copy); return rc; }
    int k = 0;
    for (char *it = strtok_r(copy, ";", &save); it && !rc; it = strtok_r(NULL, ";", &save)) {
        while (*it == ' ') it++;
        char *sp = strchr(it, ' ');
        rf_type ty;
        if (!sp || rf_type_parse(sp + 1, &ty)) { rc = rf__err_set(RF_ERR_INVALID, "table %s: bad schema entry '%s' in the catalog", t->name, it); break; }
        *sp = '\0';
        (*out)->f[k++] = (rf_field){ .name = rf_strdup(it), .type = ty, .nullable = true };
    }
    (*out)->n = k;
    rf_free(copy);
    if (rc) rf_schema_destroy(out);
    return rc;
}

/* The schema text a catalog entry keeps ("a int; b string"): s's columns with the partition
 * columns (pby) moved last, as Spark stores them. *out returned-owned. */
static int stored_schema(const rf_schema *s, const char *pby, char **out)
{
    int *pcols = NULL, np = 0, rc = rf__part_columns(s, pby, &pcols, &np);
    rf_buf b = { 0 };
    if (rc) return rc;
    for (int pass = 0; pass < 2 && !rc; pass++)   /* data columns, then partition columns in PARTITIONED BY order */
        for (int i = 0; i < (pass ? np : s->n) && !rc; i++) {
            int c = pass ? pcols[i] : i;
            bool part = false;
            for (int j = 0; !pass && j < np; j++) part |= pcols[j] == c;
            if (!part) rc = rf_buf_printf(&b, "%s%s %s", b.len ? "; " : "", s->f[c].name, rf_type_name(s->f[c].type));
        }
    rf_free(pcols);
    if (!rc) rc = rf_buf_put_u8(&b, 0);
    if (rc) { rf_buf_fini(&b); return rc; }
    *out = (char *)b.data;
    return RF_OK;
}

/* A DataFrame over the table's data, with its columns in table order and types. */
static rf_df *table_df(rf_sqlctx *c, const rf_table *t)
{
    rf_schema *ts = NULL;
    if (table_schema(t, &ts)) return NULL;
    rf_df *d = NULL;
    bool h5 = !strcasecmp(t->format, "hdf5"), empty = !has_data(t->location);
    if (empty) {   /* a table with no rows yet */
        rf_expr *none[1] = { NULL };
        d = rf__df_values(c->s, 0, 0, NULL, none);
    } else if (h5) {
        d = rf_read_hdf5(c->s, t->location);
    } else {
        rf_buf o = { 0 };
        rf_buf_printf(&o, "header=true,schema=");
        int np = 0;
        for (const char *p = t->partition_by; *p; p++) np += *p == ',';
        np += *t->partition_by ? 1 : 0;
        for (int i = 0; i < ts->n - np; i++) rf_buf_printf(&o, "%s%s %s", i ? "; " : "", ts->f[i].name, rf_type_name(ts->f[i].type));
        d = rf_read_csv(c->s, t->location, (const char *)o.data);
        rf_buf_fini(&o);
    }
    if (rf_df_status(d)) { rf_schema_destroy(&ts); return d; }
    rf_expr **items = rf_calloc((size_t)ts->n + 1, sizeof *items);
    for (int i = 0; items && i < ts->n; i++) {
        rf_expr *x = empty ? rf_lit_null() : rf_col(ts->f[i].name);
        items[i] = rf_as(rf_cast(x, ts->f[i].type), ts->f[i].name);
    }
    rf_df *r = items ? rf_df_selectv(d, ts->n, items) : NULL;
    rf_free(items);
    rf_schema_destroy(&ts);
    return r;
}

rf_df *rf__sql_table(rf_sqlctx *c, const char *name)
{
    rf_table t;
    int rc = cat_get(c->s, name, &t);
    if (rc) { if (rc == 1) rf__err_clear(); return NULL; }
    rf_df *d = table_df(c, &t);
    table_fini(&t);
    if (rf_df_status(d)) { rf__err_set(rf_df_status(d), "table %s: %s", name, rf_df_error(d)); return NULL; }
    return d;
}

static int err_tok(const rf_token *t, int code, const char *fmt, const char *a)
{
    rf__err_set(code, fmt, a);
    rf__err_at(t->line, t->col);
    return code;
}

/* Writes d into table t: mode append / overwrite; `subdir` (a PARTITION spec) or NULL. */
static int write_table(rf_sqlctx *c, const rf_table *t, rf_df *d, bool overwrite, const char *subdir)
{
    rf_buf o = { 0 }, path = { 0 };
    rf_buf_printf(&o, "mode=%s", overwrite ? "overwrite" : "append");
    if (!subdir && *t->partition_by) {
        rf_buf_printf(&o, ",partitionBy=");
        for (const char *p = t->partition_by; *p; p++) rf_buf_put_u8(&o, *p == ',' ? ';' : (uint8_t)*p);
    }
    rf_buf_put_u8(&o, 0);
    rf_buf_printf(&path, "%s%s%s", t->location, subdir ? "/" : "", subdir ? subdir : "");
    int rc = !strcasecmp(t->format, "hdf5") ? rf_df_write_hdf5(d, (const char *)path.data, (const char *)o.data)
                                              : rf_df_write_csv(d, (const char *)path.data, (const char *)o.data);
    if (rc) *rf__err_slot() = c->s->err;
    rf_buf_fini(&o);
    rf_buf_fini(&path);
    return rc;
}

/* The query's rows as the table's columns: by position, cast to the table's types. */
static rf_df *conform(rf_df *q, const rf_schema *ts, int first, int n, const rf_token *at)
{
    const rf_schema *qs = ((struct rf_df *)q)->plan->schema;
    if (qs->n != n) {
        rf__err_set(RF_ERR_ANALYSIS, "the query gives %d column(s) but the table expects %d", qs->n, n);
        rf__err_at(at->line, at->col);
        return NULL;
    }
    rf_expr **items = rf_calloc((size_t)n + 1, sizeof *items);
    if (!items) return NULL;
    for (int i = 0; i < n; i++) {
        rf_expr *x = rf__expr_col_attr(qs->f[i].id, qs->f[i].name, qs->f[i].type, true, i);
        if (x) x->resolved = false;
        items[i] = rf_as(rf_cast(x, ts->f[first + i].type), ts->f[first + i].name);
    }
    rf_df *r = rf_df_selectv(q, n, items);
    rf_free(items);
    if (rf_df_status(r)) { rf__err_set(rf_df_status(r), "%s", rf_df_error(r)); rf__err_at(at->line, at->col); return NULL; }
    return r;
}

/* CREATE TABLE [IF NOT EXISTS] t [(col TYPE, ...)] [USING hdf5|csv] [PARTITIONED BY (c, ...)]
 * [LOCATION 'path'] [AS query] — after CREATE TABLE. */
int rf__sql_create_table(rf_sqlctx *c, rf_parser *P)
{
    rf_table t = { 0 }, old;
    rf_schema *cols = NULL;
    rf_buf pb = { 0 };
    q_select *q = NULL;
    bool ifne = false;
    int rc = RF_OK;
    if (rf__p_accept(P, "IF")) {
        if ((rc = rf__p_expect(P, "NOT")) || (rc = rf__p_expect(P, "EXISTS"))) goto done;
        ifne = true;
    }
    rf_token nt = P->cur;
    if (!(t.name = rf__p_ident(P))) { rc = P->rc; goto done; }
    if (rf__p_accept(P, "(")) {
        rf_schema *s = NULL;
        int n = 0;
        if ((rc = rf_schema_create(256, &s))) goto done;
        cols = s;
        do {
            char *cn = rf__p_ident(P);
            rf_type ty;
            if (!cn) { rc = P->rc; goto done; }
            if (n == 256) { rf_free(cn); rc = rf__p_error(P, "too many columns"); goto done; }
            if ((rc = rf__p_type(P, &ty))) { rf_free(cn); goto done; }
            s->f[n++] = (rf_field){ .name = cn, .type = ty, .nullable = true };
            s->n = n;
        } while (rf__p_accept(P, ","));
        if ((rc = rf__p_expect(P, ")"))) goto done;
    }
    t.format = rf_strdup("hdf5");
    rf_token ft = P->cur;
    for (;;) {
        if (rf__p_accept(P, "USING")) {
            rf_free(t.format);
            ft = P->cur;
            if (!(t.format = rf__p_ident(P))) { rc = P->rc; goto done; }
            if (strcasecmp(t.format, "hdf5") && strcasecmp(t.format, "csv")) { rc = err_tok(&ft, RF_ERR_INVALID, "tables are stored as hdf5 or csv, not '%s'", t.format); goto done; }
            for (char *p = t.format; *p; p++) *p = (char)tolower((unsigned char)*p);
        } else if (rf__p_accept(P, "PARTITIONED")) {
            if ((rc = rf__p_expect(P, "BY")) || (rc = rf__p_expect(P, "("))) goto done;
            do {
                char *pc = rf__p_ident(P);
                if (!pc) { rc = P->rc; goto done; }
                rf_buf_printf(&pb, "%s%s", pb.len ? "," : "", pc);
                rf_free(pc);
            } while (rf__p_accept(P, ","));
            if ((rc = rf__p_expect(P, ")"))) goto done;
        } else if (rf__p_accept(P, "LOCATION")) {
            if (!(t.location = rf__p_string(P))) { rc = P->rc; goto done; }
        } else break;
    }
    if (rf__p_accept(P, "AS")) {
        if (!(q = rf__p_query(P))) { rc = P->rc; goto done; }
    }
    if (!q && !cols) { rc = err_tok(&nt, RF_ERR_INVALID, "CREATE TABLE %s needs columns or AS SELECT", t.name); goto done; }
    int found = cat_get(c->s, t.name, &old);
    if (found == 0) {
        table_fini(&old);
        if (ifne) goto done;
        rc = err_tok(&nt, RF_ERR_ANALYSIS, "table '%s' already exists (DROP TABLE it first, or CREATE TABLE IF NOT EXISTS)", t.name);
        goto done;
    }
    if (found != 1) { rc = found; goto done; }
    rf__err_clear();
    t.managed = !t.location;
    if (!t.location) {
        char loc[4400];
        snprintf(loc, sizeof loc, "%s/%s", warehouse(c->s), t.name);
        for (char *p = loc + strlen(loc) - strlen(t.name); *p; p++) *p = (char)tolower((unsigned char)*p);
        t.location = rf_strdup(loc);
        if (t.location && access(loc, F_OK) == 0 && has_data(loc)) {
            rc = err_tok(&nt, RF_ERR_INVALID, "the location of table '%s' already holds data that no catalog entry names", t.name);
            goto done;
        }
    }
    t.partition_by = rf_strdup(pb.len ? (const char *)pb.data : "");
    rf_df *d = NULL;
    if (q) {
        if (!(d = rf__sql_plan(c, q))) { rc = rf__err_slot()->code ? rf__err_slot()->code : RF_ERR_ANALYSIS; goto done; }
        if (cols) { if (!(d = conform(d, cols, 0, cols->n, &nt))) { rc = RF_ERR_ANALYSIS; goto done; } }
        if ((rc = stored_schema(((struct rf_df *)d)->plan->schema, t.partition_by, &t.schema))) { rf__err_at(nt.line, nt.col); goto done; }
        if ((rc = write_table(c, &t, d, true, NULL))) goto done;
    } else {
        if ((rc = stored_schema(cols, t.partition_by, &t.schema))) { rf__err_at(nt.line, nt.col); goto done; }
        if ((rc = rf__mkdirs(t.location))) goto done;
    }
    rc = cat_put(c->s, &t);
done:
    rf__q_free(q);
    rf_schema_destroy(&cols);
    rf_buf_fini(&pb);
    table_fini(&t);
    return rc ? rc : P->rc;
}

/* INSERT INTO [TABLE] t query | INSERT OVERWRITE TABLE t [PARTITION (c = 'v', ...)] query — after
 * INTO / OVERWRITE [TABLE]. */
int rf__sql_insert_table(rf_sqlctx *c, rf_parser *P, bool overwrite)
{
    rf_table t = { 0 };
    rf_schema *ts = NULL;
    rf_buf sub = { 0 };
    q_select *q = NULL;
    char *name = NULL;
    int rc = RF_OK, nfixed = 0;
    rf_token nt = P->cur;
    if (!(name = rf__p_ident(P))) { rc = P->rc; goto done; }
    int found = cat_get(c->s, name, &t);
    if (found == 1) { rc = err_tok(&nt, RF_ERR_ANALYSIS, "table '%s' not found (CREATE TABLE it first)", name); goto done; }
    if (found) { rc = found; goto done; }
    if ((rc = table_schema(&t, &ts))) goto done;
    int np = 0;
    for (const char *p = t.partition_by; *p; p++) np += *p == ',';
    np += *t.partition_by ? 1 : 0;
    if (rf__p_accept(P, "PARTITION")) {   /* static values: the rows go to that one partition */
        if ((rc = rf__p_expect(P, "("))) goto done;
        do {
            rf_token ct = P->cur;
            char *cn = rf__p_ident(P);
            if (!cn) { rc = P->rc; goto done; }
            int want = ts->n - np + nfixed;
            bool ok = want < ts->n && !strcasecmp(ts->f[want].name, cn);
            if (!ok) { rc = err_tok(&ct, RF_ERR_ANALYSIS, "PARTITION: '%s' is not the table's next partition column", cn); rf_free(cn); goto done; }
            if ((rc = rf__p_expect(P, "="))) { rf_free(cn); goto done; }
            char *v = NULL;
            if (P->cur.t == T_STRING) v = rf__p_string(P);
            else if (P->cur.t == T_INT || P->cur.t == T_IDENT) { v = rf_strndup(P->cur.p, (size_t)P->cur.len); rf__p_adv(P); }
            if (!v) { rf_free(cn); rc = rf__p_error(P, "expected a partition value"); goto done; }
            rf_buf_printf(&sub, "%s%s=", sub.len ? "/" : "", ts->f[want].name);
            rf__part_escape(v, strlen(v), &sub);
            rf_free(cn);
            rf_free(v);
            nfixed++;
        } while (rf__p_accept(P, ","));
        if ((rc = rf__p_expect(P, ")"))) goto done;
        if (nfixed != np) { rc = err_tok(&nt, RF_ERR_INVALID, "PARTITION must give a value for every partition column of '%s'", name); goto done; }
        rf_buf_put_u8(&sub, 0);
    }
    if (!(q = rf__p_query(P))) { rc = P->rc; goto done; }
    rf_df *d = rf__sql_plan(c, q);
    if (!d) { rc = rf__err_slot()->code ? rf__err_slot()->code : RF_ERR_ANALYSIS; goto done; }
    if (!(d = conform(d, ts, 0, ts->n - nfixed, &nt))) { rc = RF_ERR_ANALYSIS; goto done; }
    rc = write_table(c, &t, d, overwrite, nfixed ? (const char *)sub.data : NULL);
done:
    rf__q_free(q);
    rf_schema_destroy(&ts);
    rf_buf_fini(&sub);
    table_fini(&t);
    rf_free(name);
    return rc ? rc : P->rc;
}

/* DROP TABLE [IF EXISTS] t — after DROP TABLE. */
int rf__sql_drop_table(rf_sqlctx *c, rf_parser *P)
{
    rf_table t;
    bool ife = false;
    int rc;
    if (rf__p_accept(P, "IF")) { if ((rc = rf__p_expect(P, "EXISTS"))) return rc; ife = true; }
    rf_token nt = P->cur;
    char *name = rf__p_ident(P), path[4200];
    if (!name) return P->rc;
    int found = cat_get(c->s, name, &t);
    if (found == 1) {
        rf__err_clear();
        rc = ife ? RF_OK : err_tok(&nt, RF_ERR_ANALYSIS, "table '%s' not found", name);
        rf_free(name);
        return rc;
    }
    if (found) { rf_free(name); return found; }
    /* the entry goes first: a crash in between leaves data without an entry, never the reverse */
    rc = entry_path(c->s, name, path, sizeof path);
    if (!rc && unlink(path) != 0) rc = rf__err_set(RF_ERR_IO, "%s: %s", path, strerror(errno));
    if (!rc && t.managed && access(t.location, F_OK) == 0) rc = rf__rmtree(t.location);
    table_fini(&t);
    rf_free(name);
    return rc;
}

static int cmp_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* SHOW TABLES: the catalog's tables and the session's temporary views. */
int rf__sql_show_tables(rf_sqlctx *c, rf_df **out)
{
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/_riffle_catalog", warehouse(c->s));
    char **names = NULL;
    int64_t n = 0, cap = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (e->d_name[0] == '.' || l < 7 || strcmp(e->d_name + l - 6, ".table")) continue;
        if (rf__grow((void **)&names, &cap, n + 1, sizeof *names)) break;
        names[n++] = rf_strndup(e->d_name, l - 6);
    }
    if (d) closedir(d);
    if (n > 1) qsort(names, (size_t)n, sizeof *names, cmp_name);
    int64_t rows = n + c->n_views;
    rf_expr **lits = rf_calloc((size_t)rows * 3 + 1, sizeof *lits);
    for (int64_t i = 0; lits && i < rows; i++) {
        bool tmp = i >= n;
        lits[i * 3] = tmp ? rf_lit_str("") : rf_lit_str("default");
        lits[i * 3 + 1] = rf_lit_str(tmp ? c->views[i - n].name : names[i]);
        lits[i * 3 + 2] = rf_lit_bool(tmp);
    }
    for (int64_t i = 0; i < n; i++) rf_free(names[i]);
    rf_free(names);
    static const char *const cols[] = { "namespace", "tableName", "isTemporary" };
    *out = lits ? rf__df_values(c->s, rows, 3, cols, lits) : NULL;
    rf_free(lits);
    return *out ? RF_OK : rf__err_set(RF_ERR_NOMEM, "out of memory");
}

/* DESCRIBE [TABLE] [EXTENDED] name: col_name, data_type, comment. */
int rf__sql_describe(rf_sqlctx *c, rf_parser *P, rf_df **out)
{
    bool ext = rf__p_accept(P, "EXTENDED") || rf__p_accept(P, "FORMATTED");
    rf_token nt = P->cur;
    char *name = rf__p_ident(P);
    if (!name) return P->rc;
    rf_table t;
    int found = cat_get(c->s, name, &t), rc = RF_OK;
    rf_schema *s = NULL;
    const rf_schema *sv = NULL;
    if (found == 0) rc = table_schema(&t, &s);
    else if (found == 1) {
        rf__err_clear();
        rf_df *v = rf__sql_lookup(c, name);
        if (!v) { rf_free(name); return err_tok(&nt, RF_ERR_ANALYSIS, "table or view '%s' not found", nt.p ? name : ""); }
        sv = ((struct rf_df *)v)->plan->schema;
    } else { rf_free(name); return found; }
    const rf_schema *sc = s ? s : sv;
    int np = 0;
    if (found == 0) { for (const char *p = t.partition_by; *p; p++) np += *p == ','; np += *t.partition_by ? 1 : 0; }
    int64_t rows = sc->n + (np ? np + 2 : 0) + (ext && found == 0 ? 6 : 0), r = 0;
    rf_expr **l = rf_calloc((size_t)rows * 3 + 3, sizeof *l);
#define ROW(a, b, cm) do { l[r * 3] = rf_lit_str(a); l[r * 3 + 1] = (b) ? rf_lit_str(b) : rf_lit_null(); l[r * 3 + 2] = (cm) ? rf_lit_str(cm) : rf_lit_null(); r++; } while (0)
    for (int i = 0; l && i < sc->n; i++) ROW(sc->f[i].name, rf_type_name(sc->f[i].type), NULL);
    if (l && np) {
        ROW("# Partition Information", "", "");
        ROW("# col_name", "data_type", "comment");
        for (int i = sc->n - np; i < sc->n; i++) ROW(sc->f[i].name, rf_type_name(sc->f[i].type), NULL);
    }
    if (l && ext && found == 0) {
        ROW("", "", "");
        ROW("# Detailed Table Information", "", "");
        ROW("Table", t.name, "");
        ROW("Type", t.managed ? "MANAGED" : "EXTERNAL", "");
        ROW("Provider", t.format, "");
        ROW("Location", t.location, "");
    }
#undef ROW
    static const char *const cols[] = { "col_name", "data_type", "comment" };
    *out = l ? rf__df_values(c->s, r, 3, cols, l) : NULL;
    rf_free(l);
    rf_schema_destroy(&s);
    if (found == 0) table_fini(&t);
    rf_free(name);
    return rc ? rc : *out ? RF_OK : rf__err_set(RF_ERR_NOMEM, "out of memory");
}
