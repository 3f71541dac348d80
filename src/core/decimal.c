/*
 * decimal.c — exact DECIMAL(p,s) arithmetic on 128-bit unscaled values, with Spark's rules.
 *
 * A value u of type decimal(p,s) means u / 10^s and fits when |u| < 10^p. Results round HALF_UP
 * (away from zero on a tie), as java.math.BigDecimal does in Spark; a result that does not fit its
 * type is an overflow, which the caller turns into NULL (Spark's non-ANSI behaviour).
 *
 * Multiplication and division go through 256-bit intermediates, so decimal(38,10) * decimal(38,10)
 * is exact before its final rounding. The 256-bit helpers are the few this file needs, not a library.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "core/core.h"

typedef unsigned __int128 u128;

rf_dec rf_dec_pow10(int k)
{
    static rf_dec tab[RF_DECIMAL_MAX_PRECISION + 1];
    static bool ready;   /* benign race: every thread writes the same values */
    if (!ready) {
        rf_dec v = 1;
        for (int i = 0; i <= RF_DECIMAL_MAX_PRECISION; i++) { tab[i] = v; if (i < RF_DECIMAL_MAX_PRECISION) v *= 10; }
        ready = true;
    }
    return tab[k < 0 ? 0 : k > RF_DECIMAL_MAX_PRECISION ? RF_DECIMAL_MAX_PRECISION : k];
}

bool rf_dec_fits(rf_dec v, int p)
{
    rf_dec lim = rf_dec_pow10(p);
    return v < lim && v > -lim;
}

/* ---------------------------------------------------------------- 256-bit unsigned helpers */
typedef struct { uint64_t w[4]; } u256;   /* little-endian words */

static u256 u256_of(u128 v) { return (u256){ { (uint64_t)v, (uint64_t)(v >> 64), 0, 0 } }; }

static u256 u256_mul64(u256 a, uint64_t m)
{
    u256 r;
    u128 carry = 0;
    for (int i = 0; i < 4; i++) {
        u128 t = (u128)a.w[i] * m + carry;
        r.w[i] = (uint64_t)t;
        carry = t >> 64;
    }
    return r;   /* callers stay below 2^256 */
}

static u256 u256_add(u256 a, u256 b)
{
    u256 r;
    u128 carry = 0;
    for (int i = 0; i < 4; i++) {
        u128 t = (u128)a.w[i] + b.w[i] + carry;
        r.w[i] = (uint64_t)t;
        carry = t >> 64;
    }
    return r;
}

static u256 u256_mul128(u128 a, u128 b)
{
    u256 lo = u256_mul64(u256_of(a), (uint64_t)b), hi = u256_mul64(u256_of(a), (uint64_t)(b >> 64));
    hi = (u256){ { 0, hi.w[0], hi.w[1], hi.w[2] } };
    return u256_add(lo, hi);
}

static u256 u256_mul_pow10(u256 a, int k)
{
    for (; k >= 19; k -= 19) a = u256_mul64(a, 10000000000000000000ULL);
    return u256_mul64(a, (uint64_t)rf_dec_pow10(k));
}

static int u256_cmp(u256 a, u256 b)
{
    for (int i = 3; i >= 0; i--) if (a.w[i] != b.w[i]) return a.w[i] < b.w[i] ? -1 : 1;
    return 0;
}

static u256 u256_sub(u256 a, u256 b)
{
    u256 r;
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        uint64_t x = a.w[i] - b.w[i] - borrow;
        borrow = (a.w[i] < b.w[i]) || (a.w[i] - b.w[i] < borrow);
        r.w[i] = x;
    }
    return r;
}

static int u256_bits(u256 a)
{
    for (int i = 3; i >= 0; i--) if (a.w[i]) return i * 64 + 64 - __builtin_clzll(a.w[i]);
    return 0;
}

/* num / den rounded HALF_UP (den != 0); false when the quotient does not fit 127 bits. */
static bool u256_div_round(u256 num, u256 den, u128 *out)
{
    u256 q = { { 0 } }, r = { { 0 } };
    for (int i = u256_bits(num) - 1; i >= 0; i--) {
        r = (u256){ { r.w[0] << 1 | (num.w[i / 64] >> (i % 64) & 1), r.w[1] << 1 | r.w[0] >> 63,
                      r.w[2] << 1 | r.w[1] >> 63, r.w[3] << 1 | r.w[2] >> 63 } };
        if (u256_cmp(r, den) >= 0) { r = u256_sub(r, den); q.w[i / 64] |= 1ULL << (i % 64); }
    }
    u256 twice = u256_add(r, r);
    if (u256_cmp(twice, den) >= 0) q = u256_add(q, u256_of(1));
    if (q.w[2] || q.w[3] || q.w[1] >> 63) return false;
    *out = (u128)q.w[1] << 64 | q.w[0];
    return true;
}

static u128 uabs(rf_dec v) { return v < 0 ? (u128)0 - (u128)v : (u128)v; }

/* sign * mag, checked against precision p. */
static bool finish(bool neg, u128 mag, int p, rf_dec *out)
{
    if (mag >> 127) return false;
    rf_dec v = neg ? -(rf_dec)mag : (rf_dec)mag;
    if (!rf_dec_fits(v, p)) return false;
    *out = v;
    return true;
}

/* ---------------------------------------------------------------- scaling and conversion */
bool rf_dec_rescale(rf_dec v, int from, int to, int p, rf_dec *out)
{
    if (to >= from && to - from <= RF_DECIMAL_MAX_PRECISION) {   /* in 128 bits when the product fits them */
        rf_dec m = rf_dec_pow10(to - from), w;
        bool fits128 = true;
        if (v == (int64_t)v && m == (int64_t)m) w = (rf_dec)(int64_t)v * (int64_t)m;   /* 64 x 64 bits: no overflow */
        else fits128 = !__builtin_mul_overflow(v, m, &w);
        if (fits128) {
            if (!rf_dec_fits(w, p)) return false;
            *out = w;
            return true;
        }
    }
    if (to >= from) {   /* the product passes 128 bits (or 10^38): only 0 fits */
        if (v != 0) return false;
        *out = 0;
        return true;
    }
    if (from - to > RF_DECIMAL_MAX_PRECISION) { *out = 0; return true; }   /* |v| < 2^127 < 10^39 / 2 */
    rf_dec d = rf_dec_pow10(from - to);
    u128 a = uabs(v), q = a / (u128)d, r = a % (u128)d;
    if (r * 2 >= (u128)d) q++;
    return finish(v < 0, q, p, out);
}

bool rf_dec_mul(rf_dec a, int sa, rf_dec b, int sb, int p, int s, rf_dec *out)
{
    int exact = sa + sb;
    rf_dec ab;
    if (!__builtin_mul_overflow(a, b, &ab)) return rf_dec_rescale(ab, exact, s, p, out);   /* the common case: 128 bits */
    u256 m = u256_mul128(uabs(a), uabs(b));
    u128 q;
    if (s >= exact) {
        m = u256_mul_pow10(m, s - exact);
        if (m.w[2] || m.w[3]) return false;
        q = (u128)m.w[1] << 64 | m.w[0];
    } else if (!u256_div_round(m, u256_mul_pow10(u256_of(1), exact - s), &q)) return false;
    return finish((a < 0) != (b < 0), q, p, out);
}

bool rf_dec_div(rf_dec a, int sa, rf_dec b, int sb, int p, int s, rf_dec *out)
{
    if (b == 0) return false;
    /* a/10^sa / (b/10^sb) at scale s = a * 10^(s - sa + sb) / b */
    int k = s - sa + sb;
    u256 num = u256_of(uabs(a)), den = u256_of(uabs(b));
    if (k >= 0) num = u256_mul_pow10(num, k);
    else den = u256_mul_pow10(den, -k);
    u128 q;
    if (!u256_div_round(num, den, &q)) return false;
    return finish((a < 0) != (b < 0), q, p, out);
}

bool rf_dec_parse(const char *s, size_t n, int p, int sc, rf_dec *out)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
    while (n > i && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    bool neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    u128 mag = 0;
    int digits = 0, frac = 0, dropped = 0;   /* significant digits kept, digits after the point, digits beyond 38 */
    bool point = false, any = false;
    int exp = 0;
    for (; i < n; i++) {
        char c = s[i];
        if (c == '.' && !point) { point = true; continue; }
        if (c == 'e' || c == 'E') {
            bool eneg = false;
            int64_t e = 0;
            if (++i < n && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
            if (i >= n) return false;
            for (; i < n; i++) {
                if (s[i] < '0' || s[i] > '9') return false;
                if (e < 100000) e = e * 10 + (s[i] - '0');
            }
            exp = (int)(eneg ? -e : e);
            break;
        }
        if (c < '0' || c > '9') return false;
        any = true;
        if (digits >= RF_DECIMAL_MAX_PRECISION) {   /* beyond what any type holds (and 10^39 > 2^128) */
            if (!point) dropped++;   /* later fraction digits are below any scale's rounding point */
            continue;
        }
        if (mag == 0 && c == '0' && !point) continue;
        mag = mag * 10 + (u128)(c - '0');
        if (mag) digits++;
        if (point) frac++;
    }
    if (!any) return false;
    /* the value is mag * 10^(dropped + exp - frac); bring it to scale sc */
    int shift = sc + exp + dropped - frac;
    rf_dec v = neg ? -(rf_dec)mag : (rf_dec)mag;
    if (shift >= 0) {
        if (shift > 2 * RF_DECIMAL_MAX_PRECISION) return mag == 0 ? (*out = 0, true) : false;
        return rf_dec_rescale(v, 0, shift, p, out);
    }
    if (-shift > RF_DECIMAL_MAX_PRECISION) { *out = 0; return true; }
    return rf_dec_rescale(v, -shift, 0, p, out);
}

size_t rf_dec_format(rf_dec v, int sc, char *buf, size_t cap)
{
    char d[48];
    int n = 0;
    u128 a = uabs(v);
    do { d[n++] = (char)('0' + (int)(a % 10)); a /= 10; } while (a);
    while (n <= sc) d[n++] = '0';   /* at least one digit before the point */
    char tmp[64];
    size_t k = 0;
    if (v < 0) tmp[k++] = '-';
    for (int i = n - 1; i >= 0; i--) {
        tmp[k++] = d[i];
        if (i == sc && sc > 0) tmp[k++] = '.';
    }
    tmp[k] = '\0';
    if (cap) snprintf(buf, cap, "%s", tmp);
    return k;
}

double rf_dec_to_double(rf_dec v, int sc)
{
    static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };
    /* both operands exact in a double: one correctly rounded division */
    if (v < ((rf_dec)1 << 53) && v > -((rf_dec)1 << 53) && sc <= 22) return (double)(int64_t)v / p10[sc];
    char buf[64];
    rf_dec_format(v, sc, buf, sizeof buf);
    return strtod(buf, NULL);
}

bool rf_dec_from_double(double d, int p, int sc, rf_dec *out)
{
    if (d != d || isinf(d)) return false;
    char buf[64];
    size_t n = rf_format_double(d, buf, sizeof buf);
    return rf_dec_parse(buf, n, p, sc, out);
}

/* ---------------------------------------------------------------- Spark's result types */
rf_type rf_dec_bounded(int p, int s)
{
    if (p <= RF_DECIMAL_MAX_PRECISION) return rf_type_decimal(p < 1 ? 1 : p, s);
    int int_digits = p - s, min_scale = s < 6 ? s : 6;
    int ns = RF_DECIMAL_MAX_PRECISION - int_digits;
    if (ns < min_scale) ns = min_scale;
    return rf_type_decimal(RF_DECIMAL_MAX_PRECISION, ns);
}

rf_type rf_dec_of_integer(rf_type t)
{
    switch (rf_type_base(t)) {
    case RF_TYPE_BOOL: return rf_type_decimal(1, 0);
    case RF_TYPE_INT32: return rf_type_decimal(10, 0);
    case RF_TYPE_INT64: return rf_type_decimal(20, 0);
    default: return t;
    }
}

rf_type rf_dec_wider(rf_type a, rf_type b)
{
    int pa = rf_type_precision(a), sa = rf_type_scale(a), pb = rf_type_precision(b), sb = rf_type_scale(b);
    int s = sa > sb ? sa : sb, id = pa - sa > pb - sb ? pa - sa : pb - sb;
    if (id + s > RF_DECIMAL_MAX_PRECISION) {   /* Spark keeps the integral digits and gives up scale */
        s = RF_DECIMAL_MAX_PRECISION - id;
        if (s < 0) s = 0;
        id = RF_DECIMAL_MAX_PRECISION - s;
    }
    return rf_type_decimal(id + s, s);
}
