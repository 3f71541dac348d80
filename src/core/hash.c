/*
 * hash.c — the one hash function riffle uses for partitioning, joins and aggregation.
 * It must give the same value on every rank and every thread count: results depend on it.
 */
#include "core/core.h"

static inline uint64_t rd64(const unsigned char *p) { uint64_t v; memcpy(&v, p, 8); return v; }

uint64_t rf_hash_bytes(const void *data, size_t n, uint64_t seed)
{
    const unsigned char *p = data;
    uint64_t h = seed ^ (0x9e3779b97f4a7c15ULL * (n + 1));
    while (n >= 8) {
        h = (h ^ rf_hash_u64(rd64(p))) * 0x100000001b3ULL;
        p += 8;
        n -= 8;
    }
    uint64_t t = 0;
    for (size_t i = 0; i < n; i++) t |= (uint64_t)p[i] << (8 * i);
    return rf_hash_u64(h ^ t ^ (n << 56));
}

/* The hash of one nested value (arrays, maps and structs hash their elements in order). */
static uint64_t hash_nested(const rf_column *c, int64_t i)
{
    uint64_t h = 0x2545f4914f6cdd1dULL ^ (uint64_t)rf_type_base(c->type);
    if (c->child) {
        int64_t lo, hi;
        rf_col_range(c, i, &lo, &hi);
        for (int64_t k = lo; k < hi; k++) { uint64_t e = h; rf_hash_column_rows(c->child, k, 1, &e); h = e; }
        return rf_hash_mix(h, (uint64_t)(hi - lo));
    }
    for (int k = 0; k < c->nkids; k++) { uint64_t e = h; rf_hash_column_rows(c->kids[k], rf_col_row(c, i), 1, &e); h = e; }
    return h;
}

void rf_hash_column(const rf_column *c, int64_t n, uint64_t *h) { rf_hash_column_rows(c, 0, n, h); }

void rf_hash_column_rows(const rf_column *c, int64_t from, int64_t n, uint64_t *h)
{
    const uint64_t null_h = 0x5bd1e9955bd1e995ULL;
    if (!c->is_const) {   /* the common types in a loop of their own (the same values as below) */
        rf_type t = rf_type_base(c->type);
        if (t == RF_TYPE_INT64 || t == RF_TYPE_TIMESTAMP) {
            const int64_t *d = (const int64_t *)c->data + from;
            if (!c->valid) { for (int64_t r = 0; r < n; r++) h[r] = rf_hash_mix(h[r], rf_hash_u64((uint64_t)d[r])); return; }
            for (int64_t r = 0; r < n; r++) h[r] = rf_hash_mix(h[r], rf_column_valid(c, from + r) ? rf_hash_u64((uint64_t)d[r]) : null_h);
            return;
        }
        if (t == RF_TYPE_INT32 || t == RF_TYPE_DATE) {
            const int32_t *d = (const int32_t *)c->data + from;
            if (!c->valid) { for (int64_t r = 0; r < n; r++) h[r] = rf_hash_mix(h[r], rf_hash_u64((uint64_t)(int64_t)d[r])); return; }
            for (int64_t r = 0; r < n; r++) h[r] = rf_hash_mix(h[r], rf_column_valid(c, from + r) ? rf_hash_u64((uint64_t)(int64_t)d[r]) : null_h);
            return;
        }
        if (t == RF_TYPE_STRING) {
            const int64_t *o = (const int64_t *)c->data;
            for (int64_t r = 0; r < n; r++) {
                int64_t i = from + r;
                h[r] = rf_hash_mix(h[r], !c->valid || rf_column_valid(c, i) ? rf_hash_bytes(c->bytes + o[i], (size_t)(o[i + 1] - o[i]), 0) : null_h);
            }
            return;
        }
    }
    for (int64_t r = 0; r < n; r++) {
        uint64_t v;
        int64_t i = from + r;
        if (!rf_column_valid(c, i)) v = null_h;
        else switch (rf_type_base(c->type)) {
        case RF_TYPE_ARRAY: case RF_TYPE_MAP: case RF_TYPE_STRUCT: v = hash_nested(c, i); break;
        case RF_TYPE_DECIMAL: {
            rf_dec x = rf_col_dec(c, i);
            v = rf_hash_u64((uint64_t)x ^ rf_hash_u64((uint64_t)((unsigned __int128)x >> 64)));
            break;
        }
        case RF_TYPE_STRING: {
            int64_t len;
            const char *p = rf_col_str(c, i, &len);
            v = rf_hash_bytes(p, (size_t)len, 0);
            break;
        }
        case RF_TYPE_DOUBLE: {
            double d = rf_col_f64(c, i);
            if (d == 0) d = 0;   /* -0.0 and 0.0 group together */
            if (d == (double)(int64_t)d) v = rf_hash_u64((uint64_t)(int64_t)d);
            else { memcpy(&v, &d, 8); v = rf_hash_u64(v ^ 0x1234567ULL); }
            break;
        }
        default: v = rf_hash_u64((uint64_t)rf_column_get_int(c, i)); break;
        }
        h[r] = rf_hash_mix(h[r], v);
    }
}
