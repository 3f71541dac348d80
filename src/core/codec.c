/*
 * codec.c — a column's bytes: the form in which shuffles, spill files, cached partitions and
 * per-group aggregate states carry columns.
 *
 * Per column: its type (rf_buf_put_type: a nested type by name), uint8 has_validity, [validity
 * bitmap, ceil(n/8) bytes], then fixed-width values (n * width) or, for strings, int64 byte length
 * + n+1 int64 offsets (from 0) + bytes; arrays and maps are element counts + their encoded element
 * column, structs their encoded fields. Decoding copies each buffer out with one memcpy (no per-row
 * work for fixed widths) and checks every length against the input, so corrupt bytes are an error.
 */
#include <stdlib.h>
#include "core/core.h"

int rf_column_encode(const rf_column *c, const int64_t *sel, int64_t n, rf_buf *buf)
{
    int rc = rf_buf_put_type(buf, c->type);
    bool has_valid = c->valid != NULL;
    if (!rc) rc = rf_buf_put_u8(buf, has_valid);
    if (rc) return rc;
    if (has_valid) {
        size_t nb = (size_t)(n + 7) / 8;
        if ((rc = rf_buf_reserve(buf, nb))) return rc;
        uint8_t *v = buf->data + buf->len;
        memset(v, 0, nb);
        for (int64_t k = 0; k < n; k++)
            if (rf_column_valid(c, sel ? sel[k] : k)) v[k >> 3] |= (uint8_t)(1u << (k & 7));
        buf->len += nb;
    }
    if (c->type == RF_TYPE_STRING) {
        int64_t total = 0, len;
        for (int64_t k = 0; k < n; k++) { rf_col_str(c, sel ? sel[k] : k, &len); total += len; }
        if ((rc = rf_buf_reserve(buf, 8 + (size_t)(n + 1) * 8 + (size_t)total))) return rc;
        rf_buf_put_i64(buf, total);
        uint8_t *o = buf->data + buf->len;   /* offsets: unaligned in the buffer, so memcpy */
        int64_t pos = 0;
        memcpy(o, &pos, 8);
        char *bytes = (char *)(buf->data + buf->len + (size_t)(n + 1) * 8);
        for (int64_t k = 0; k < n; k++) {
            const char *p = rf_col_str(c, sel ? sel[k] : k, &len);
            memcpy(bytes + pos, p, (size_t)len);
            pos += len;
            memcpy(o + (k + 1) * 8, &pos, 8);
        }
        buf->len += (size_t)(n + 1) * 8 + (size_t)total;
        return RF_OK;
    }
    if (rf_type_base(c->type) == RF_TYPE_STRUCT) {
        int64_t *idx = NULL;
        if (c->is_const) {
            if (!(idx = rf_calloc((size_t)(n ? n : 1), sizeof *idx))) return rf__err_set(RF_ERR_NOMEM, "out of memory");
        }
        for (int k = 0; k < c->nkids && !rc; k++) rc = rf_column_encode(c->kids[k], idx ? idx : sel, n, buf);
        rf_free(idx);
        return rc;
    }
    if (c->child) {
        /* element counts, then the elements as one packed column */
        const int64_t *o = c->data;
        int64_t total = 0;
        for (int64_t k = 0; k < n; k++) {
            int64_t i = c->is_const ? 0 : (sel ? sel[k] : k);
            if ((rc = rf_buf_put_i64(buf, o[i + 1] - o[i]))) return rc;
            total += o[i + 1] - o[i];
        }
        int64_t *es = rf_malloc((size_t)(total ? total : 1) * sizeof *es), m = 0;
        if (!es) return rf__err_set(RF_ERR_NOMEM, "out of memory");
        for (int64_t k = 0; k < n; k++) {
            int64_t i = c->is_const ? 0 : (sel ? sel[k] : k);
            for (int64_t e = o[i]; e < o[i + 1]; e++) es[m++] = e;
        }
        rc = rf_column_encode(c->child, es, m, buf);
        rf_free(es);
        return rc;
    }
    size_t w = rf_type_width(c->type);
    if ((rc = rf_buf_reserve(buf, (size_t)n * w))) return rc;
    char *d = (char *)(buf->data + buf->len);
    const char *s = c->data;
    if (c->is_const) for (int64_t k = 0; k < n; k++) memcpy(d + (size_t)k * w, s, w);
    else if (!sel) memcpy(d, s, (size_t)n * w);
    else if (w == 8) for (int64_t k = 0; k < n; k++) memcpy(d + k * 8, s + sel[k] * 8, 8);
    else if (w == 4) for (int64_t k = 0; k < n; k++) memcpy(d + k * 4, s + sel[k] * 4, 4);
    else if (w == 1) for (int64_t k = 0; k < n; k++) d[k] = s[sel[k]];
    else for (int64_t k = 0; k < n; k++) memcpy(d + (size_t)k * w, s + (size_t)sel[k] * w, w);
    buf->len += (size_t)n * w;
    return RF_OK;
}

int rf_column_decode(rf_rd *r, int64_t n, rf_column **out)
{
    rf_type t;
    uint8_t hv;
    int rc;
    rf_column *c = NULL;
    *out = NULL;
    if ((rc = rf__stack_check("a nested column"))) return rc;
    if ((rc = rf_rd_type(r, &t)) || (rc = rf_rd_u8(r, &hv))) return rc == RF_ERR_INVALID ? rf__err_set(RF_ERR_INVALID, "column data: bad column type") : rc;
    if ((rc = rf_column_create(t, n, &c))) return rc;
    if (hv) {
        size_t nb = (size_t)(n + 7) / 8;
        if ((size_t)(r->end - r->p) < nb) { rc = rf__err_set(RF_ERR_INVALID, "column data truncated"); goto done; }
        c->valid = rf_malloc((size_t)(n + 8) / 8 + 1);
        if (!c->valid) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); goto done; }
        memset(c->valid, 0xff, (size_t)(n + 8) / 8 + 1);
        memcpy(c->valid, r->p, nb);
        r->p += nb;
    }
    if (t == RF_TYPE_STRING) {
        int64_t total;
        RF_TRY(rf_rd_i64(r, &total));
        RF_CHECK(total >= 0 && (size_t)(r->end - r->p) >= (size_t)(n + 1) * 8 + (size_t)total, RF_ERR_INVALID, "column data truncated");
        memcpy(c->data, r->p, (size_t)(n + 1) * 8);
        r->p += (size_t)(n + 1) * 8;
        RF_TRY(rf_column_reserve(c, 0, total));
        memcpy(c->bytes, r->p, (size_t)total);
        r->p += total;
        c->nbytes = total;
        c->len = n;
    } else if (c->child) {
        int64_t *o = c->data, cnt;
        o[0] = 0;
        for (int64_t k = 0; k < n; k++) {
            RF_TRY(rf_rd_i64(r, &cnt));
            RF_CHECK(cnt >= 0 && cnt <= r->end - r->p, RF_ERR_INVALID, "column data: bad element count");
            o[k + 1] = o[k] + cnt;
        }
        rf_column_release(&c->child);
        RF_TRY(rf_column_decode(r, o[n], &c->child));
        RF_CHECK(c->child->type == rf_type_elem(t), RF_ERR_INVALID, "column data: bad element type");
        c->len = n;
    } else if (rf_type_base(t) == RF_TYPE_STRUCT) {
        for (int k = 0; k < c->nkids; k++) {
            rf_column_release(&c->kids[k]);
            RF_TRY(rf_column_decode(r, n, &c->kids[k]));
            RF_CHECK(c->kids[k]->type == rf_type_field(t, k), RF_ERR_INVALID, "column data: bad field type");
        }
        memset(c->data, 1, (size_t)n);
        c->len = n;
    } else {
        size_t w = rf_type_width(t);
        RF_CHECK((size_t)(r->end - r->p) >= (size_t)n * w, RF_ERR_INVALID, "column data truncated");
        memcpy(c->data, r->p, (size_t)n * w);
        r->p += (size_t)n * w;
        c->len = n;
    }
    *out = c;
    return RF_OK;
done:
    rf_column_release(&c);
    return rc;
}

