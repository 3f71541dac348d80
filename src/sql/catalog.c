/*
 * catalog.c — tables that outlive a job: a file-based catalog under riffle.sql.warehouse.dir, and
 * the statements that use it (CREATE TABLE, INSERT INTO / OVERWRITE TABLE, DROP TABLE, SHOW TABLES,
 * DESCRIBE).
 *
 * Each table is one small text file <warehouse>/_riffle_catalog/<name>.table (key=value lines:
 * format, location, partition columns, one line per column, managed), replaced atomically (write,
 * fsync, rename), so a catalog entry is never half-written. Every value is percent-encoded (control
 * bytes, space, '%', '=', ';', ','), so no column name or path can add a line or a field
 * (docs/FORMAT.md). A managed table's data lives in <warehouse>/<name>, and DROP TABLE deletes a
 * managed table's data only when its location really is a directory inside the warehouse; LOCATION
 * makes an external table whose data DROP TABLE leaves alone. Data is written by the ordinary
 * writers, so every insert is staged and published by rename: a reader sees the table before or
 * after an insert, never during. Runs on the driver (rank 0).
 *
 * In a script's CHECK pass (planner.h) nothing is written: CREATE / DROP TABLE are recorded as
 * shadow entries, which later statements of the same pass see instead of the catalog.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "sql/parser.h"
#include "sql/planner.h"
#include "runtime/runtime.h"
#include "io/partition.h"

typedef struct rf_table {
    char *name, *format, *location;
    char *partition_by;   /* "a,b": names percent-encoded (enc) */
    char *schema;         /* "a int; b string": names percent-encoded; NULL when unknown (a CHECK pass's deferred CTAS) */
    bool  managed;
} rf_table;

static void table_fini(rf_table *t)
{
    rf_free(t->name); rf_free(t->format); rf_free(t->location); rf_free(t->partition_by); rf_free(t->schema);
    memset(t, 0, sizeof *t);
}

static int table_copy(const rf_table *t, rf_table *o)
{
    memset(o, 0, sizeof *o);
    o->name = rf_strdup(t->name);
    o->format = rf_strdup(t->format);
    o->location = rf_strdup(t->location);
    o->partition_by = rf_strdup(t->partition_by ? t->partition_by : "");
    o->schema = t->schema ? rf_strdup(t->schema) : NULL;
    o->managed = t->managed;
    if (!o->name || !o->format || !o->location || !o->partition_by || (t->schema && !o->schema)) {
        table_fini(o);
        return rf__err_set(RF_ERR_NOMEM, "out of memory");
    }
    return RF_OK;
}

/* ---------------------------------------------------------------- encoding */
/* Percent-encodes s[0..n) so it holds no byte that separates lines, keys, columns or names. */
static int enc(const char *s, size_t n, rf_buf *out)
{
    int rc = RF_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        unsigned char c = (unsigned char)s[i];
        rc = (c <= ' ' || c == 0x7f || strchr("%=;,", c)) ? rf_buf_printf(out, "%%%02X", c) : rf_buf_put_u8(out, c);
    }
    return rc;
}

static int hexv(char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; }

/* Decodes s[0..n) (returned-owned); NULL for a malformed escape or an encoded NUL. */
static char *dec(const char *s, size_t n)
{
    char *o = rf_malloc(n + 1);
    size_t k = 0;
    if (!o) return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '%') { o[k++] = s[i]; continue; }
        int hi = i + 2 < n ? hexv(s[i + 1]) : -1, lo = i + 2 < n ? hexv(s[i + 2]) : -1;
        if (hi < 0 || lo < 0 || (hi | lo) == 0) { rf_free(o); return NULL; }
        o[k++] = (char)(hi << 4 | lo);
        i += 2;
    }
    o[k] = '\0';
    return o;
}

/* ---------------------------------------------------------------- shadow entries (CHECK pass) */
typedef struct rf_shadow {
    bool     dropped;   /* DROP TABLE earlier in the script */
    rf_table t;         /* otherwise: the entry CREATE TABLE made (t.name set in both cases) */
} rf_shadow;

void rf__sql_shadow_free(rf_sqlctx *c)
{
    for (int i = 0; i < c->n_shadow; i++) table_fini(&c->shadow[i].t);
    RF_FREE(c->shadow);
    c->n_shadow = 0;
}

static int shadow_put(rf_sqlctx *c, const char *name, const rf_table *t)
{
    rf_shadow *v = rf_realloc(c->shadow, (size_t)(c->n_shadow + 1) * sizeof *v);
    if (!v) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    c->shadow = v;
    rf_shadow *e = &c->shadow[c->n_shadow];
    memset(e, 0, sizeof *e);
    e->dropped = t == NULL;
    int rc = t ? table_copy(t, &e->t) : RF_OK;
    if (!rc && !t && !(e->t.name = rf_strdup(name))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    if (rc) { table_fini(&e->t); return rc; }
    c->n_shadow++;
    return RF_OK;
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

/* Reads the entry's file: version 2 (percent-encoded values, a column= line per column) or the
 * first version (raw values, one schema= line). 0 found, 1 not found, else an error. */
static int cat_get(rf_session *s, const char *name, rf_table *t)
{
    char path[4200];
    memset(t, 0, sizeof *t);
    int rc = entry_path(s, name, path, sizeof path), version = 1;
    if (rc) return rc;
    FILE *f = fopen(path, "r");
    if (!f) return errno == ENOENT ? 1 : rf__err_set(RF_ERR_IO, "%s: %s", path, strerror(errno));
    rf_buf sch = { 0 }, line = { 0 };
    bool bad = false;
    t->name = rf_strdup(name);
    for (int ch = 0; ch != EOF && !bad;) {
        line.len = 0;
        while ((ch = fgetc(f)) != EOF && ch != '\n') if (rf_buf_put_u8(&line, (uint8_t)ch)) { bad = true; break; }
        if (bad || rf_buf_put_u8(&line, 0)) { bad = true; break; }
        char *l = (char *)line.data, *eq = strchr(l, '=');
        if (l[0] == '#' || !eq) { bad = l[0] && l[0] != '#'; continue; }
        *eq = '\0';
        const char *v = eq + 1;
        size_t vn = strlen(v);
        if (!strcmp(l, "version")) { version = atoi(v); bad = version < 1 || version > 2; continue; }
        char *val = version >= 2 ? dec(v, vn) : rf_strdup(v);
        if (!val) { bad = true; break; }
        if (!strcmp(l, "format")) { rf_free(t->format); t->format = val; val = NULL; }
        else if (!strcmp(l, "location")) { rf_free(t->location); t->location = val; val = NULL; }
        else if (!strcmp(l, "partitioned_by")) {   /* v2: each name encoded, ',' between; v1: raw, ',' between */
            rf_free(t->partition_by);
            t->partition_by = version >= 2 ? rf_strdup(v) : NULL;
            if (version < 2) {
                rf_buf pb = { 0 };
                char *save = NULL, *copy = rf_strdup(v);
                for (char *it = copy ? strtok_r(copy, ",", &save) : NULL; it; it = strtok_r(NULL, ",", &save))
                    if ((pb.len && rf_buf_put_u8(&pb, ',')) || enc(it, strlen(it), &pb)) bad = true;
                rf_free(copy);
                if (!bad && !rf_buf_put_u8(&pb, 0)) t->partition_by = (char *)pb.data; else rf_buf_fini(&pb);
            }
        } else if (!strcmp(l, "column") && version >= 2) {   /* encoded name, then ' ' and the type */
            const char *sp = strchr(v, ' ');
            if (!sp || rf_buf_printf(&sch, "%s%.*s %s", sch.len ? "; " : "", (int)(sp - v), v, sp + 1)) bad = true;
        } else if (!strcmp(l, "schema") && version < 2) {   /* "a int; b string" with raw names */
            char *save = NULL;
            for (char *it = strtok_r(val, ";", &save); it && !bad; it = strtok_r(NULL, ";", &save)) {
                while (*it == ' ') it++;
                char *sp = strchr(it, ' ');
                if (!sp) { bad = true; break; }
                if ((sch.len && rf_buf_printf(&sch, "; ")) || enc(it, (size_t)(sp - it), &sch) || rf_buf_printf(&sch, "%s", sp)) bad = true;
            }
        } else if (!strcmp(l, "managed")) t->managed = !strcmp(v, "true");
        rf_free(val);
    }
    fclose(f);
    rf_buf_fini(&line);
    if (!bad && sch.len && !rf_buf_put_u8(&sch, 0)) { t->schema = (char *)sch.data; sch.data = NULL; }
    rf_buf_fini(&sch);
    if (bad || !t->format || !t->location || !t->schema) {
        table_fini(t);
        return rf__err_set(RF_ERR_INVALID, "%s: a damaged catalog entry (format, location and columns are required)", path);
    }
    if (!t->partition_by) t->partition_by = rf_strdup("");
    return t->partition_by ? RF_OK : rf__err_set(RF_ERR_NOMEM, "out of memory");
}

static int cat_put(rf_session *s, const rf_table *t)
{
    char path[4200], dir[4200];
    int rc = entry_path(s, t->name, path, sizeof path);
    if (rc) return rc;
    snprintf(dir, sizeof dir, "%s/_riffle_catalog", warehouse(s));
    if ((rc = rf__mkdirs(dir))) return rc;
    rf_buf b = { 0 };
    rc = rf_buf_printf(&b, "# riffle table (docs/FORMAT.md)\nversion=2\nname=");
    if (!rc) rc = enc(t->name, strlen(t->name), &b);
    if (!rc) rc = rf_buf_printf(&b, "\nformat=");
    if (!rc) rc = enc(t->format, strlen(t->format), &b);
    if (!rc) rc = rf_buf_printf(&b, "\nlocation=");
    if (!rc) rc = enc(t->location, strlen(t->location), &b);
    if (!rc) rc = rf_buf_printf(&b, "\npartitioned_by=%s\nmanaged=%s\n", t->partition_by ? t->partition_by : "", t->managed ? "true" : "false");
    char *copy = t->schema ? rf_strdup(t->schema) : NULL, *save = NULL;   /* already encoded names: "a int; b string" */
    if (!rc && !copy) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (char *it = copy ? strtok_r(copy, ";", &save) : NULL; it && !rc; it = strtok_r(NULL, ";", &save)) {
        while (*it == ' ') it++;
        rc = rf_buf_printf(&b, "column=%s\n", it);
    }
    rf_free(copy);
    if (rc) { rf_buf_fini(&b); return rc; }
    rc = rf__write_file_atomic(path, b.data, b.len);
    rf_buf_fini(&b);
    return rc;
}

/* The table entry: the script's own CREATE / DROP first (CHECK pass), then the catalog. *shadow
 * says the entry is one the script creates. 0 found, 1 not found, else an error. */
static int lookup(rf_sqlctx *c, const char *name, rf_table *t, bool *shadow)
{
    *shadow = false;
    memset(t, 0, sizeof *t);
    for (int i = c->n_shadow - 1; i >= 0; i--)
        if (!strcasecmp(c->shadow[i].t.name, name)) {
            if (c->shadow[i].dropped) return 1;
            *shadow = true;
            return table_copy(&c->shadow[i].t, t);
        }
    return cat_get(c->s, name, t);
}

/* Whether a managed table's location is a directory strictly inside the warehouse (and not its
 * catalog): the one place DROP TABLE may delete. */
static bool inside_warehouse(rf_session *s, const char *loc)
{
    char w[PATH_MAX], l[PATH_MAX], cat[PATH_MAX + 32];
    if (!realpath(warehouse(s), w) || !realpath(loc, l)) return false;
    size_t n = strlen(w);
    snprintf(cat, sizeof cat, "%s/_riffle_catalog", w);
    return strncmp(l, w, n) == 0 && l[n] == '/' && l[n + 1] && strncmp(l, cat, strlen(cat)) != 0;
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
    if (!t->schema) return rf__err_set(RF_ERR_INVALID, "table %s: the columns are not known yet", t->name);
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
        char *nm = dec(it, strlen(it));
        if (!nm) { rc = rf__err_set(RF_ERR_INVALID, "table %s: bad column name '%s' in the catalog", t->name, it); break; }
        (*out)->f[k++] = (rf_field){ .name = nm, .type = ty, .nullable = true };
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
            if (part) continue;
            if (b.len) rc = rf_buf_printf(&b, "; ");
            if (!rc) rc = enc(s->f[c].name, strlen(s->f[c].name), &b);
            if (!rc) rc = rf_buf_printf(&b, " %s", rf_type_name(s->f[c].type));
        }
    rf_free(pcols);
    if (!rc) rc = rf_buf_put_u8(&b, 0);
    if (rc) { rf_buf_fini(&b); return rc; }
    *out = (char *)b.data;
    return RF_OK;
}

/* How many partition columns t has. */
static int n_partcols(const rf_table *t)
{
    int np = *t->partition_by ? 1 : 0;
    for (const char *p = t->partition_by; *p; p++) np += *p == ',';
    return np;
}

/* The writer's partitionBy option value: t's partition column names, decoded, ';' between. */
static int partby_option(const rf_table *t, rf_buf *o)
{
    char *copy = rf_strdup(t->partition_by), *save = NULL;
    int rc = copy ? RF_OK : rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (char *it = copy ? strtok_r(copy, ",", &save) : NULL; it && !rc; it = strtok_r(NULL, ",", &save)) {
        char *nm = dec(it, strlen(it));
        if (!nm) rc = rf__err_set(RF_ERR_INVALID, "table %s: bad partition column in the catalog", t->name);
        else rc = rf_buf_printf(o, "%s%s", o->len && o->data[o->len - 1] != '=' ? ";" : "", nm);
        rf_free(nm);
    }
    rf_free(copy);
    return rc;
}

/* A DataFrame over the table's data, with its columns in table order and types. Columns are
 * matched by attribute (CSV files by position, HDF5 files by their stored names), never by parsing
 * a name. `placeholder`: no data is read (an empty relation of the table's type: what a CHECK pass
 * analyzes a table the script creates against). */
static rf_df *table_df(rf_sqlctx *c, const rf_table *t, bool placeholder)
{
    rf_schema *ts = NULL;
    if (table_schema(t, &ts)) return NULL;
    rf_df *d = NULL;
    int np = n_partcols(t);
    bool h5 = !strcasecmp(t->format, "hdf5"), empty = placeholder || !has_data(t->location);
    if (empty) {   /* a table with no rows yet */
        rf_expr *none[1] = { NULL };
        d = rf__df_values(c->s, 0, 0, NULL, none);
    } else if (h5) {
        d = rf_read_hdf5(c->s, t->location);
    } else {   /* positional names: the table's own names may hold any character */
        rf_buf o = { 0 };
        rf_buf_printf(&o, "header=true,schema=");
        for (int i = 0; i < ts->n - np; i++) rf_buf_printf(&o, "%s_c%d %s", i ? "; " : "", i, rf_type_name(ts->f[i].type));
        d = rf_read_csv(c->s, t->location, (const char *)o.data);
        rf_buf_fini(&o);
    }
    if (rf_df_status(d)) { rf_schema_destroy(&ts); return d; }
    const rf_schema *ds = ((struct rf_df *)d)->plan->schema;
    rf_expr **items = rf_calloc((size_t)ts->n + 1, sizeof *items);
    int rc = items ? RF_OK : rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int i = 0; !rc && i < ts->n; i++) {
        rf_expr *x = NULL;
        if (empty) x = rf_lit_null();
        else {
            int j = -1;
            if (!h5 && i < ts->n - np) j = i;
            else for (int k = 0; k < ds->n && j < 0; k++) if (!strcmp(ds->f[k].name, ts->f[i].name)) j = k;
            if (j < 0 || j >= ds->n) { rc = rf__err_set(RF_ERR_INVALID, "table %s: column '%s' is missing from its files in %s", t->name, ts->f[i].name, t->location); break; }
            if ((x = rf__expr_col_attr(ds->f[j].id, ds->f[j].name, ds->f[j].type, true, j))) x->resolved = false;
        }
        items[i] = rf_as(rf_cast(x, ts->f[i].type), ts->f[i].name);
    }
    rf_df *r = NULL;
    if (!rc) r = rf_df_selectv(d, ts->n, items);
    else for (int i = 0; items && i < ts->n; i++) rf_expr_destroy(&items[i]);
    rf_free(items);
    rf_schema_destroy(&ts);
    return r;
}

rf_df *rf__sql_table(rf_sqlctx *c, const char *name)
{
    rf_table t;
    bool shadow;
    int rc = lookup(c, name, &t, &shadow);
    if (rc) { if (rc == 1) rf__err_clear(); return NULL; }
    rf_df *d = NULL;
    if (shadow && !t.schema) {   /* CREATE TABLE ... AS over a relation of the same kind */
        char what[512];
        snprintf(what, sizeof what, "table %.400s", name);
        d = rf__df_deferred(c->s, what);
        table_fini(&t);
        rf__err_set(RF_ERR_DEFERRED, "%s", rf_df_error(d));
        return d;
    }
    d = table_df(c, &t, shadow);
    table_fini(&t);
    if (!d) return NULL;
    if (rf_df_status(d)) { rf__err_set(rf_df_status(d), "table %s: %s", name, rf_df_error(d)); return NULL; }
    return d;
}

static int err_tok(const rf_token *t, int code, const char *fmt, const char *a)
{
    rf__err_set(code, fmt, a);
    rf__err_at(t->line, t->col);
    return code;
}

/* Writes d into table t: mode append / overwrite; `subdir` (a PARTITION spec) or NULL. In a
 * CHECK pass only checks (and EXPLAIN prints) what the write would do. */
static int write_table(rf_sqlctx *c, const rf_table *t, rf_df *d, bool overwrite, const char *subdir, const char *what)
{
    rf_buf o = { 0 }, path = { 0 };
    int rc = rf_buf_printf(&o, "mode=%s", overwrite ? "overwrite" : "append");
    if (!rc && !subdir && *t->partition_by) {
        rc = rf_buf_printf(&o, ",partitionBy=");
        if (!rc) rc = partby_option(t, &o);
    }
    if (!rc) rc = rf_buf_put_u8(&o, 0);
    if (!rc) rc = rf_buf_printf(&path, "%s%s%s", t->location, subdir ? "/" : "", subdir ? subdir : "");
    bool h5 = !strcasecmp(t->format, "hdf5");
    if (!rc && c->mode != RF_SQL_RUN) {
        rc = rf__df_write_check(d, h5, (const char *)path.data, (const char *)o.data);
        if (rc) *rf__err_slot() = c->s->err;
        else if (c->mode == RF_SQL_EXPLAIN) rc = rf__sql_check_df(c, d, what);
    } else if (!rc) {
        rc = h5 ? rf_df_write_hdf5(d, (const char *)path.data, (const char *)o.data) : rf_df_write_csv(d, (const char *)path.data, (const char *)o.data);
        if (rc) *rf__err_slot() = c->s->err;
    }
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

/* Whether a failed analysis only waits for earlier statements (a CHECK pass): no error then. */
static bool deferred(rf_sqlctx *c)
{
    if (c->mode == RF_SQL_RUN || rf__err_slot()->code != RF_ERR_DEFERRED) return false;
    rf__err_clear();
    return true;
}

/* CREATE TABLE [IF NOT EXISTS] t [(col TYPE, ...)] [USING hdf5|csv] [PARTITIONED BY (c, ...)]
 * [LOCATION 'path'] [AS query] — after CREATE TABLE. */
int rf__sql_create_table(rf_sqlctx *c, rf_parser *P)
{
    rf_table t = { 0 }, old;
    rf_schema *cols = NULL;
    rf_buf pb = { 0 }, pbe = { 0 };
    q_select *q = NULL;
    bool ifne = false, shadow = false;
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
            if (n == 256) { rf_free(cn); rc = rf__p_error(P, "too many columns (256 at most in a column list)"); goto done; }
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
                rf_token pt = P->cur;
                char *pc = rf__p_ident(P);
                if (!pc) { rc = P->rc; goto done; }
                if (!*pc || strpbrk(pc, ",; ")) { rc = err_tok(&pt, RF_ERR_INVALID, "partition column '%s': a partition column's name may not be empty or hold ',', ';' or a space", pc); rf_free(pc); goto done; }
                rf_buf_printf(&pb, "%s%s", pb.len ? "," : "", pc);
                if (pbe.len) rf_buf_put_u8(&pbe, ',');
                enc(pc, strlen(pc), &pbe);
                rf_free(pc);
            } while (rf__p_accept(P, ","));
            if ((rc = rf__p_expect(P, ")"))) goto done;
        } else if (rf__p_accept(P, "LOCATION")) {
            rf_token lt = P->cur;
            if (!(t.location = rf__p_string(P))) { rc = P->rc; goto done; }
            if (!*t.location) { rc = err_tok(&lt, RF_ERR_INVALID, "LOCATION '%s' is empty", ""); goto done; }
        } else break;
    }
    if (rf__p_accept(P, "AS")) {
        if (!(q = rf__p_query(P))) { rc = P->rc; goto done; }
    }
    if (!q && !cols) { rc = err_tok(&nt, RF_ERR_INVALID, "CREATE TABLE %s needs columns or AS SELECT", t.name); goto done; }
    int found = lookup(c, t.name, &old, &shadow);
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
        bool dropped_here = false;   /* a DROP TABLE earlier in the script removes what is there */
        for (int i = 0; i < c->n_shadow; i++) if (c->shadow[i].dropped && !strcasecmp(c->shadow[i].t.name, t.name)) dropped_here = true;
        if (t.location && !dropped_here && access(loc, F_OK) == 0 && has_data(loc)) {
            rc = err_tok(&nt, RF_ERR_INVALID, "the location of table '%s' already holds data that no catalog entry names", t.name);
            goto done;
        }
    }
    if (!t.location) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); goto done; }
    t.partition_by = rf_strndup(pbe.len ? (const char *)pbe.data : "", pbe.len);
    rf_df *d = NULL;
    char what[4400];
    snprintf(what, sizeof what, "CREATE TABLE %.200s AS (writes %.4000s)", t.name, t.location);
    if (c->mode != RF_SQL_RUN && (rc = rf__sql_note_write(c, t.location))) goto done;
    if (q) {
        d = rf__sql_plan(c, q);
        if (!d && deferred(c)) { rc = shadow_put(c, t.name, &t); goto done; }   /* columns known when it runs */
        if (!d) { rc = rf__err_slot()->code ? rf__err_slot()->code : RF_ERR_ANALYSIS; goto done; }
        if (cols) { if (!(d = conform(d, cols, 0, cols->n, &nt))) { rc = RF_ERR_ANALYSIS; goto done; } }
        if ((rc = stored_schema(((struct rf_df *)d)->plan->schema, pb.data ? (const char *)pb.data : "", &t.schema))) { rf__err_at(nt.line, nt.col); goto done; }
        if ((rc = write_table(c, &t, d, true, NULL, what))) goto done;
    } else {
        if ((rc = stored_schema(cols, pb.data ? (const char *)pb.data : "", &t.schema))) { rf__err_at(nt.line, nt.col); goto done; }
        if (c->mode == RF_SQL_RUN && (rc = rf__mkdirs(t.location))) goto done;
    }
    rc = c->mode == RF_SQL_RUN ? cat_put(c->s, &t) : shadow_put(c, t.name, &t);
done:
    rf__q_free(q);
    rf_schema_destroy(&cols);
    rf_buf_fini(&pb);
    rf_buf_fini(&pbe);
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
    bool shadow;
    int rc = RF_OK, nfixed = 0;
    rf_kvlist opts = { 0 };
    rf_token nt = P->cur;
    if (!(name = rf__p_ident(P))) { rc = P->rc; goto done; }
    int found = lookup(c, name, &t, &shadow);
    if (found == 1) { rc = err_tok(&nt, RF_ERR_ANALYSIS, "table '%s' not found (CREATE TABLE it first)", name); goto done; }
    if (found) { rc = found; goto done; }
    if (c->mode != RF_SQL_RUN && (rc = rf__sql_note_write(c, t.location))) goto done;
    if (shadow && !t.schema) {   /* its columns are known when the script runs: parse only */
        if (rf__p_accept(P, "PARTITION")) {
            if ((rc = rf__p_expect(P, "("))) goto done;
            while (P->cur.t != T_EOF && !rf__p_is(P, ")")) rf__p_adv(P);
            if ((rc = rf__p_expect(P, ")"))) goto done;
        }
        if (!(q = rf__p_query(P))) rc = P->rc;
        goto done;
    }
    if ((rc = table_schema(&t, &ts))) goto done;
    int np = n_partcols(&t);
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
            if (sub.len) rf_buf_put_u8(&sub, '/');
            rf__part_escape(ts->f[want].name, strlen(ts->f[want].name), &sub);   /* names escape like values */
            rf_buf_put_u8(&sub, '=');
            rf__part_escape(v, strlen(v), &sub);
            rf_free(cn);
            rf_free(v);
            nfixed++;
        } while (rf__p_accept(P, ","));
        if ((rc = rf__p_expect(P, ")"))) goto done;
        if (nfixed != np) { rc = err_tok(&nt, RF_ERR_INVALID, "PARTITION must give a value for every partition column of '%s'", name); goto done; }
        if ((rc = rf_buf_put_u8(&sub, 0))) goto done;
    }
    rf_token ot = P->cur;
    if (!overwrite && rf__p_accept(P, "OPTIONS") && (rc = rf__p_options(P, &opts))) goto done;   /* a streaming query's */
    if (!(q = rf__p_query(P))) { rc = P->rc; goto done; }
    rf_df *d = rf__sql_plan(c, q);
    if (!d && deferred(c)) goto done;
    if (!d) { rc = rf__err_slot()->code ? rf__err_slot()->code : RF_ERR_ANALYSIS; goto done; }
    bool stream = !rf_df_status(d) && rf__plan_has_stream(((struct rf_df *)d)->plan);
    if (stream && (overwrite || np)) {
        rc = err_tok(&nt, RF_ERR_ANALYSIS, "a streaming query is written with INSERT INTO TABLE %s OPTIONS (checkpointLocation '...'), into a table without partitions", name);
        goto done;
    }
    if (!stream && opts.n) { rc = err_tok(&ot, RF_ERR_ANALYSIS, "INSERT INTO TABLE %s OPTIONS: options are for a streaming query (FROM STREAM v)", name); goto done; }
    if (!(d = conform(d, ts, 0, ts->n - nfixed, &nt))) { rc = RF_ERR_ANALYSIS; goto done; }
    if (stream) { rc = rf__sql_insert_stream(c, d, t.location, t.format, &opts, nt.line, nt.col); goto done; }
    char what[4400];
    snprintf(what, sizeof what, "INSERT %s TABLE %.200s (writes %.4000s)", overwrite ? "OVERWRITE" : "INTO", name, t.location);
    rc = write_table(c, &t, d, overwrite, nfixed ? (const char *)sub.data : NULL, what);
done:
    rf__q_free(q);
    rf_schema_destroy(&ts);
    rf_buf_fini(&sub);
    rf__kv_free(&opts);
    table_fini(&t);
    rf_free(name);
    return rc ? rc : P->rc;
}

/* DROP TABLE [IF EXISTS] t — after DROP TABLE. */
int rf__sql_drop_table(rf_sqlctx *c, rf_parser *P)
{
    rf_table t;
    bool ife = false, shadow;
    int rc;
    if (rf__p_accept(P, "IF")) { if ((rc = rf__p_expect(P, "EXISTS"))) return rc; ife = true; }
    rf_token nt = P->cur;
    char *name = rf__p_ident(P), path[4200];
    if (!name) return P->rc;
    int found = lookup(c, name, &t, &shadow);
    if (found == 1) {
        rf__err_clear();
        rc = ife ? RF_OK : err_tok(&nt, RF_ERR_ANALYSIS, "table '%s' not found", name);
        rf_free(name);
        return rc;
    }
    if (found) { rf_free(name); return found; }
    if (c->mode != RF_SQL_RUN) {
        rc = t.managed ? rf__sql_note_write(c, t.location) : RF_OK;
        if (!rc) rc = shadow_put(c, name, NULL);
        table_fini(&t);
        rf_free(name);
        return rc;
    }
    /* a managed table's data is deleted only where it must be: a directory inside the warehouse */
    bool del = t.managed && access(t.location, F_OK) == 0;
    if (del && !inside_warehouse(c->s, t.location)) {
        rc = err_tok(&nt, RF_ERR_INVALID, "table '%s': its catalog entry says it is managed but its location is not inside the warehouse; nothing deleted", name);
        table_fini(&t);
        rf_free(name);
        return rc;
    }
    /* the entry goes first: a crash in between leaves data without an entry, never the reverse */
    rc = entry_path(c->s, name, path, sizeof path);
    if (!rc && unlink(path) != 0) rc = rf__err_set(RF_ERR_IO, "%s: %s", path, strerror(errno));
    if (!rc && del) rc = rf__rmtree(t.location);
    table_fini(&t);
    rf_free(name);
    return rc;
}

static int cmp_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* SHOW TABLES: the catalog's tables and the session's temporary views. */
int rf__sql_show_tables(rf_sqlctx *c, rf_df **out)
{
    *out = NULL;
    if (c->mode != RF_SQL_RUN) return RF_OK;
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
        if (!(names[n] = rf_strndup(e->d_name, l - 6))) break;
        n++;
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

/* Whether name matches a SHOW FUNCTIONS pattern: '*' any run, '|' alternatives, case-insensitive. */
static bool fn_match(const char *name, const char *pat)
{
    while (*pat) {
        const char *end = strchr(pat, '|');
        size_t pl = end ? (size_t)(end - pat) : strlen(pat);
        const char *n = name, *p = pat, *star = NULL, *mark = NULL;
        while (*n) {
            if (p < pat + pl && *p == '*') { star = p++; mark = n; }
            else if (p < pat + pl && tolower((unsigned char)*p) == tolower((unsigned char)*n)) { p++; n++; }
            else if (star) { p = star + 1; n = ++mark; }
            else break;
        }
        while (p < pat + pl && *p == '*') p++;
        if (!*n && p == pat + pl) return true;
        if (!end) break;
        pat = end + 1;
    }
    return false;
}

/* SHOW FUNCTIONS [LIKE 'pattern']: the built-in scalar, aggregate and window functions, sorted. */
int rf__sql_show_functions(rf_sqlctx *c, rf_parser *P, rf_df **out)
{
    char *pat = NULL;
    *out = NULL;
    if (rf__p_accept(P, "LIKE") || P->cur.t == T_STRING) {
        if (!(pat = rf__p_string(P))) return P->rc ? P->rc : RF_ERR_INVALID;
    }
    if (c->mode != RF_SQL_RUN) { rf_free(pat); return RF_OK; }
    static const char *const windows[] = { "row_number", "rank", "dense_rank", "lag", "lead", "first_value", "last_value", "nth_value" };
    const char **names = rf_calloc(RF_F_COUNT_ + RF_A_COUNT_ + 16, sizeof *names);
    int64_t n = 0;
    for (int i = 0; names && i < RF_F_COUNT_; i++) {
        const char *f = rf__func_name(i);
        if (f[0] != '_' && (!pat || fn_match(f, pat))) names[n++] = f;
    }
    for (int i = 0; names && i < RF_A_COUNT_; i++) if (!pat || fn_match(rf__agg_name(i), pat)) names[n++] = rf__agg_name(i);
    for (size_t i = 0; names && i < sizeof windows / sizeof windows[0]; i++) if (!pat || fn_match(windows[i], pat)) names[n++] = windows[i];
    rf_free(pat);
    if (!names) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    qsort(names, (size_t)n, sizeof *names, cmp_name);
    rf_expr **lits = rf_calloc((size_t)n + 1, sizeof *lits);
    int64_t m = 0;
    for (int64_t i = 0; lits && i < n; i++) if (!m || strcmp(names[i], names[i - 1])) lits[m++] = rf_lit_str(names[i]);
    rf_free(names);
    static const char *const cols[] = { "function" };
    *out = lits ? rf__df_values(c->s, m, 1, cols, lits) : NULL;
    rf_free(lits);
    return *out ? RF_OK : rf__err_set(RF_ERR_NOMEM, "out of memory");
}

/* DESCRIBE [TABLE] [EXTENDED] name: col_name, data_type, comment. */
int rf__sql_describe(rf_sqlctx *c, rf_parser *P, rf_df **out)
{
    bool ext = rf__p_accept(P, "EXTENDED") || rf__p_accept(P, "FORMATTED"), shadow;
    rf_token nt = P->cur;
    char *name = rf__p_ident(P);
    *out = NULL;
    if (!name) return P->rc;
    rf_table t;
    int found = lookup(c, name, &t, &shadow), rc = RF_OK;
    rf_schema *s = NULL;
    const rf_schema *sv = NULL;
    if (found == 0) {
        if (shadow && !t.schema) { table_fini(&t); rf_free(name); return RF_OK; }   /* CHECK: known when it runs */
        if ((rc = table_schema(&t, &s))) { table_fini(&t); rf_free(name); rf__err_at(nt.line, nt.col); return rc; }
    } else if (found == 1) {
        rf__err_clear();
        rf_df *v = rf__sql_lookup(c, name);
        if (!v) { rf_free(name); return err_tok(&nt, RF_ERR_ANALYSIS, "table or view '%s' not found", nt.p ? name : ""); }
        if (rf_df_status(v)) {   /* a deferred view (CHECK), or a view that failed */
            rf_free(name);
            if (c->mode != RF_SQL_RUN && rf_df_status(v) == RF_ERR_DEFERRED) return RF_OK;
            rc = rf__err_set(rf_df_status(v), "%s", rf_df_error(v));
            rf__err_at(nt.line, nt.col);
            return rc;
        }
        sv = ((struct rf_df *)v)->plan->schema;
    } else { rf_free(name); return found; }
    if (c->mode != RF_SQL_RUN) {
        rf_schema_destroy(&s);
        if (found == 0) table_fini(&t);
        rf_free(name);
        return RF_OK;
    }
    const rf_schema *sc = s ? s : sv;
    int np = found == 0 ? n_partcols(&t) : 0;
    if (np > sc->n) np = sc->n;
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
