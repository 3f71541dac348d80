/*
 * partition.c — partitioned tables: `col=value` directory names, as Spark and Hive write them.
 *
 * A value is written with rf_format_value and escaped so that it stays one path component that
 * cannot reach outside the output directory: '/', '\', '=', '%', ':', '*', '?', '"', '<', '>',
 * '|', '#', '[', ']', '{', '}', '^', control bytes (NUL, newline), DEL and a leading '.' become
 * %XX. NULL is __HIVE_DEFAULT_PARTITION__. Column names are escaped the same way, so no name can
 * make a directory outside the output either. Reading undoes the escapes.
 */
#include <stdlib.h>
#include "io/partition.h"

#define NULL_PART "__HIVE_DEFAULT_PARTITION__"

static bool needs_escape(unsigned char c, bool first)
{
    return c < 0x20 || c == 0x7F || strchr("/\\=%:*?\"<>|#[]{}^", c) != NULL || (first && c == '.');
}

int rf__part_escape(const char *v, size_t n, rf_buf *out)
{
    int rc = RF_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        unsigned char c = (unsigned char)v[i];
        rc = needs_escape(c, i == 0) ? rf_buf_printf(out, "%%%02X", c) : rf_buf_put_u8(out, c);
    }
    return rc;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

char *rf__part_unescape(const char *s, size_t n, bool *is_null)
{
    *is_null = n == strlen(NULL_PART) && !memcmp(s, NULL_PART, n);
    char *o = rf_malloc(n + 1);
    if (!o) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '%' && i + 2 < n && (hi = hexval(s[i + 1])) >= 0 && (lo = hexval(s[i + 2])) >= 0) {
            o[k++] = (char)(hi << 4 | lo);
            i += 2;
        } else o[k++] = s[i];
    }
    o[k] = '\0';
    return o;
}

int rf__part_key(const rf_batch *b, int64_t row, const int *pcols, int np, const rf_schema *s, rf_buf *out, rf_buf *tmp)
{
    int rc = RF_OK;
    out->len = 0;
    for (int k = 0; k < np && !rc; k++) {
        const rf_column *c = b->cols[pcols[k]];
        bool isnull;
        tmp->len = 0;
        rc = rf_format_value(c, row, tmp, &isnull);
        if (!rc && k) rc = rf_buf_put_u8(out, '/');
        if (!rc) rc = rf__part_escape(s->f[pcols[k]].name, strlen(s->f[pcols[k]].name), out);   /* names escape like values */
        if (!rc) rc = rf_buf_put_u8(out, '=');
        if (!rc && isnull) rc = rf_buf_printf(out, "%s", NULL_PART);
        else if (!rc) rc = rf__part_escape(tmp->data ? (const char *)tmp->data : "", tmp->len, out);
    }
    if (!rc) rc = rf_buf_put_u8(out, 0);
    if (!rc) out->len--;
    return rc;
}

static uint64_t key_hash(const char *k) { return rf_hash_bytes(k, strlen(k), 7); }

static int rehash(rf_keydict *d, int64_t ns)
{
    int64_t *s = rf_calloc((size_t)ns, sizeof *s);
    if (!s) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int64_t i = 0; i < d->n; i++) {
        uint64_t h = key_hash(d->keys[i]) & (uint64_t)(ns - 1);
        while (s[h]) h = (h + 1) & (uint64_t)(ns - 1);
        s[h] = i + 1;
    }
    rf_free(d->slot);
    d->slot = s;
    d->nslot = ns;
    return RF_OK;
}

int rf__keydict_id(rf_keydict *d, const char *key, int64_t *id)
{
    int rc;
    if (2 * (d->n + 1) > d->nslot && (rc = rehash(d, d->nslot ? d->nslot * 2 : 64))) return rc;
    uint64_t h = key_hash(key) & (uint64_t)(d->nslot - 1);
    while (d->slot[h]) {
        if (!strcmp(d->keys[d->slot[h] - 1], key)) { *id = d->slot[h] - 1; return RF_OK; }
        h = (h + 1) & (uint64_t)(d->nslot - 1);
    }
    if ((rc = rf__grow((void **)&d->keys, &d->cap, d->n + 1, sizeof *d->keys))) return rc;
    if (!(d->keys[d->n] = rf_strdup(key))) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    d->slot[h] = d->n + 1;
    *id = d->n++;
    return RF_OK;
}

void rf__keydict_fini(rf_keydict *d)
{
    for (int64_t i = 0; i < d->n; i++) rf_free(d->keys[i]);
    rf_free(d->keys);
    rf_free(d->slot);
    memset(d, 0, sizeof *d);
}

int rf__part_columns(const rf_schema *s, const char *spec, int **pcols, int *np)
{
    *pcols = NULL;
    *np = 0;
    if (!spec || !*spec) return RF_OK;
    char *copy = rf_strdup(spec), *save = NULL;
    int *v = rf_calloc((size_t)s->n + 1, sizeof *v), n = 0, rc = RF_OK;
    if (!copy || !v) { rf_free(copy); rf_free(v); return rf__err_set(RF_ERR_NOMEM, "out of memory"); }
    for (char *t = strtok_r(copy, ",; ", &save); t && !rc; t = strtok_r(NULL, ",; ", &save)) {
        int i = rf_schema_find(s, t);
        if (i >= 0 && !*s->f[i].name) rc = rf__err_set(RF_ERR_ANALYSIS, "partitionBy: a column with an empty name cannot be a partition column");
        else if (i < 0) rc = rf__err_set(RF_ERR_ANALYSIS, "partitionBy: column '%s' is not in the output", t);
        else if (n == s->n - 1 || n >= s->n) rc = rf__err_set(RF_ERR_ANALYSIS, "partitionBy: at least one column must stay in the files");
        else if (rf_type_is_nested(s->f[i].type)) rc = rf__err_set(RF_ERR_ANALYSIS, "partitionBy: cannot partition by the %s column '%s'", rf_type_name(s->f[i].type), t);
        else {
            for (int k = 0; k < n; k++) if (v[k] == i) rc = rf__err_set(RF_ERR_ANALYSIS, "partitionBy: column '%s' named twice", t);
            v[n++] = i;
        }
    }
    rf_free(copy);
    if (rc) { rf_free(v); return rc; }
    *pcols = v;
    *np = n;
    return RF_OK;
}
