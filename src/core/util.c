/*
 * util.c — civil dates, number and date parsing, Spark-compatible value formatting, a stable
 * index sort and small helpers.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "core/core.h"

/* Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian). */
int32_t rf_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + (int64_t)doe - 719468);
}

void rf_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool digits(const char *s, size_t n, size_t *pos, int count, int *out)
{
    int v = 0, k = 0;
    while (*pos < n && k < count && s[*pos] >= '0' && s[*pos] <= '9') v = v * 10 + (s[(*pos)++] - '0'), k++;
    *out = v;
    return k > 0;
}

static bool days_in_month_ok(int y, int m, int d)
{
    static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m < 1 || m > 12 || d < 1) return false;
    int lim = dm[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    return d <= lim;
}

/* yyyy-m[m]-d[d], optionally followed by 'T' or ' ' and a time (ignored by dates). */
static bool parse_ymd(const char *s, size_t n, size_t *pos, int32_t *out)
{
    int y, m, d;
    if (*pos == 0 && n >= 10 && s[4] == '-' && s[7] == '-' && (n == 10 || s[10] == ' ' || s[10] == 'T')) {   /* yyyy-mm-dd */
        unsigned v[8] = { (unsigned)(s[0] - '0'), (unsigned)(s[1] - '0'), (unsigned)(s[2] - '0'), (unsigned)(s[3] - '0'),
                          (unsigned)(s[5] - '0'), (unsigned)(s[6] - '0'), (unsigned)(s[8] - '0'), (unsigned)(s[9] - '0') };
        bool digits_ok = true;
        for (int k = 0; k < 8; k++) digits_ok &= v[k] <= 9;
        if (digits_ok) {
            y = (int)(v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3]);
            m = (int)(v[4] * 10 + v[5]);
            d = (int)(v[6] * 10 + v[7]);
            if (!days_in_month_ok(y, m, d)) return false;
            *out = rf_days_from_civil(y, (unsigned)m, (unsigned)d);
            *pos = 10;
            return true;
        }
    }
    while (*pos < n && s[*pos] == ' ') (*pos)++;
    if (!digits(s, n, pos, 4, &y) || *pos >= n || s[*pos] != '-') return false;
    (*pos)++;
    if (!digits(s, n, pos, 2, &m) || *pos >= n || s[*pos] != '-') return false;
    (*pos)++;
    if (!digits(s, n, pos, 2, &d) || !days_in_month_ok(y, m, d)) return false;
    *out = rf_days_from_civil(y, (unsigned)m, (unsigned)d);
    return true;
}

bool rf_parse_date(const char *s, size_t n, int32_t *out)
{
    size_t pos = 0;
    if (!parse_ymd(s, n, &pos, out)) return false;
    while (n > pos && s[n - 1] == ' ') n--;
    return pos == n || s[pos] == ' ' || s[pos] == 'T';
}

bool rf_parse_timestamp(const char *s, size_t n, int64_t *out)
{
    size_t pos = 0;
    int32_t days;
    int hh = 0, mi = 0, ss = 0;
    int64_t frac = 0;
    while (n > 0 && s[n - 1] == ' ') n--;
    if (!parse_ymd(s, n, &pos, &days)) return false;
    if (pos < n) {
        if (s[pos] != ' ' && s[pos] != 'T') return false;
        pos++;
        if (!digits(s, n, &pos, 2, &hh) || pos >= n || s[pos] != ':') return false;
        pos++;
        if (!digits(s, n, &pos, 2, &mi)) return false;
        if (pos < n && s[pos] == ':') {
            pos++;
            if (!digits(s, n, &pos, 2, &ss)) return false;
            if (pos < n && s[pos] == '.') {
                pos++;
                int k = 0;
                while (pos < n && s[pos] >= '0' && s[pos] <= '9') {
                    if (k < 6) frac = frac * 10 + (s[pos] - '0'), k++;
                    pos++;
                }
                while (k++ < 6) frac *= 10;
            }
        }
        if (pos < n && s[pos] == 'Z') pos++;
        if (pos != n || hh > 23 || mi > 59 || ss > 59) return false;
    }
    *out = ((int64_t)days * 86400 + hh * 3600 + mi * 60 + ss) * 1000000 + frac;
    return true;
}

bool rf_parse_int64(const char *s, size_t n, int64_t *out)
{
    size_t i = 0;
    while (i < n && s[i] == ' ') i++;
    while (n > i && s[n - 1] == ' ') n--;
    bool neg = false;
    if (i < n && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
    if (i == n) return false;
    uint64_t v = 0;
    for (; i < n; i++) {
        unsigned dgt = (unsigned)(s[i] - '0');
        if (dgt > 9) return false;
        if (v > (UINT64_MAX - dgt) / 10) return false;
        v = v * 10 + dgt;
    }
    if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX) return false;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

bool rf_parse_double(const char *s, size_t n, double *out)
{
    char tmp[128];
    while (n && *s == ' ') s++, n--;
    while (n && s[n - 1] == ' ') n--;
    if (n == 0 || n >= sizeof tmp) return false;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    if (strcasecmp(tmp, "NaN") == 0) { *out = NAN; return true; }
    if (strcasecmp(tmp, "Infinity") == 0 || strcasecmp(tmp, "inf") == 0) { *out = INFINITY; return true; }
    if (strcasecmp(tmp, "-Infinity") == 0 || strcasecmp(tmp, "-inf") == 0) { *out = -INFINITY; return true; }
    for (size_t i = 0; i < n; i++)
        if (!strchr("0123456789+-.eE", tmp[i])) return false;
    char *end;
    errno = 0;
    double d = strtod(tmp, &end);
    if (end != tmp + n) return false;
    *out = d;
    return true;
}

bool rf_parse_bool(const char *s, size_t n, bool *out)
{
    if (n == 4 && strncasecmp(s, "true", 4) == 0) { *out = true; return true; }
    if (n == 5 && strncasecmp(s, "false", 5) == 0) { *out = false; return true; }
    return false;
}

/* d printed with printf conversion conv ('g' or 'e') at the fewest digits in [lo, hi] that read back
 * as d, into tmp. Round-tripping only gets truer with more digits: a binary search, a handful of
 * conversions rather than one per digit. */
static void shortest(double d, char conv, int lo, int hi, char *tmp, size_t cap)
{
    char fmt[8] = { '%', '.', '*', conv, 0 };
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        snprintf(tmp, cap, fmt, mid, d);
        if (strtod(tmp, NULL) == d) hi = mid;
        else lo = mid + 1;
    }
    snprintf(tmp, cap, fmt, lo, d);
}

size_t rf_format_double(double d, char *buf, size_t cap)
{
    if (d != d) return (size_t)snprintf(buf, cap, "NaN");
    if (isinf(d)) return (size_t)snprintf(buf, cap, d > 0 ? "Infinity" : "-Infinity");
    if (d == 0) return (size_t)snprintf(buf, cap, signbit(d) ? "-0.0" : "0.0");
    char tmp[64];
    if (fabs(d) < 1e7 && d == (double)(int64_t)d) return (size_t)snprintf(buf, cap, "%lld.0", (long long)(int64_t)d);
    shortest(d, 'g', 1, 17, tmp, sizeof tmp);
    /* Java-style: plain notation for 1e-3 <= |d| < 1e7, else d.dddE[-]n */
    double a = fabs(d);
    char *e = strchr(tmp, 'e');
    char mant[64];
    int exp10 = 0;
    if (e) { exp10 = atoi(e + 1); *e = '\0'; }
    snprintf(mant, sizeof mant, "%s", tmp);
    if (a >= 1e-3 && a < 1e7) {
        if (e) {   /* expand the exponent */
            char digs[64];
            size_t nd = 0;
            bool neg = mant[0] == '-';
            for (char *p = mant; *p; p++) if (*p >= '0' && *p <= '9') digs[nd++] = *p;
            digs[nd] = '\0';
            int point = 1 + exp10;   /* digits before the decimal point */
            char out[96];
            size_t o = 0;
            if (neg) out[o++] = '-';
            if (point <= 0) {
                out[o++] = '0'; out[o++] = '.';
                for (int k = 0; k < -point; k++) out[o++] = '0';
                for (size_t k = 0; k < nd; k++) out[o++] = digs[k];
            } else {
                for (int k = 0; k < point; k++) out[o++] = (size_t)k < nd ? digs[k] : '0';
                out[o++] = '.';
                if ((size_t)point < nd) for (size_t k = (size_t)point; k < nd; k++) out[o++] = digs[k];
                else out[o++] = '0';
            }
            out[o] = '\0';
            return (size_t)snprintf(buf, cap, "%s", out);
        }
        if (!strchr(mant, '.')) return (size_t)snprintf(buf, cap, "%s.0", mant);
        return (size_t)snprintf(buf, cap, "%s", mant);
    }
    if (!e) {   /* %g printed plainly (e.g. 12345678): rewrite in E notation */
        shortest(d, 'e', 0, 16, tmp, sizeof tmp);
        e = strchr(tmp, 'e');
        exp10 = atoi(e + 1);
        *e = '\0';
        snprintf(mant, sizeof mant, "%s", tmp);
    }
    if (!strchr(mant, '.')) strcat(mant, ".0");
    return (size_t)snprintf(buf, cap, "%sE%d", mant, exp10);
}

size_t rf_format_date(int32_t days, char *buf, size_t cap)
{
    int64_t y;
    unsigned m, d;
    rf_civil_from_days(days, &y, &m, &d);
    return (size_t)snprintf(buf, cap, "%04lld-%02u-%02u", (long long)y, m, d);
}

size_t rf_format_timestamp(int64_t us, char *buf, size_t cap)
{
    int64_t secs = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
    int64_t frac = us - secs * 1000000;
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    int64_t sod = secs - days * 86400;
    size_t n = rf_format_date((int32_t)days, buf, cap);
    n += (size_t)snprintf(buf + n, cap > n ? cap - n : 0, " %02d:%02d:%02d", (int)(sod / 3600),
                          (int)(sod / 60 % 60), (int)(sod % 60));
    if (frac) {
        char f[32];
        snprintf(f, sizeof f, "%06lld", (long long)frac);
        int k = 6;
        while (k > 0 && f[k - 1] == '0') f[--k] = '\0';
        n += (size_t)snprintf(buf + n, cap > n ? cap - n : 0, ".%s", f);
    }
    return n;
}

int rf_format_value(const rf_column *c, int64_t i, rf_buf *b, bool *is_null)
{
    char tmp[64];
    size_t n;
    *is_null = !rf_column_valid(c, i);
    if (*is_null) return RF_OK;
    switch (rf_type_base(c->type)) {
    case RF_TYPE_STRING: {
        int64_t len;
        const char *p = rf_col_str(c, i, &len);
        return rf_buf_put(b, p, (size_t)len);
    }
    case RF_TYPE_DECIMAL: n = rf_dec_format(rf_col_dec(c, i), rf_type_scale(c->type), tmp, sizeof tmp); break;
    case RF_TYPE_BOOL: return rf_buf_printf(b, "%s", rf_col_bool(c, i) ? "true" : "false");
    case RF_TYPE_DOUBLE: n = rf_format_double(rf_col_f64(c, i), tmp, sizeof tmp); break;
    case RF_TYPE_DATE: n = rf_format_date(rf_col_i32(c, i), tmp, sizeof tmp); break;
    case RF_TYPE_TIMESTAMP: n = rf_format_timestamp(rf_col_i64(c, i), tmp, sizeof tmp); break;
    case RF_TYPE_ARRAY: case RF_TYPE_MAP: case RF_TYPE_STRUCT: {
        /* as Spark casts them to strings: [1, null], {a -> 1}, {1, x} */
        int rc = rf__stack_check("a nested value");
        if (rc) return rc;
        bool map = rf_type_base(c->type) == RF_TYPE_MAP, st = rf_type_base(c->type) == RF_TYPE_STRUCT;
        int64_t lo = 0, hi = c->nkids;
        if (!st) rf_col_range(c, i, &lo, &hi);
        rc = rf_buf_put_u8(b, map || st ? '{' : '[');
        for (int64_t k = lo; k < hi && !rc; k++) {
            bool nl;
            if (k > lo) rc = rf_buf_put(b, ", ", 2);
            if (map) {
                const rf_column *e = c->child;
                if (!rc) rc = rf_format_value(e->kids[0], k, b, &nl);
                if (!rc && nl) rc = rf_buf_put(b, "null", 4);
                if (!rc) rc = rf_buf_put(b, " -> ", 4);
                if (!rc) rc = rf_format_value(e->kids[1], k, b, &nl);
            } else if (!rc) {
                rc = st ? rf_format_value(c->kids[k], rf_col_row(c, i), b, &nl) : rf_format_value(c->child, k, b, &nl);
            }
            if (!rc && nl) rc = rf_buf_put(b, "null", 4);
        }
        return rc ? rc : rf_buf_put_u8(b, map || st ? '}' : ']');
    }
    case RF_TYPE_NULL: *is_null = true; return RF_OK;
    default: n = (size_t)snprintf(tmp, sizeof tmp, "%lld", (long long)rf_column_get_int(c, i)); break;
    }
    return rf_buf_put(b, tmp, n);
}

static int64_t clock_us;
static bool clock_fixed;

static int64_t real_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

bool rf__clock_freeze(void)
{
    if (clock_fixed) return false;
    clock_us = real_us();
    clock_fixed = true;
    return true;
}

void rf__clock_thaw(void) { clock_fixed = false; }
int64_t rf__clock_us(void) { return clock_fixed ? clock_us : real_us(); }

double rf_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int64_t rf_parse_size(const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno || v < 0) return -1;
    while (*end == ' ') end++;
    double mul = 1;
    switch (*end) {
    case 'k': case 'K': mul = 1024.0; end++; break;
    case 'm': case 'M': mul = 1024.0 * 1024; end++; break;
    case 'g': case 'G': mul = 1024.0 * 1024 * 1024; end++; break;
    case 't': case 'T': mul = 1024.0 * 1024 * 1024 * 1024; end++; break;
    default: break;
    }
    if (*end == 'b' || *end == 'B') end++;
    if (*end || !(v * mul < 9.0e18)) return -1;   /* also NaN, inf and sizes past int64 */
    return (int64_t)(v * mul);
}

int64_t rf_parse_duration_us(const char *s, size_t n)
{
    static const struct { const char *u; int64_t us; } units[] = {
        { "microsecond", 1 }, { "us", 1 }, { "millisecond", 1000 }, { "ms", 1000 }, { "second", 1000000 }, { "sec", 1000000 },
        { "s", 1000000 }, { "minute", 60000000 }, { "min", 60000000 }, { "m", 60000000 }, { "hour", 3600000000LL },
        { "h", 3600000000LL }, { "day", 86400000000LL }, { "d", 86400000000LL }, { "week", 604800000000LL }, { "w", 604800000000LL },
    };
    char buf[128];
    if (n >= sizeof buf) return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *c = buf;
    while (*c == ' ') c++;
    if (!strncasecmp(c, "interval", 8) && (c[8] == ' ')) c += 8;
    double total = 0;
    int parts = 0;
    for (;;) {
        while (*c == ' ') c++;
        if (!*c) break;
        char *end;
        errno = 0;
        double v = strtod(c, &end);
        if (end == c || errno || v < 0 || v != v) return -1;
        c = end;
        while (*c == ' ') c++;
        size_t ul = 0;
        while (c[ul] && c[ul] != ' ' && !(c[ul] >= '0' && c[ul] <= '9')) ul++;
        if (ul > 1 && (c[ul - 1] == 's' || c[ul - 1] == 'S') && strncasecmp(c, "ms", ul) && strncasecmp(c, "us", ul)) ul--;   /* plurals */
        int64_t mul = -1;
        for (size_t k = 0; k < sizeof units / sizeof units[0] && mul < 0; k++)
            if (strlen(units[k].u) == ul && !strncasecmp(c, units[k].u, ul)) mul = units[k].us;
        if (mul < 0) return -1;
        c += ul;
        if (*c == 's' || *c == 'S') c++;
        total += v * (double)mul;
        parts++;
    }
    if (!parts || !(total < 9.0e18)) return -1;
    return (int64_t)(total + 0.5);
}

int rf_sort_idx(int64_t *idx, int64_t n, int (*cmp)(void *ctx, int64_t a, int64_t b), void *ctx)
{
    if (n < 2) return RF_OK;
    int64_t *tmp = rf_malloc((size_t)n * sizeof *tmp);
    if (!tmp) return rf__err_set(RF_ERR_NOMEM, "out of memory sorting %lld rows", (long long)n);
    /* bottom-up merge sort: insertion sort runs of 16, then merge */
    const int64_t run = 16;
    for (int64_t lo = 0; lo < n; lo += run) {
        int64_t hi = lo + run < n ? lo + run : n;
        for (int64_t i = lo + 1; i < hi; i++) {
            int64_t v = idx[i], j = i;
            while (j > lo && cmp(ctx, idx[j - 1], v) > 0) { idx[j] = idx[j - 1]; j--; }
            idx[j] = v;
        }
    }
    int64_t *a = idx, *b = tmp;
    for (int64_t w = run; w < n; w *= 2) {
        for (int64_t lo = 0; lo < n; lo += 2 * w) {
            int64_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            int64_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) b[k++] = cmp(ctx, a[j], a[i]) < 0 ? a[j++] : a[i++];
            while (i < mid) b[k++] = a[i++];
            while (j < hi) b[k++] = a[j++];
        }
        int64_t *t = a; a = b; b = t;
    }
    if (a != idx) memcpy(idx, a, (size_t)n * sizeof *idx);
    rf_free(tmp);
    return RF_OK;
}
