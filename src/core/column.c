/*
 * column.c — typed column vectors: creation, appending, gathering, comparison.
 *
 * Builders append to a column that nobody else references yet; once a column is put in a batch it
 * is shared (refcounted) and never written again. Strings keep int64 offsets into one byte buffer.
 */
#include <stdlib.h>
#include "core/core.h"

size_t rf_type_width(rf_type t)
{
    switch (rf_type_base(t)) {
    case RF_TYPE_BOOL: return 1;
    case RF_TYPE_DECIMAL: return 16;
    case RF_TYPE_INT32: case RF_TYPE_DATE: return 4;
    case RF_TYPE_INT64: case RF_TYPE_DOUBLE: case RF_TYPE_TIMESTAMP: return 8;
    case RF_TYPE_NULL: return 1;
    default: return 0;
    }
}

bool rf_type_is_varlen(rf_type t) { return t == RF_TYPE_STRING || rf_type_base(t) == RF_TYPE_ARRAY || rf_type_base(t) == RF_TYPE_MAP; }
bool rf_type_is_numeric(rf_type t) { return t == RF_TYPE_INT32 || t == RF_TYPE_INT64 || t == RF_TYPE_DOUBLE || rf_type_is_decimal(t); }

rf_type rf_type_numeric_wider(rf_type a, rf_type b)
{
    if (a == RF_TYPE_DOUBLE || b == RF_TYPE_DOUBLE) return RF_TYPE_DOUBLE;
    if (rf_type_is_decimal(a) || rf_type_is_decimal(b)) return rf_dec_wider(rf_dec_of_integer(a), rf_dec_of_integer(b));
    return a == RF_TYPE_INT32 && b == RF_TYPE_INT32 ? RF_TYPE_INT32 : RF_TYPE_INT64;
}

static size_t slot_width(rf_type t) { return rf_type_is_varlen(t) ? 8 : rf_type_base(t) == RF_TYPE_STRUCT ? 1 : rf_type_width(t); }

int rf_column_create(rf_type t, int64_t cap, rf_column **out)
{
    rf_column *c = rf_calloc(1, sizeof *c);
    *out = NULL;
    if (!c) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    atomic_init(&c->refs, 1);
    c->type = t;
    if (cap < 1) cap = 1;
    c->cap = cap;
    size_t w = slot_width(t);
    c->data = rf_malloc((size_t)(cap + 1) * w);
    if (!c->data) { rf_free(c); return rf__err_set(RF_ERR_NOMEM, "out of memory"); }
    if (rf_type_is_varlen(t)) ((int64_t *)c->data)[0] = 0;
    if (t == RF_TYPE_STRING) {   /* never NULL, so empty copies need no special case */
        c->capbytes = 16;
        if (!(c->bytes = rf_malloc(16))) { rf_free(c->data); rf_free(c); return rf__err_set(RF_ERR_NOMEM, "out of memory"); }
    }
    if (rf_type_base(t) == RF_TYPE_ARRAY || rf_type_base(t) == RF_TYPE_MAP) {
        int rc = rf_column_create(rf_type_elem(t), cap, &c->child);
        if (rc) { rf_free(c->data); rf_free(c); return rc; }
    }
    if (rf_type_base(t) == RF_TYPE_STRUCT && (c->nkids = rf_type_nfields(t)) > 0) {
        int rc = RF_OK;
        if (!(c->kids = rf_calloc((size_t)c->nkids, sizeof *c->kids))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
        for (int k = 0; k < c->nkids && !rc; k++) rc = rf_column_create(rf_type_field(t, k), cap, &c->kids[k]);
        if (rc) { rf_column_release(&c); return rc; }
    }
    *out = c;
    return RF_OK;
}

rf_column *rf_column_retain(rf_column *c)
{
    if (c) atomic_fetch_add(&c->refs, 1);
    return c;
}

void rf_column_release(rf_column **pc)
{
    rf_column *c = *pc;
    *pc = NULL;
    if (!c || atomic_fetch_sub(&c->refs, 1) != 1) return;
    rf_free(c->valid);
    rf_free(c->data);
    rf_free(c->bytes);
    rf_column_release(&c->child);
    for (int k = 0; k < c->nkids; k++) rf_column_release(&c->kids[k]);
    rf_free(c->kids);
    rf_free(c);
}

int rf_column_reserve(rf_column *c, int64_t rows, int64_t bytes)
{
    if (c->len + rows > c->cap) {
        int64_t nc = c->cap * 2;
        if (nc < c->len + rows) nc = c->len + rows;
        void *d = rf_realloc(c->data, (size_t)(nc + 1) * slot_width(c->type));
        if (!d) return rf__err_set(RF_ERR_NOMEM, "out of memory growing a column to %lld rows", (long long)nc);
        c->data = d;
        if (c->valid) {
            uint8_t *v = rf_realloc(c->valid, (size_t)(nc + 8) / 8);
            if (!v) return rf__err_set(RF_ERR_NOMEM, "out of memory");
            memset(v + (c->cap + 8) / 8, 0xff, (size_t)((nc + 8) / 8 - (c->cap + 8) / 8));
            c->valid = v;
        }
        c->cap = nc;
    }
    if (c->type == RF_TYPE_STRING && c->nbytes + bytes > c->capbytes) {
        int64_t nb = c->capbytes ? c->capbytes * 2 : 256;
        while (nb < c->nbytes + bytes) nb *= 2;
        char *b = rf_realloc(c->bytes, (size_t)nb);
        if (!b) return rf__err_set(RF_ERR_NOMEM, "out of memory growing string bytes to %lld", (long long)nb);
        c->bytes = b;
        c->capbytes = nb;
    }
    return RF_OK;
}

static int ensure_valid(rf_column *c)
{
    if (c->valid) return RF_OK;
    size_t n = (size_t)(c->cap + 8) / 8;
    c->valid = rf_malloc(n);
    if (!c->valid) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    memset(c->valid, 0xff, n);
    return RF_OK;
}

void rf_column_set_null(rf_column *c, int64_t i)
{
    if (ensure_valid(c)) return;
    c->valid[i >> 3] &= (uint8_t) ~(1u << (i & 7));
}

int rf_column_append_null(rf_column *c)
{
    int rc = rf_column_reserve(c, 1, 0);
    if (rc) return rc;
    for (int k = 0; k < c->nkids; k++)   /* a NULL struct has NULL fields */
        if ((rc = rf_column_append_null(c->kids[k]))) return rc;
    if ((rc = ensure_valid(c))) return rc;
    int64_t i = c->len++;
    size_t w = slot_width(c->type);
    if (rf_type_is_varlen(c->type)) {
        int64_t *o = c->data;
        o[i + 1] = o[i];
    } else {
        memset((char *)c->data + (size_t)i * w, 0, w);
    }
    c->valid[i >> 3] &= (uint8_t) ~(1u << (i & 7));
    return RF_OK;
}

int rf_column_append_i64(rf_column *c, int64_t v)
{
    int rc = rf_column_reserve(c, 1, 0);
    if (rc) return rc;
    int64_t i = c->len++;
    switch (rf_type_base(c->type)) {
    case RF_TYPE_BOOL: case RF_TYPE_NULL: ((uint8_t *)c->data)[i] = v != 0; break;
    case RF_TYPE_INT32: case RF_TYPE_DATE: ((int32_t *)c->data)[i] = (int32_t)v; break;
    case RF_TYPE_DOUBLE: ((double *)c->data)[i] = (double)v; break;
    case RF_TYPE_DECIMAL: { rf_dec x = (rf_dec)v * rf_dec_pow10(rf_type_scale(c->type)); memcpy((char *)c->data + i * 16, &x, 16); break; }
    default: ((int64_t *)c->data)[i] = v; break;
    }
    return RF_OK;
}

int rf_column_append_f64(rf_column *c, double v)
{
    int rc = rf_column_reserve(c, 1, 0);
    if (rc) return rc;
    ((double *)c->data)[c->len++] = v;
    return RF_OK;
}

int rf_column_append_dec(rf_column *c, rf_dec v)
{
    int rc = rf_column_reserve(c, 1, 0);
    if (rc) return rc;
    memcpy((char *)c->data + c->len++ * 16, &v, 16);
    return RF_OK;
}

int rf_column_append_str(rf_column *c, const char *s, int64_t len)
{
    int rc = rf_column_reserve(c, 1, len);
    if (rc) return rc;
    int64_t *o = c->data;
    if (len) memcpy(c->bytes + c->nbytes, s, (size_t)len);
    c->nbytes += len;
    o[c->len + 1] = c->nbytes;
    c->len++;
    return RF_OK;
}

int64_t rf_column_get_int(const rf_column *c, int64_t i)
{
    if (c->is_const) i = 0;
    switch (rf_type_base(c->type)) {
    case RF_TYPE_BOOL: case RF_TYPE_NULL: return ((const uint8_t *)c->data)[i];
    case RF_TYPE_INT32: case RF_TYPE_DATE: return ((const int32_t *)c->data)[i];
    case RF_TYPE_DOUBLE: return (int64_t)((const double *)c->data)[i];
    case RF_TYPE_DECIMAL: return (int64_t)(rf_col_dec(c, i) / rf_dec_pow10(rf_type_scale(c->type)));
    default: return ((const int64_t *)c->data)[i];
    }
}

int rf_column_append_from(rf_column *dst, const rf_column *src, int64_t i)
{
    if (!rf_column_valid(src, i)) return rf_column_append_null(dst);
    int64_t si = src->is_const ? 0 : i;
    if (src->type == RF_TYPE_STRING) {
        int64_t n;
        const char *p = rf_col_str(src, i, &n);
        return rf_column_append_str(dst, p, n);
    }
    if (src->child) {   /* array, map */
        const int64_t *o = src->data;
        int rc;
        if (o[si + 1] > o[si] && (rc = rf_column_reserve(dst->child, o[si + 1] - o[si], 0))) return rc;
        for (int64_t k = o[si]; k < o[si + 1]; k++)
            if ((rc = rf_column_append_from(dst->child, src->child, k))) return rc;
        return rf_column_end_list(dst);
    }
    if (rf_type_base(src->type) == RF_TYPE_STRUCT) {
        int rc;
        for (int k = 0; k < src->nkids; k++)
            if ((rc = rf_column_append_from(dst->kids[k], src->kids[k], si))) return rc;
        return rf_column_end_struct(dst);
    }
    int rc = rf_column_reserve(dst, 1, 0);
    if (rc) return rc;
    size_t w = rf_type_width(src->type);
    memcpy((char *)dst->data + (size_t)dst->len * w, (const char *)src->data + (size_t)si * w, w);
    dst->len++;
    return RF_OK;
}

int rf_column_end_list(rf_column *c)
{
    int rc = rf_column_reserve(c, 1, 0);
    if (rc) return rc;
    ((int64_t *)c->data)[c->len + 1] = c->child->len;
    c->len++;
    return RF_OK;
}

int rf_column_end_struct(rf_column *c)
{
    int rc = rf_column_reserve(c, 1, 0);
    if (rc) return rc;
    ((uint8_t *)c->data)[c->len++] = 1;
    return RF_OK;
}

int rf_column_append_value(rf_column *c, const rf_value *v)
{
    if (v->null || v->type == RF_TYPE_NULL) return rf_column_append_null(c);
    if (rf_type_is_nested(c->type)) return rf__err_set(RF_ERR_INTERNAL, "a %s value from a scalar", rf_type_name(c->type));
    if (rf_type_is_decimal(c->type)) {
        rf_dec x;
        int sc = rf_type_scale(c->type), p = rf_type_precision(c->type);
        bool ok = rf_type_is_decimal(v->type) ? rf_dec_rescale(v->v.x, rf_type_scale(v->type), sc, p, &x)
                : v->type == RF_TYPE_DOUBLE ? rf_dec_from_double(v->v.d, p, sc, &x)
                : rf_dec_rescale((rf_dec)v->v.i, 0, sc, p, &x);
        return ok ? rf_column_append_dec(c, x) : rf_column_append_null(c);
    }
    switch (c->type) {
    case RF_TYPE_STRING: return rf_column_append_str(c, v->v.s.p, v->v.s.len);
    case RF_TYPE_DOUBLE:
        return rf_column_append_f64(c, v->type == RF_TYPE_DOUBLE ? v->v.d
                                       : rf_type_is_decimal(v->type) ? rf_dec_to_double(v->v.x, rf_type_scale(v->type)) : (double)v->v.i);
    case RF_TYPE_BOOL: return rf_column_append_i64(c, v->type == RF_TYPE_BOOL ? v->v.b : v->v.i != 0);
    default:
        return rf_column_append_i64(c, v->type == RF_TYPE_DOUBLE ? (int64_t)v->v.d
                                       : rf_type_is_decimal(v->type) ? (int64_t)(v->v.x / rf_dec_pow10(rf_type_scale(v->type))) : v->v.i);
    }
}

int rf_column_get_value(const rf_column *c, int64_t i, rf_value *out)
{
    memset(out, 0, sizeof *out);
    out->type = c->type;
    if (!rf_column_valid(c, i)) { out->null = true; return RF_OK; }
    switch (rf_type_base(c->type)) {
    case RF_TYPE_DECIMAL: out->v.x = rf_col_dec(c, i); break;
    case RF_TYPE_STRING: out->v.s.p = (char *)rf_col_str(c, i, &out->v.s.len); break;
    case RF_TYPE_DOUBLE: out->v.d = rf_col_f64(c, i); break;
    case RF_TYPE_BOOL: out->v.b = rf_col_bool(c, i); break;
    case RF_TYPE_ARRAY: case RF_TYPE_MAP: case RF_TYPE_STRUCT:
        return rf__err_set(RF_ERR_INTERNAL, "%s value access", rf_type_name(c->type));
    default: out->v.i = rf_column_get_int(c, i); break;
    }
    return RF_OK;
}

int rf_column_gather(const rf_column *src, const int64_t *sel, int64_t off, int64_t n, rf_column **out)
{
    rf_column *c = NULL;
    int rc = rf_column_create(src->type, n, &c);
    if (rc) return rc;
    bool any_null = src->valid != NULL;
    if (rf_type_base(src->type) == RF_TYPE_STRUCT) {   /* gather each field */
        int64_t *idx = NULL;
        if (src->is_const || !sel) {
            if (!(idx = rf_malloc((size_t)(n ? n : 1) * sizeof *idx))) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); goto fail; }
            for (int64_t k = 0; k < n; k++) idx[k] = src->is_const ? 0 : off + k;
        }
        for (int k = 0; k < c->nkids && !rc; k++) {
            rf_column_release(&c->kids[k]);
            rc = rf_column_gather(src->kids[k], idx ? idx : sel, 0, n, &c->kids[k]);
        }
        rf_free(idx);
        if (!rc) rc = rf_column_reserve(c, n, 0);
        if (rc) goto fail;
        memset(c->data, 1, (size_t)n);
        c->len = n;
    } else if (src->type == RF_TYPE_STRING && !src->is_const) {
        const int64_t *so = src->data;
        int64_t total = 0;
        for (int64_t k = 0; k < n; k++) {
            int64_t i = sel ? sel[k] : off + k;
            total += so[i + 1] - so[i];
        }
        if ((rc = rf_column_reserve(c, 0, total))) goto fail;
        int64_t *o = c->data, pos = 0;
        for (int64_t k = 0; k < n; k++) {
            int64_t i = sel ? sel[k] : off + k;
            int64_t l = so[i + 1] - so[i];
            memcpy(c->bytes + pos, src->bytes + so[i], (size_t)l);
            pos += l;
            o[k + 1] = pos;
        }
        c->nbytes = pos;
        c->len = n;
    } else if (rf_type_is_varlen(src->type)) {
        for (int64_t k = 0; k < n; k++)
            if ((rc = rf_column_append_from(c, src, sel ? sel[k] : off + k))) goto fail;
        any_null = false;   /* append_from handled validity */
    } else {
        size_t w = rf_type_width(src->type);
        char *d = c->data;
        const char *s = src->data;
        if (src->is_const) {
            for (int64_t k = 0; k < n; k++) memcpy(d + (size_t)k * w, s, w);
        } else if (!sel) {
            memcpy(d, s + (size_t)off * w, (size_t)n * w);
        } else if (w == 8) {
            for (int64_t k = 0; k < n; k++) ((int64_t *)d)[k] = ((const int64_t *)s)[sel[k]];
        } else if (w == 4) {
            for (int64_t k = 0; k < n; k++) ((int32_t *)d)[k] = ((const int32_t *)s)[sel[k]];
        } else if (w == 16) {
            for (int64_t k = 0; k < n; k++) memcpy(d + (size_t)k * 16, s + (size_t)sel[k] * 16, 16);
        } else {
            for (int64_t k = 0; k < n; k++) d[k] = s[sel[k]];
        }
        c->len = n;
    }
    if (any_null) {
        if ((rc = ensure_valid(c))) goto fail;
        for (int64_t k = 0; k < n; k++)
            if (!rf_column_valid(src, sel ? sel[k] : off + k)) c->valid[k >> 3] &= (uint8_t) ~(1u << (k & 7));
    }
    *out = c;
    return RF_OK;
fail:
    rf_column_release(&c);
    return rc;
}

int rf_column_const(const rf_value *v, int64_t len, rf_column **out)
{
    rf_type t = v->type == RF_TYPE_NULL ? RF_TYPE_NULL : v->type;
    int rc = rf_column_create(t, 1, out);
    if (rc) return rc;
    if ((rc = rf_column_append_value(*out, v))) { rf_column_release(out); return rc; }
    (*out)->is_const = true;
    (*out)->len = len;
    return RF_OK;
}

int rf_column_expand(rf_column *c, int64_t len, rf_column **out)
{
    if (!c->is_const) { *out = rf_column_retain(c); return RF_OK; }
    return rf_column_gather(c, NULL, 0, len, out);
}

size_t rf_column_bytes(const rf_column *c)
{
    size_t n = (size_t)c->len * slot_width(c->type) + (size_t)c->nbytes + (c->valid ? (size_t)c->len / 8 : 0);
    if (c->child) n += rf_column_bytes(c->child);
    for (int k = 0; k < c->nkids; k++) n += rf_column_bytes(c->kids[k]);
    return n;
}

int rf_column_cmp(const rf_column *a, int64_t i, const rf_column *b, int64_t j)
{
    bool va = rf_column_valid(a, i), vb = rf_column_valid(b, j);
    if (!va || !vb) return va == vb ? 0 : (va ? 1 : -1);
    switch (rf_type_base(a->type)) {
    case RF_TYPE_DECIMAL: {
        rf_dec x = rf_col_dec(a, i), y = rf_col_dec(b, j);
        return x < y ? -1 : x > y;
    }
    case RF_TYPE_STRING: {
        int64_t la, lb;
        const char *pa = rf_col_str(a, i, &la), *pb = rf_col_str(b, j, &lb);
        int r = memcmp(pa, pb, (size_t)(la < lb ? la : lb));
        if (r) return r < 0 ? -1 : 1;
        return la < lb ? -1 : la > lb;
    }
    case RF_TYPE_DOUBLE: {
        double x = rf_col_f64(a, i), y = rf_col_f64(b, j);
        /* NaN sorts last and equals itself, as in Spark */
        if (x != x || y != y) return (x != x) - (y != y);
        return x < y ? -1 : x > y;
    }
    case RF_TYPE_ARRAY: case RF_TYPE_MAP: {
        int64_t alo, ahi, blo, bhi;
        rf_col_range(a, i, &alo, &ahi);
        rf_col_range(b, j, &blo, &bhi);
        for (; alo < ahi && blo < bhi; alo++, blo++) {
            int r = rf_column_cmp(a->child, alo, b->child, blo);
            if (r) return r;
        }
        return (alo < ahi) - (blo < bhi);
    }
    case RF_TYPE_STRUCT:
        for (int k = 0; k < a->nkids && k < b->nkids; k++) {
            int r = rf_column_cmp(a->kids[k], rf_col_row(a, i), b->kids[k], rf_col_row(b, j));
            if (r) return r;
        }
        return 0;
    default: {
        int64_t x = rf_column_get_int(a, i), y = rf_column_get_int(b, j);
        return x < y ? -1 : x > y;
    }
    }
}

bool rf_column_eq(const rf_column *a, int64_t i, const rf_column *b, int64_t j)
{
    if (a->type == RF_TYPE_STRING && b->type == RF_TYPE_STRING) {
        bool va = rf_column_valid(a, i), vb = rf_column_valid(b, j);
        if (!va || !vb) return va == vb;
        int64_t la, lb;
        const char *pa = rf_col_str(a, i, &la), *pb = rf_col_str(b, j, &lb);
        return la == lb && memcmp(pa, pb, (size_t)la) == 0;
    }
    return rf_column_cmp(a, i, b, j) == 0;
}

void rf_value_fini(rf_value *v)
{
    if (v->type == RF_TYPE_STRING && !v->null) RF_FREE(v->v.s.p);
}

int rf_value_copy(rf_value *dst, const rf_value *src)
{
    *dst = *src;
    if (src->type == RF_TYPE_STRING && !src->null) {
        dst->v.s.p = rf_strndup(src->v.s.p ? src->v.s.p : "", (size_t)src->v.s.len);
        if (!dst->v.s.p) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    }
    return RF_OK;
}
