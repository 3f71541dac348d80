/*
 * source.c — building a file source for a scan: expanding paths (files, directories, globs),
 * parsing reader options, and the schema: given, from the header, or inferred from a sample of
 * the first file (riffle.csv.inferSchema.sampleBytes) as Spark's inferSchema would type it.
 */
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/stat.h>
#include "plan/plan.h"
#include "io/h5.h"
#include "io/partition.h"
#include "io/format.h"

int rf__source_build(int n_paths, const char *const *paths, rf_format fmt, const char *options, int64_t sample_bytes,
                     rf_source **out);

/* Files found so far, with the partition directories (`k=v/...`, relative to the path given) each
 * was found under. */
typedef struct { char **rel; int64_t cap, n; } found;

static int add_file(rf_source *s, int64_t *cap, found *fd, const char *path, int64_t size, const char *rel)
{
    int64_t c2 = *cap, c3 = fd->cap;
    int rc = rf__grow((void **)&s->files, cap, s->n_files + 1, sizeof *s->files);
    if (!rc) rc = rf__grow((void **)&s->sizes, &c2, s->n_files + 1, sizeof *s->sizes);
    if (!rc) rc = rf__grow((void **)&fd->rel, &c3, s->n_files + 1, sizeof *fd->rel);
    fd->cap = c3;
    if (rc) return rc;
    fd->rel[s->n_files] = rf_strdup(rel);
    fd->n = s->n_files + 1;   /* freed by the caller, even on failure */
    if (!(s->files[s->n_files] = rf_strdup(path)) || !fd->rel[s->n_files]) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    s->sizes[s->n_files++] = size;
    fd->n = s->n_files;
    return RF_OK;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static bool is_part_dir(const char *name)
{
    const char *eq = strchr(name, '=');
    return eq && eq != name && name[0] != '.' && name[0] != '_';
}

static int add_dir(rf_source *s, int64_t *cap, found *fd, const char *path, const char *rel)
{
    struct stat st;
    DIR *d = opendir(path);
    if (!d) return rf__err_set(RF_ERR_IO, "%s: cannot open directory: %s", path, strerror(errno));
    char **names = NULL;
    int64_t n = 0, nc = 0;
    int rc = RF_OK;
    struct dirent *e;
    while ((e = readdir(d)) && !rc) {
        if (e->d_name[0] == '.' || e->d_name[0] == '_') continue;   /* hidden, _SUCCESS, staging */
        rc = rf__grow((void **)&names, &nc, n + 1, sizeof *names);
        if (!rc && !(names[n++] = rf_strdup(e->d_name))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    }
    closedir(d);
    if (n > 1) qsort(names, (size_t)n, sizeof *names, cmp_str);
    for (int64_t i = 0; i < n && !rc; i++) {
        char full[4096], sub[4096];
        snprintf(full, sizeof full, "%s/%s", path, names[i]);
        if (stat(full, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) {   /* partition directories: col=value */
            if (!is_part_dir(names[i])) continue;
            snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", names[i]);
            rc = add_dir(s, cap, fd, full, sub);
            continue;
        }
        if (!S_ISREG(st.st_mode)) continue;
        if (!rf__format_ops(s->format)->member(names[i])) continue;   /* e.g. a table directory's .h5 files */
        rc = add_file(s, cap, fd, full, st.st_size, rel);
    }
    for (int64_t i = 0; i < n; i++) rf_free(names[i]);
    rf_free(names);
    return rc;
}

/* A path: a file, a directory, or a glob pattern (unless a file or directory has that very name;
 * a pattern's matches are taken as they are, never globbed again: a file named "a*.csv" matches
 * "a*.csv"). */
static int add_path(rf_source *s, int64_t *cap, found *fd, const char *path, bool literal)
{
    struct stat st;
    if (!literal && strpbrk(path, "*?[") && stat(path, &st) != 0) {
        glob_t g;
        int r = glob(path, 0, NULL, &g);
        if (r == GLOB_NOMATCH) return rf__err_set(RF_ERR_INVALID, "path does not exist: no file matches %s", path);
        if (r) return rf__err_set(RF_ERR_IO, "%s: glob failed", path);
        int rc = RF_OK;
        for (size_t i = 0; i < g.gl_pathc && !rc; i++) rc = add_path(s, cap, fd, g.gl_pathv[i], true);
        globfree(&g);
        return rc;
    }
    if (stat(path, &st) != 0) return rf__err_set(RF_ERR_INVALID, "path does not exist: %s", path);
    if (!S_ISDIR(st.st_mode)) return add_file(s, cap, fd, path, st.st_size, "");
    return add_dir(s, cap, fd, path, "");
}

/* Partition columns from the directories the files were found under: the same columns for every
 * file, typed int, bigint or date when every value is one (else string), appended to the schema. */
static int partition_columns(rf_source *s, const found *fd)
{
    int np = 0, rc = RF_OK;
    char *names[RF_MAX_PARTITION_COLUMNS];
    for (const char *p = fd->rel[0]; *p; ) {
        const char *eq = strchr(p, '='), *sl = strchr(p, '/');
        if (!eq || (sl && sl < eq)) break;
        if (np == RF_MAX_PARTITION_COLUMNS) {
            for (int k = 0; k < np; k++) rf_free(names[k]);
            return rf__err_set(RF_ERR_LIMIT, "%s is under more than %d levels of partition directories", s->files[0], RF_MAX_PARTITION_COLUMNS);
        }
        names[np++] = rf_strndup(p, (size_t)(eq - p));   /* as written (escaped): compared with the other files' */
        p = sl ? sl + 1 : p + strlen(p);
    }
    s->n_part = np;
    if (!np) {
        for (int i = 1; i < s->n_files; i++)
            if (*fd->rel[i]) { rc = rf__err_set(RF_ERR_INVALID, "conflicting directory structure: %s is under partition directories but %s is not", s->files[i], s->files[0]); break; }
        return rc;
    }
    s->part_vals = rf_calloc((size_t)s->n_files * (size_t)np + 1, sizeof *s->part_vals);
    if (!s->part_vals) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int i = 0; i < s->n_files && !rc; i++) {
        const char *p = fd->rel[i];
        for (int k = 0; k < np && !rc; k++) {
            const char *eq = strchr(p, '='), *sl = strchr(p, '/');
            if (!eq || (sl && sl < eq) || (size_t)(eq - p) != strlen(names[k]) || strncmp(p, names[k], (size_t)(eq - p))) {
                rc = rf__err_set(RF_ERR_INVALID, "conflicting directory structure: %s is not under %s=... directories like %s", s->files[i], names[k], s->files[0]);
                break;
            }
            const char *v = eq + 1, *ve = sl ? sl : v + strlen(v);
            bool isnull;
            char *val = rf__part_unescape(v, (size_t)(ve - v), &isnull);
            if (!val) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); break; }
            if (isnull) RF_FREE(val);
            s->part_vals[(int64_t)i * np + k] = val;
            p = sl ? sl + 1 : ve;
        }
        if (!rc && *p) rc = rf__err_set(RF_ERR_INVALID, "conflicting directory structure: %s is under more partition directories than %s", s->files[i], s->files[0]);
    }
    /* the schema: the files' columns, then the partition columns */
    rf_schema *ns = NULL;
    int nd = s->file_schema->n;
    if (!rc) rc = rf_schema_create(nd + np, &ns);
    for (int c = 0; !rc && c < nd; c++) {
        ns->f[c] = s->file_schema->f[c];
        s->file_schema->f[c].name = NULL;
        s->file_schema->f[c].qual = NULL;
    }
    for (int k = 0; !rc && k < np; k++) {
        rf_type t = RF_TYPE_INT32;
        for (int i = 0; i < s->n_files; i++) {
            const char *v = s->part_vals[(int64_t)i * np + k];
            int64_t iv;
            int32_t dv;
            if (!v) continue;
            bool isint = rf_parse_int64(v, strlen(v), &iv);
            if (t == RF_TYPE_INT32 && !(isint && iv >= INT32_MIN && iv <= INT32_MAX)) t = isint ? RF_TYPE_INT64 : RF_TYPE_DATE;
            if (t == RF_TYPE_INT64 && !isint) t = RF_TYPE_DATE;
            if (t == RF_TYPE_DATE && !(strlen(v) == 10 && rf_parse_date(v, 10, &dv))) t = RF_TYPE_STRING;
        }
        bool isnull;
        char *name = rf__part_unescape(names[k], strlen(names[k]), &isnull);
        if (!name) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); break; }
        for (int c = 0; c < nd && !rc; c++)
            if (!strcasecmp(ns->f[c].name, name)) rc = rf__err_set(RF_ERR_INVALID, "partition column '%s' is also a column of the files (%s)", name, s->files[0]);
        ns->f[nd + k] = (rf_field){ .name = name, .type = t, .nullable = true };
    }
    if (!rc) { rf_schema_destroy(&s->file_schema); s->file_schema = ns; ns = NULL; }
    rf_schema_destroy(&ns);
    for (int k = 0; k < np; k++) rf_free(names[k]);
    return rc;
}

/* Splits the first record(s) of the sample into fields (RFC 4180 aware). */
typedef struct { char **f; int n, cap; } fields;

static void fields_fini(fields *f)
{
    for (int i = 0; i < f->n; i++) rf_free(f->f[i]);
    rf_free(f->f);
    memset(f, 0, sizeof *f);
}

/* Parses one record from p (until end); returns bytes consumed, 0 at end, -1 when incomplete,
 * -2 out of memory (with the error set). */
static int64_t parse_record(const char *p, int64_t n, char delim, char quote, fields *out)
{
    int64_t i = 0;
    rf_buf cur = { 0 };
    int rc = RF_OK;
    out->n = 0;
    if (n == 0) return 0;
    for (;;) {
        cur.len = 0;
        if (quote && i < n && p[i] == quote) {
            i++;
            for (;;) {
                if (i >= n) { rf_buf_fini(&cur); return -1; }
                if (p[i] == quote) {
                    if (i + 1 < n && p[i + 1] == quote) { rc |= rf_buf_put_u8(&cur, (uint8_t)quote); i += 2; continue; }
                    i++;
                    break;
                }
                rc |= rf_buf_put_u8(&cur, (uint8_t)p[i++]);
            }
            while (i < n && p[i] != delim && p[i] != '\n' && p[i] != '\r') i++;
        } else {   /* a line ends at \n, \r or \r\n, as the scanner reads it */
            int64_t a = i;
            while (i < n && p[i] != delim && p[i] != '\n' && p[i] != '\r') i++;
            rc |= rf_buf_put(&cur, p + a, (size_t)(i - a));
        }
        if (!rc && out->n == out->cap) {
            int ncap = out->cap ? out->cap * 2 : 16;
            char **nf = rf_realloc(out->f, (size_t)ncap * sizeof *nf);
            if (nf) { out->f = nf; out->cap = ncap; } else rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
        }
        char *field = rc ? NULL : rf_strndup(cur.data ? (const char *)cur.data : "", cur.len);
        if (!field) { rf_buf_fini(&cur); rf__err_set(RF_ERR_NOMEM, "out of memory reading a CSV sample"); return -2; }
        out->f[out->n++] = field;
        if (i >= n) { rf_buf_fini(&cur); return i; }
        if (p[i] == '\n') { rf_buf_fini(&cur); return i + 1; }
        if (p[i] == '\r') { rf_buf_fini(&cur); return i + 1 + (i + 1 < n && p[i + 1] == '\n'); }
        i++;
    }
}

/* Type lattice for inference: the narrowest type every sampled value parses as. */
static rf_type widen(rf_type cur, const char *v, const char *null_value)
{
    size_t n = strlen(v);
    if (strcmp(v, null_value) == 0) return cur;
    int64_t i;
    double d;
    bool b;
    int32_t dt;
    rf_type t;
    bool padded = n > 0 && ((unsigned char)v[0] <= ' ' || (unsigned char)v[n - 1] <= ' ');   /* " 42" is no int when read */
    if (!padded && rf_parse_int64(v, n, &i)) t = (i >= INT32_MIN && i <= INT32_MAX) ? RF_TYPE_INT32 : RF_TYPE_INT64;
    else if (rf_parse_double(v, n, &d)) t = RF_TYPE_DOUBLE;
    else if (!padded && rf_parse_bool(v, n, &b)) t = RF_TYPE_BOOL;
    else if (!padded && n == 10 && rf_parse_date(v, n, &dt)) t = RF_TYPE_DATE;
    else if (!padded && rf_parse_timestamp(v, n, &i)) t = RF_TYPE_TIMESTAMP;
    else t = RF_TYPE_STRING;
    if (cur == RF_TYPE_NULL || cur == t) return t;
    if (rf_type_is_numeric(cur) && rf_type_is_numeric(t))
        return (cur == RF_TYPE_DOUBLE || t == RF_TYPE_DOUBLE) ? RF_TYPE_DOUBLE : RF_TYPE_INT64;
    if ((cur == RF_TYPE_DATE && t == RF_TYPE_TIMESTAMP) || (t == RF_TYPE_DATE && cur == RF_TYPE_TIMESTAMP)) return RF_TYPE_TIMESTAMP;
    return RF_TYPE_STRING;
}

/* Like strtok_r on any of seps, except inside parentheses ("decimal(10,2)"); skips empty items. */
static char *next_item(char **cur, const char *seps)
{
    for (;;) {
        char *s = *cur, *p;
        int depth = 0;
        if (!s) return NULL;
        for (p = s; *p; p++) {
            if (*p == '(') depth++;
            else if (*p == ')' && depth) depth--;
            else if (!depth && strchr(seps, *p)) break;
        }
        if (*p) { *p = '\0'; *cur = p + 1; } else *cur = NULL;
        while (*s == ' ') s++;
        if (*s) return s;
    }
}

int rf__parse_schema_spec(const char *spec, rf_schema **out)
{
    /* "a INT; b STRING" or "a INT, b DECIMAL(10,2)" */
    char *copy = rf_strdup(spec), *cur = copy;
    int n = 0, rc = RF_OK;
    if (!copy) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (char *p = copy; *p; p++) n += *p == ',' || *p == ';';
    RF_TRY(rf_schema_create(n + 1, out));
    int k = 0;
    for (char *tok; (tok = next_item(&cur, ",;"));) {
        char name[256], type[64];
        int used = 0;
        if (sscanf(tok, " %255s %n", name, &used) != 1 || !tok[used] || strlen(tok + used) >= sizeof type) {
            rc = rf__err_set(RF_ERR_INVALID, "schema option: expected 'name TYPE' in '%s'", tok);
            goto done;
        }
        strcpy(type, tok + used);
        for (size_t e = strlen(type); e && type[e - 1] == ' '; ) type[--e] = '\0';
        rf_type t;
        if (rf_type_parse(type, &t)) { rc = rf__err_set(RF_ERR_INVALID, "schema option: unknown type '%s' for column '%s'", type, name); goto done; }
        (*out)->f[k] = (rf_field){ .name = rf_strdup(name), .type = t, .nullable = true };
        k++;
    }
    (*out)->n = k;
done:
    if (rc) rf_schema_destroy(out);
    rf_free(copy);
    return rc;
}

/* csv: the schema given (schema=...), or the header's names (or _c0, _c1, ...) typed by inference
 * over a sample of the first non-empty file, else strings. */
int rf__csv_open(rf_source *s, const rf_open_args *a)
{
    fields hdr = { 0 }, row = { 0 };
    char *sample = NULL;
    int rc = RF_OK;
    if (a->schema_spec) return rf__parse_schema_spec(a->schema_spec, &s->file_schema);
    /* header and inference from a sample of the first non-empty file */
    int fi = 0;
    while (fi < s->n_files && s->sizes[fi] == 0) fi++;
    if (fi == s->n_files) { rc = rf__err_set(RF_ERR_INVALID, "cannot infer a schema: every input file is empty (%s); give schema=...", s->n_files ? s->files[0] : a->first_path); goto done; }
    int64_t want = s->sizes[fi] < a->sample_bytes ? s->sizes[fi] : a->sample_bytes;
    FILE *f = fopen(s->files[fi], "rb");
    if (!f) { rc = rf__err_set(RF_ERR_IO, "%s: cannot open: %s", s->files[fi], strerror(errno)); goto done; }
    sample = rf_malloc((size_t)want + 1);
    size_t got = sample ? fread(sample, 1, (size_t)want, f) : 0;
    fclose(f);
    if (!sample) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); goto done; }
    int64_t pos = 0, used = parse_record(sample, (int64_t)got, s->delim, s->quote, &hdr);
    if (used == -2) { rc = RF_ERR_NOMEM; goto done; }
    if (used <= 0) { rc = rf__err_set(RF_ERR_INVALID, "%s:1: cannot read the first record", s->files[fi]); goto done; }
    pos = used;
    int nc = hdr.n;
    RF_TRY(rf_schema_create(nc, &s->file_schema));
    for (int i = 0; i < nc; i++) {
        char nm[32];
        snprintf(nm, sizeof nm, "_c%d", i);
        s->file_schema->f[i] = (rf_field){ .name = rf_strdup(s->header ? hdr.f[i] : nm), .type = RF_TYPE_NULL, .nullable = true };
    }
    if (a->infer) {
        if (!s->header) {   /* the first record is data */
            for (int i = 0; i < nc && i < hdr.n; i++) s->file_schema->f[i].type = widen(RF_TYPE_NULL, hdr.f[i], s->null_value);
        }
        for (int r = 0; r < 100000; r++) {
            used = parse_record(sample + pos, (int64_t)got - pos, s->delim, s->quote, &row);
            if (used == -2) { fields_fini(&row); rc = RF_ERR_NOMEM; goto done; }
            if (used <= 0) { fields_fini(&row); break; }
            pos += used;
            if (row.n == 1 && !row.f[0][0]) { fields_fini(&row); continue; }
            for (int i = 0; i < nc && i < row.n; i++) s->file_schema->f[i].type = widen(s->file_schema->f[i].type, row.f[i], s->null_value);
            fields_fini(&row);
        }
    }
    for (int i = 0; i < nc; i++)
        if (s->file_schema->f[i].type == RF_TYPE_NULL) s->file_schema->f[i].type = RF_TYPE_STRING;

done:
    fields_fini(&hdr);
    fields_fini(&row);
    rf_free(sample);
    return rc;
}

int rf__text_open(rf_source *s, const rf_open_args *a)
{
    (void)a;
    int rc = rf_schema_create(1, &s->file_schema);
    if (!rc) s->file_schema->f[0] = (rf_field){ .name = rf_strdup("value"), .type = RF_TYPE_STRING, .nullable = false };
    return rc;
}

/* hdf5: every file says its schema and row groups' statistics (the files must agree: h5_read.c). */
int rf__h5_open(rf_source *s, const rf_open_args *a)
{
    int rc = RF_OK;
    if (!s->n_files) return rf__err_set(RF_ERR_INVALID, "no HDF5 files (*.h5) in %s", a->first_path);
    for (int i = 0; i < s->n_files; i++) RF_TRY(rf__h5_read_meta(s->files[i], s, i));
done:
    return rc;
}

static bool opt_true(const char *v) { return !strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "yes"); }

int rf__source_build(int n_paths, const char *const *paths, rf_format fmt, const char *options, int64_t sample_bytes,
                     rf_source **out)
{
    found fd = { 0 };
    rf_source *s = rf_calloc(1, sizeof *s);
    int64_t cap = 0;
    int rc = RF_OK;
    bool infer = false;
    char *schema_spec = NULL, *opts = NULL;
    *out = NULL;
    if (!s) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    s->format = fmt;
    const rf_format_ops *ops = rf__format_ops(fmt);
    s->delim = ',';
    s->quote = '"';
    s->mode = RF_CSV_PERMISSIVE;
    s->null_value = rf_strdup("");
    if (n_paths < 1) { rc = rf__err_set(RF_ERR_INVALID, "no input path given"); goto done; }
    for (int i = 0; i < n_paths; i++) {
        if (!paths[i]) { rc = rf__err_set(RF_ERR_INVALID, "input path is NULL"); goto done; }
        RF_TRY(add_path(s, &cap, &fd, paths[i], false));
    }
    if (options && *options) {
        opts = rf_strdup(options);
        char *cur = opts;
        for (char *tok; (tok = next_item(&cur, ","));) {
            if (!ops->options) { rc = rf__err_set(RF_ERR_INVALID, "unknown %s reader option '%s' (the file says its schema)", ops->name, tok); goto done; }
            char *eq = strchr(tok, '=');
            while (*tok == ' ') tok++;
            if (!eq) { rc = rf__err_set(RF_ERR_INVALID, "reader option '%s': expected key=value", tok); goto done; }
            *eq = '\0';
            const char *v = eq + 1;
            if (!strcasecmp(tok, "header") || !strcasecmp(tok, "inferSchema")) {
                if (strcasecmp(v, "true") && strcasecmp(v, "false")) { rc = rf__err_set(RF_ERR_INVALID, "reader option %s: '%s' is not true or false", tok, v); goto done; }
                if (!strcasecmp(tok, "header")) s->header = opt_true(v); else infer = opt_true(v);
            }
            else if (!strcasecmp(tok, "delimiter") || !strcasecmp(tok, "sep")) {
                if (!strcmp(v, "\\t")) s->delim = '\t';
                else if (strlen(v) == 1 && v[0] != '\n' && v[0] != '\r' && v[0] != '"') s->delim = v[0];
                else if (!*v) s->delim = ',';   /* "delimiter=," splits into an empty value */
                else { rc = rf__err_set(RF_ERR_INVALID, "reader option delimiter: '%s' must be one character", v); goto done; }
            } else if (!strcasecmp(tok, "quote")) {   /* one character; empty turns quoting off, as Spark */
                if (strlen(v) > 1) { rc = rf__err_set(RF_ERR_INVALID, "reader option quote: '%s' must be one character (or empty for none)", v); goto done; }
                if (v[0] == '\n' || v[0] == '\r' || (v[0] && v[0] == s->delim)) { rc = rf__err_set(RF_ERR_INVALID, "reader option quote: cannot be a line end or the delimiter"); goto done; }
                s->quote = v[0];
            }
            else if (!strcasecmp(tok, "nullValue")) { rf_free(s->null_value); s->null_value = rf_strdup(v); }
            else if (!strcasecmp(tok, "mode")) {
                if (!strcasecmp(v, "PERMISSIVE")) s->mode = RF_CSV_PERMISSIVE;
                else if (!strcasecmp(v, "DROPMALFORMED")) s->mode = RF_CSV_DROPMALFORMED;
                else if (!strcasecmp(v, "FAILFAST")) s->mode = RF_CSV_FAILFAST;
                else { rc = rf__err_set(RF_ERR_INVALID, "reader option mode: '%s' is not PERMISSIVE, DROPMALFORMED or FAILFAST", v); goto done; }
            } else if (!strcasecmp(tok, "schema")) { rf_free(schema_spec); schema_spec = rf_strdup(v); }
            else { rc = rf__err_set(RF_ERR_INVALID, "unknown reader option '%s'", tok); goto done; }
        }
    }
    rf_open_args oa = { schema_spec, infer, sample_bytes, paths[0] };
    RF_TRY(ops->open(s, &oa));
    if (s->n_files) RF_TRY(partition_columns(s, &fd));
    s->n_read = s->file_schema->n;
    RF_CHECK((s->read = rf_malloc((size_t)(s->n_read + 1) * sizeof *s->read)) != NULL, RF_ERR_NOMEM, "out of memory");
    for (int i = 0; i < s->n_read; i++) s->read[i] = i;
    *out = s;
    s = NULL;
done:
    for (int64_t i = 0; i < fd.n; i++) rf_free(fd.rel[i]);
    rf_free(fd.rel);
    rf_free(opts);
    rf_free(schema_spec);
    rf__source_destroy(&s);
    return rc;
}
