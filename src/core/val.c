/*
 * val.c — RDD values: typed byte strings that sort as their bytes (riffle/udf.h, docs/FORMAT.md).
 *
 * A value is its kind's byte, then:
 *   None          nothing
 *   int           8 bytes big-endian of v ^ 2^63 (so that memcmp orders them numerically)
 *   double        8 bytes big-endian of its bits, all flipped when negative, else the sign bit
 *                 set (-0 is written as 0, every NaN as one NaN, which sorts last)
 *   string, bytes the bytes as they are
 *   tuple, list   the elements, each in its nested form
 * Nested form (inside a tuple or list): None, ints and doubles as above; strings and bytes with
 * each 0x00 written 0x00 0xFF, then a 0x00; tuples and lists their elements, then a 0x00. Every
 * kind byte is above 0x00, so a terminator sorts before any further element: tuples and lists
 * compare element by element, a prefix first.
 * A nested element without escapes is its top-level form plus a terminator, so rf_val_at() returns
 * a slice of the tuple; only a string holding 0x00 is copied, into the thread's scratch area.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "core/core.h"
#include "riffle/udf.h"

/* ---------------------------------------------------------------- scratch area (per thread) */
/* Two areas a thread: the engine's, while it runs a task (callbacks build there, and the engine
 * resets it between records), and the user's otherwise (driver code building records for
 * parallelize or zero values), reset only by rf_val_scratch_reset(): a job running tasks on the
 * driver's thread never frees what the driver code built. */
typedef struct blk { struct blk *next; size_t used, cap; uint8_t data[]; } blk;
static _Thread_local blk *scratch_user, *scratch_eng;
static _Thread_local int engine_depth;
#define scratch (*(engine_depth ? &scratch_eng : &scratch_user))

static uint8_t *scratch_alloc(size_t n)
{
    if (!scratch || scratch->cap - scratch->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        blk *b = rf_malloc(sizeof *b + cap);
        if (!b) return NULL;
        b->next = scratch;
        b->used = 0;
        b->cap = cap;
        scratch = b;
    }
    uint8_t *p = scratch->data + scratch->used;
    scratch->used += n;
    return p;
}

void rf_val_scratch_reset(void)
{
    while (scratch && scratch->next) { blk *n = scratch->next; rf_free(scratch); scratch = n; }
    if (scratch) scratch->used = 0;
}

void rf__val_engine_enter(void) { engine_depth++; }
void rf__val_engine_leave(void) { if (engine_depth > 0 && --engine_depth == 0) { engine_depth = 1; rf_val_scratch_reset(); engine_depth = 0; } }
void rf__val_engine_reset(void) { if (engine_depth) rf_val_scratch_reset(); }

/* ---------------------------------------------------------------- reading */
static inline uint64_t be64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}
static inline void put_be64(uint8_t *p, uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    memcpy(p, &v, 8);
}

rf_vkind rf_val_kind(rf_val v) { return v.n ? (rf_vkind)v.p[0] : RF_V_ABSENT; }

static double dec_double(const uint8_t *p)
{
    uint64_t b = be64(p);
    b = (b >> 63) ? b ^ (1ULL << 63) : ~b;
    double d;
    memcpy(&d, &b, 8);
    return d;
}

int64_t rf_val_int(rf_val v)
{
    if (v.n == 9 && v.p[0] == RF_V_INT) return (int64_t)(be64(v.p + 1) ^ (1ULL << 63));
    if (v.n == 9 && v.p[0] == RF_V_DOUBLE) {
        double d = dec_double(v.p + 1);
        return isnan(d) ? 0 : d >= 9.2233720368547758e18 ? INT64_MAX : d <= -9.2233720368547758e18 ? INT64_MIN : (int64_t)d;
    }
    return 0;
}

double rf_val_double(rf_val v)
{
    if (v.n == 9 && v.p[0] == RF_V_DOUBLE) return dec_double(v.p + 1);
    if (v.n == 9 && v.p[0] == RF_V_INT) return (double)rf_val_int(v);
    return 0;
}

const char *rf_val_str(rf_val v, size_t *len)
{
    if (!v.n || (v.p[0] != RF_V_STR && v.p[0] != RF_V_BYTES)) { if (len) *len = 0; return NULL; }
    if (len) *len = v.n - 1;
    return (const char *)v.p + 1;
}

/* Length of the nested element at p (end e), with its terminator; 0 when malformed. *esc: it
 * holds escaped 0x00 bytes. */
static size_t nested_len(const uint8_t *p, const uint8_t *e, bool *esc, int depth)
{
    if (p >= e || depth > 64) return 0;
    switch (p[0]) {
    case RF_V_NONE: return 1;
    case RF_V_INT: case RF_V_DOUBLE: return e - p >= 9 ? 9 : 0;
    case RF_V_STR: case RF_V_BYTES:
        for (const uint8_t *q = p + 1; q < e; q++) {
            if (*q) continue;
            if (q + 1 < e && q[1] == 0xFF) { if (esc) *esc = true; q++; continue; }
            return (size_t)(q - p) + 1;
        }
        return 0;
    case RF_V_TUPLE: case RF_V_LIST: {
        const uint8_t *q = p + 1;
        while (q < e && *q) {
            size_t n = nested_len(q, e, NULL, depth + 1);
            if (!n) return 0;
            q += n;
        }
        return q < e ? (size_t)(q - p) + 1 : 0;
    }
    default: return 0;
    }
}

/* The top-level form of the nested element at p of length n. */
static rf_val unnest(const uint8_t *p, size_t n, bool esc)
{
    if (p[0] == RF_V_NONE || p[0] == RF_V_INT || p[0] == RF_V_DOUBLE) return (rf_val){ p, n };
    if (!esc) return (rf_val){ p, n - 1 };   /* drop the terminator */
    uint8_t *o = scratch_alloc(n);
    if (!o) return (rf_val){ NULL, 0 };
    size_t k = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        o[k++] = p[i];
        if (i > 0 && p[i] == 0) i++;   /* 0x00 0xFF -> 0x00 */
    }
    return (rf_val){ o, k };
}

bool rf_val_next(rf_val v, size_t *pos, rf_val *elem)
{
    if (v.n == 0 || (v.p[0] != RF_V_TUPLE && v.p[0] != RF_V_LIST)) return false;
    size_t at = *pos ? *pos : 1;
    if (at >= v.n) return false;
    bool esc = false;
    size_t n = nested_len(v.p + at, v.p + v.n, &esc, 0);
    if (!n) return false;
    *elem = unnest(v.p + at, n, esc);
    *pos = at + n;
    return true;
}

int rf_val_count(rf_val v)
{
    if (v.n == 0 || (v.p[0] != RF_V_TUPLE && v.p[0] != RF_V_LIST)) return -1;
    int k = 0;
    for (size_t at = 1; at < v.n; k++) {
        size_t n = nested_len(v.p + at, v.p + v.n, NULL, 0);
        if (!n) break;
        at += n;
    }
    return k;
}

rf_val rf_val_at(rf_val v, int i)
{
    size_t pos = 0;
    rf_val e = { NULL, 0 };
    for (int k = 0; k <= i; k++) if (!rf_val_next(v, &pos, &e)) return (rf_val){ NULL, 0 };
    return i >= 0 ? e : (rf_val){ NULL, 0 };
}

int rf_val_cmp(rf_val a, rf_val b)
{
    size_t m = a.n < b.n ? a.n : b.n;
    int c = m ? memcmp(a.p, b.p, m) : 0;
    return c ? c : (a.n > b.n) - (a.n < b.n);
}

bool rf_val_eq(rf_val a, rf_val b) { return a.n == b.n && (!a.n || !memcmp(a.p, b.p, a.n)); }

/* ---------------------------------------------------------------- formatting */
typedef struct { char *buf; size_t cap, len; } out_t;
static void out_put(out_t *o, const char *s, size_t n)
{
    if (o->len < o->cap) {
        size_t k = o->cap - o->len < n ? o->cap - o->len : n;
        memcpy(o->buf + o->len, s, k);
    }
    o->len += n;
}

static void format(out_t *o, rf_val v, bool nested)
{
    char t[64];
    switch (rf_val_kind(v)) {
    case RF_V_INT: out_put(o, t, (size_t)snprintf(t, sizeof t, "%lld", (long long)rf_val_int(v))); break;
    case RF_V_DOUBLE: out_put(o, t, rf_format_double(rf_val_double(v), t, sizeof t)); break;
    case RF_V_STR: case RF_V_BYTES: out_put(o, (const char *)v.p + 1, v.n - 1); break;
    case RF_V_TUPLE: case RF_V_LIST: {
        bool list = v.p[0] == RF_V_LIST;
        if (list || nested) out_put(o, list ? "[" : "(", 1);
        size_t pos = 0;
        rf_val e;
        for (int k = 0; rf_val_next(v, &pos, &e); k++) {
            if (k) out_put(o, ",", 1);
            format(o, e, true);
        }
        if (list || nested) out_put(o, list ? "]" : ")", 1);
        break;
    }
    default: break;   /* None, absent: nothing */
    }
}

size_t rf_val_format(rf_val v, char *buf, size_t cap)
{
    out_t o = { buf, cap ? cap - 1 : 0, 0 };
    format(&o, v, false);
    if (cap) buf[o.len < cap - 1 ? o.len : cap - 1] = '\0';
    return o.len;
}

/* ---------------------------------------------------------------- building */
static rf_val mk(uint8_t tag, const void *p, size_t n)
{
    uint8_t *o = scratch_alloc(n + 1);
    if (!o) return (rf_val){ NULL, 0 };
    o[0] = tag;
    if (n) memcpy(o + 1, p, n);
    return (rf_val){ o, n + 1 };
}

rf_val rf_none(void) { static const uint8_t none = RF_V_NONE; return (rf_val){ &none, 1 }; }

rf_val rf_int(int64_t v)
{
    uint8_t *o = scratch_alloc(9);
    if (!o) return (rf_val){ NULL, 0 };
    o[0] = RF_V_INT;
    put_be64(o + 1, (uint64_t)v ^ (1ULL << 63));
    return (rf_val){ o, 9 };
}

rf_val rf_double(double d)
{
    uint64_t u;
    if (d == 0) d = 0;                 /* -0 -> 0 */
    if (isnan(d)) d = NAN;
    memcpy(&u, &d, 8);
    if (isnan(d)) u = 0x7ff8000000000000ULL;
    u = (u >> 63) ? ~u : u | (1ULL << 63);
    uint8_t b[8];
    put_be64(b, u);
    return mk(RF_V_DOUBLE, b, 8);
}

rf_val rf_strn(const char *s, size_t n) { return mk(RF_V_STR, s, n); }
rf_val rf_str(const char *s) { return rf_strn(s ? s : "", s ? strlen(s) : 0); }
rf_val rf_bytes(const void *p, size_t n) { return mk(RF_V_BYTES, p, n); }
rf_val rf_val_copy(rf_val v) { return v.n ? mk(v.p[0], v.p + 1, v.n - 1) : v; }

/* Bytes of element v in nested form. */
static size_t nested_size(rf_val v)
{
    switch (rf_val_kind(v)) {
    case RF_V_STR: case RF_V_BYTES: {
        size_t z = 0;
        for (size_t i = 1; i < v.n; i++) z += v.p[i] == 0;
        return v.n + z + 1;
    }
    case RF_V_TUPLE: case RF_V_LIST: return v.n + 1;
    default: return v.n;
    }
}

static uint8_t *put_nested(uint8_t *o, rf_val v)
{
    rf_vkind k = rf_val_kind(v);
    if (k == RF_V_STR || k == RF_V_BYTES) {
        *o++ = v.p[0];
        for (size_t i = 1; i < v.n; i++) { *o++ = v.p[i]; if (!v.p[i]) *o++ = 0xFF; }
        *o++ = 0;
        return o;
    }
    memcpy(o, v.p, v.n);
    o += v.n;
    if (k == RF_V_TUPLE || k == RF_V_LIST) *o++ = 0;
    return o;
}

static rf_val seq(uint8_t tag, int n, const rf_val *e)
{
    size_t sz = 1;
    for (int i = 0; i < n; i++) {
        if (!e[i].n) return (rf_val){ NULL, 0 };   /* an absent element: refused */
        sz += nested_size(e[i]);
    }
    uint8_t *o = scratch_alloc(sz), *w = o;
    if (!o) return (rf_val){ NULL, 0 };
    *w++ = tag;
    for (int i = 0; i < n; i++) w = put_nested(w, e[i]);
    return (rf_val){ o, (size_t)(w - o) };
}

rf_val rf_tuplev(int n, const rf_val *elems) { return seq(RF_V_TUPLE, n, elems); }
rf_val rf_list(int n, const rf_val *elems) { return seq(RF_V_LIST, n, elems); }

rf_val rf_tuple(int n, ...)
{
    rf_val e[64];
    if (n < 0 || n > 64) return (rf_val){ NULL, 0 };
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) e[i] = va_arg(ap, rf_val);
    va_end(ap);
    return seq(RF_V_TUPLE, n, e);
}

/* ---------------------------------------------------------------- for the engine */
/* Whether bytes [p, p+n) are one well-formed value (what an RDD column must hold). */
bool rf__val_valid(const uint8_t *p, size_t n)
{
    if (!n) return false;
    switch (p[0]) {
    case RF_V_NONE: return n == 1;
    case RF_V_INT: case RF_V_DOUBLE: return n == 9;
    case RF_V_STR: case RF_V_BYTES: return true;
    case RF_V_TUPLE: case RF_V_LIST:
        for (size_t at = 1; at < n;) {
            size_t k = nested_len(p + at, p + n, NULL, 0);
            if (!k) return false;
            at += k;
        }
        return true;
    default: return false;
    }
}

/* Appends element v (top-level form) to a list being built in b (a list's bytes, tag first). */
int rf__val_list_append(rf_buf *b, rf_val v)
{
    if (b->len == 0 && rf_buf_put_u8(b, RF_V_LIST)) return RF_ERR_NOMEM;
    size_t need = nested_size(v);
    if (rf_buf_reserve(b, need)) return RF_ERR_NOMEM;
    uint8_t *w = put_nested(b->data + b->len, v);
    b->len = (size_t)(w - b->data);
    return RF_OK;
}
