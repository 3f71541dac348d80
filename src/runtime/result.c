/*
 * result.c — collected results on rank 0: typed accessors and Spark's show() table layout.
 */
#include <stdio.h>
#include <stdlib.h>
#include "runtime/runtime.h"

int64_t rf_result_rows(const rf_result *r) { return r && r->batch ? r->batch->nrows : 0; }
int rf_result_cols(const rf_result *r) { return r ? r->schema->n : 0; }
const char *rf_result_name(const rf_result *r, int col) { return r->schema->f[col].name; }
rf_type rf_result_type(const rf_result *r, int col) { return r->schema->f[col].type; }
bool rf_result_is_null(const rf_result *r, int64_t row, int col) { return !rf_column_valid(r->batch->cols[col], row); }
int64_t rf_result_int(const rf_result *r, int64_t row, int col) { return rf_column_get_int(r->batch->cols[col], row); }

double rf_result_double(const rf_result *r, int64_t row, int col)
{
    const rf_column *c = r->batch->cols[col];
    if (rf_type_is_decimal(c->type)) return rf_dec_to_double(rf_col_dec(c, row), rf_type_scale(c->type));
    return c->type == RF_TYPE_DOUBLE ? rf_col_f64(c, row) : (double)rf_column_get_int(c, row);
}

const char *rf_result_str(const rf_result *r, int64_t row, int col, size_t *len)
{
    const rf_column *c = r->batch->cols[col];
    int64_t l = 0;
    if (c->type != RF_TYPE_STRING || !rf_column_valid(c, row)) { if (len) *len = 0; return NULL; }
    const char *p = rf_col_str(c, row, &l);
    if (len) *len = (size_t)l;
    return p;
}

size_t rf_result_format(const rf_result *r, int64_t row, int col, char *buf, size_t cap)
{
    rf_buf b = { 0 };
    bool isnull;
    if (rf_format_value(r->batch->cols[col], row, &b, &isnull) || isnull) b.len = 0;
    size_t n = b.len < cap ? b.len : (cap ? cap - 1 : 0);
    if (cap) { memcpy(buf, b.data ? b.data : (uint8_t *)"", n); buf[n] = '\0'; }
    rf_buf_fini(&b);
    return n;
}

void rf_result_destroy(rf_result **pr)
{
    rf_result *r = *pr;
    *pr = NULL;
    if (!r) return;
    rf_schema_destroy(&r->schema);
    rf_batch_destroy(&r->batch);
    rf_free(r);
}

/* Display width in characters (UTF-8 code points). */
static size_t width(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++) w += ((unsigned char)s[i] & 0xC0) != 0x80;
    return w;
}

/* Spark's show(): cells right-aligned, strings over 20 characters cut to 17 + "...", NULL as "NULL". */
static char *cell(const rf_result *r, int64_t row, int col, bool truncate)
{
    rf_buf b = { 0 };
    bool isnull;
    if (rf_format_value(r->batch->cols[col], row, &b, &isnull) || isnull) { rf_buf_fini(&b); return rf_strdup("NULL"); }
    if (truncate && width((const char *)b.data, b.len) > 20) {
        size_t i = 0, chars = 0;
        while (i < b.len && chars < 17) { i++; while (i < b.len && (b.data[i] & 0xC0) == 0x80) i++; chars++; }
        b.len = i;
        rf_buf_put(&b, "...", 3);
    }
    char *s = rf_strndup(b.data ? (const char *)b.data : "", b.len);
    rf_buf_fini(&b);
    return s;
}

int rf__result_print_table(const rf_result *r, int64_t n, bool truncate, FILE *f)
{
    int nc = rf_result_cols(r);
    int64_t rows = rf_result_rows(r), shown = rows > n ? n : rows;
    size_t *w = rf_calloc((size_t)(nc ? nc : 1), sizeof *w);
    char **cells = rf_calloc((size_t)((shown + 1) * (nc ? nc : 1)), sizeof *cells);
    if (!w || !cells) { rf_free(w); rf_free(cells); return rf__err_set(RF_ERR_NOMEM, "out of memory"); }
    for (int c = 0; c < nc; c++) {
        const char *nm = rf_result_name(r, c);
        w[c] = width(nm, strlen(nm));
        if (w[c] < 3) w[c] = 3;
        for (int64_t i = 0; i < shown; i++) {
            char *s = cells[i * nc + c] = cell(r, i, c, truncate);
            size_t cw = s ? width(s, strlen(s)) : 0;
            if (cw > w[c]) w[c] = cw;
        }
    }
    rf_buf out = { 0 }, sep = { 0 };
    for (int c = 0; c < nc; c++) { rf_buf_put_u8(&sep, '+'); for (size_t k = 0; k < w[c]; k++) rf_buf_put_u8(&sep, '-'); }
    rf_buf_printf(&sep, "+\n");
    rf_buf_put(&out, sep.data, sep.len);
    for (int c = 0; c < nc; c++) {
        const char *nm = rf_result_name(r, c);
        rf_buf_printf(&out, "|%*s%s", (int)(w[c] - width(nm, strlen(nm))), "", nm);
    }
    rf_buf_printf(&out, "|\n");
    rf_buf_put(&out, sep.data, sep.len);
    for (int64_t i = 0; i < shown; i++) {
        for (int c = 0; c < nc; c++) {
            const char *s = cells[i * nc + c] ? cells[i * nc + c] : "";
            rf_buf_printf(&out, "|%*s%s", (int)(w[c] - width(s, strlen(s))), "", s);
        }
        rf_buf_printf(&out, "|\n");
    }
    rf_buf_put(&out, sep.data, sep.len);
    if (rows > n) rf_buf_printf(&out, "only showing top %lld row%s\n", (long long)n, n == 1 ? "" : "s");
    rf_buf_printf(&out, "\n");
    fwrite(out.data, 1, out.len, f);
    fflush(f);
    rf_buf_fini(&out);
    rf_buf_fini(&sep);
    for (int64_t i = 0; i < shown * nc; i++) rf_free(cells[i]);
    rf_free(cells);
    rf_free(w);
    return RF_OK;
}

int rf_df_show(rf_df *df, int64_t n, FILE *f)
{
    rf_result *r = NULL;
    int rc = rf_df_take(df, n + 1, &r);
    if (rc) return rc;
    rc = rf__result_print_table(r, n, true, f);
    rf_result_destroy(&r);
    return rc;
}
