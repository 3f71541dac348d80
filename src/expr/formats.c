/*
 * formats.c — text formats the SQL functions read and write: Spark's datetime patterns (date_format,
 * to_timestamp, unix_timestamp, from_unixtime) and JSON paths (get_json_object). Called from
 * func_more.c. Timestamps are microseconds since 1970-01-01 00:00:00 UTC.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include "expr/expr.h"
#include "expr/func_more.h"

/* ---------------------------------------------------------------- datetime patterns (Spark's) */
static const char *month_names[12] = { "January", "February", "March", "April", "May", "June", "July", "August",
                                       "September", "October", "November", "December" };
static const char *day_names[7] = { "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday" };

static bool pattern_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* Formats us (UTC) with pattern f; false for a letter riffle does not know (the caller makes it NULL). */
bool rf__ts_format(int64_t us, const char *f, int64_t fl, rf_buf *b)
{
    int64_t secs = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000), frac = us - secs * 1000000;
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400), sod = secs - days * 86400;
    int64_t y;
    unsigned mo, d;
    rf_civil_from_days(days, &y, &mo, &d);
    int hh = (int)(sod / 3600), mi = (int)(sod / 60 % 60), ss = (int)(sod % 60);
    int wd = (int)(((days % 7) + 7 + 3) % 7);   /* 0 = Monday */
    for (int64_t k = 0; k < fl;) {
        char c = f[k];
        if (c == '\'') {   /* quoted text; '' is a quote */
            k++;
            if (k < fl && f[k] == '\'') { rf_buf_put_u8(b, '\''); k++; continue; }
            while (k < fl && !(f[k] == '\'' && !(k + 1 < fl && f[k + 1] == '\''))) {
                if (f[k] == '\'') k++;
                rf_buf_put_u8(b, (uint8_t)f[k++]);
            }
            k++;
            continue;
        }
        if (!pattern_letter(c)) { rf_buf_put_u8(b, (uint8_t)c); k++; continue; }
        int64_t run = 1;
        while (k + run < fl && f[k + run] == c) run++;
        k += run;
        int w = (int)run;
        switch (c) {
        case 'y': case 'u':
            if (run == 2) rf_buf_printf(b, "%02lld", (long long)((y % 100 + 100) % 100));
            else rf_buf_printf(b, "%0*lld", w, (long long)y);
            break;
        case 'M': case 'L':
            if (run >= 4) rf_buf_printf(b, "%s", month_names[mo - 1]);
            else if (run == 3) rf_buf_printf(b, "%.3s", month_names[mo - 1]);
            else rf_buf_printf(b, "%0*u", w, mo);
            break;
        case 'd': rf_buf_printf(b, "%0*u", w, d); break;
        case 'D': rf_buf_printf(b, "%0*lld", w, (long long)(days - rf_days_from_civil(y, 1, 1) + 1)); break;
        case 'Q': case 'q': rf_buf_printf(b, "%0*u", w, (mo + 2) / 3); break;
        case 'H': rf_buf_printf(b, "%0*d", w, hh); break;
        case 'k': rf_buf_printf(b, "%0*d", w, hh ? hh : 24); break;
        case 'h': rf_buf_printf(b, "%0*d", w, hh % 12 ? hh % 12 : 12); break;
        case 'K': rf_buf_printf(b, "%0*d", w, hh % 12); break;
        case 'm': rf_buf_printf(b, "%0*d", w, mi); break;
        case 's': rf_buf_printf(b, "%0*d", w, ss); break;
        case 'S': {   /* fraction of the second, run digits */
            char t[24];
            snprintf(t, sizeof t, "%06lld", (long long)frac);
            for (int i = 0; i < w; i++) rf_buf_put_u8(b, (uint8_t)(i < 6 ? t[i] : '0'));
            break;
        }
        case 'a': rf_buf_printf(b, "%s", hh < 12 ? "AM" : "PM"); break;
        case 'E':
            if (run >= 4) rf_buf_printf(b, "%s", day_names[wd]);
            else rf_buf_printf(b, "%.3s", day_names[wd]);
            break;
        case 'e': rf_buf_printf(b, "%0*d", w, (wd + 1) % 7 + 1); break;   /* 1 = Sunday */
        case 'X': case 'Z': case 'x': rf_buf_printf(b, c == 'X' ? "Z" : "+0000"); break;
        case 'z': case 'V': case 'O': rf_buf_printf(b, "UTC"); break;
        default: return false;
        }
    }
    return true;
}

static bool num(const char *s, int64_t n, int64_t *i, int maxd, int64_t *v)
{
    int digs = 0;
    bool neg = false;
    *v = 0;
    if (*i < n && s[*i] == '-' && maxd > 4) { neg = true; (*i)++; }
    while (*i < n && digs < maxd && s[*i] >= '0' && s[*i] <= '9') { *v = *v * 10 + (s[(*i)++] - '0'); digs++; }
    if (neg) *v = -*v;
    return digs > 0;
}

/* Parses s with pattern f into microseconds (UTC); false when s does not match or names no valid time. */
bool rf__ts_parse(const char *s, int64_t n, const char *f, int64_t fl, int64_t *out)
{
    int64_t y = 1970, mo = 1, d = 1, hh = 0, mi = 0, ss = 0, frac = 0, i = 0, doy = -1;
    int pm = -1;
    bool h12 = false;
    for (int64_t k = 0; k < fl;) {
        char c = f[k];
        if (c == '\'') {
            k++;
            while (k < fl && f[k] != '\'') { if (i >= n || s[i] != f[k]) return false; i++; k++; }
            k++;
            continue;
        }
        if (!pattern_letter(c)) { if (i >= n || s[i] != c) return false; i++; k++; continue; }
        int64_t run = 1;
        while (k + run < fl && f[k + run] == c) run++;
        k += run;
        int maxd = run > 2 ? (int)run : 2;
        switch (c) {
        case 'y': case 'u':
            if (!num(s, n, &i, run == 2 ? 2 : run >= 4 ? 9 : 9, &y)) return false;
            if (run == 2) y += 2000;
            break;
        case 'M': case 'L':
            if (run >= 3) {
                int found = -1;
                for (int m = 0; m < 12 && found < 0; m++) {
                    size_t l = run == 3 ? 3 : strlen(month_names[m]);
                    if ((int64_t)l <= n - i && !strncasecmp(s + i, month_names[m], l)) { found = m; i += (int64_t)l; }
                }
                if (found < 0) return false;
                mo = found + 1;
            } else if (!num(s, n, &i, maxd, &mo)) return false;
            break;
        case 'd': if (!num(s, n, &i, maxd, &d)) return false; break;
        case 'D': if (!num(s, n, &i, 3, &doy)) return false; break;
        case 'H': case 'k': if (!num(s, n, &i, maxd, &hh)) return false; break;
        case 'h': case 'K': if (!num(s, n, &i, maxd, &hh)) return false; h12 = true; break;
        case 'm': if (!num(s, n, &i, maxd, &mi)) return false; break;
        case 's': if (!num(s, n, &i, maxd, &ss)) return false; break;
        case 'S': {
            int digs = 0;
            frac = 0;
            while (i < n && digs < run && s[i] >= '0' && s[i] <= '9') { if (digs < 6) frac = frac * 10 + (s[i] - '0'); digs++; i++; }
            if (!digs) return false;
            for (int q = digs; q < 6; q++) frac *= 10;
            break;
        }
        case 'a':
            if (n - i >= 2 && !strncasecmp(s + i, "AM", 2)) pm = 0;
            else if (n - i >= 2 && !strncasecmp(s + i, "PM", 2)) pm = 1;
            else return false;
            i += 2;
            break;
        case 'E': {
            bool ok = false;
            for (int q = 0; q < 7 && !ok; q++) {
                size_t l = run >= 4 ? strlen(day_names[q]) : 3;
                if ((int64_t)l <= n - i && !strncasecmp(s + i, day_names[q], l)) { ok = true; i += (int64_t)l; }
            }
            if (!ok) return false;
            break;
        }
        case 'X': case 'Z': case 'x':   /* UTC offsets: Z or +hh[:]mm */
            if (i < n && s[i] == 'Z') { i++; break; }
            if (i < n && (s[i] == '+' || s[i] == '-')) {
                int sign = s[i] == '-' ? -1 : 1;
                int64_t oh = 0, om = 0;
                i++;
                if (!num(s, n, &i, 2, &oh)) return false;
                if (i < n && s[i] == ':') i++;
                num(s, n, &i, 2, &om);
                mi -= sign * om;
                hh -= sign * oh;
                break;
            }
            return false;
        default: return false;
        }
    }
    if (i != n) return false;
    if (h12) {
        if (hh < 1 || hh > 12) return false;
        if (pm >= 0) hh = hh % 12 + (pm ? 12 : 0);
    }
    if (mo < 1 || mo > 12 || d < 1 || hh < -48 || hh > 71 || mi < -120 || mi > 179 || ss < 0 || ss > 59 || y < -290000 || y > 290000) return false;
    int32_t first = rf_days_from_civil(y, (unsigned)mo, 1), next = rf_days_from_civil(mo == 12 ? y + 1 : y, mo == 12 ? 1 : (unsigned)mo + 1, 1);
    if (d > next - first) return false;
    int64_t days = doy > 0 ? rf_days_from_civil(y, 1, 1) + doy - 1 : first + d - 1;
    *out = ((days * 86400 + hh * 3600 + mi * 60 + ss) * 1000000) + frac;
    return true;
}

/* Spark's default pattern for to_timestamp without one: ISO dates and times (what a CAST reads). */

/* ---------------------------------------------------------------- JSON (get_json_object) */
int64_t rf__js_ws(const char *p, int64_t n, int64_t i) { while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r')) i++; return i; }

/* The end of the JSON value at i (after it), or -1 when it is not one. Bounded nesting. */
int64_t rf__js_skip(const char *p, int64_t n, int64_t i, int depth)
{
    i = rf__js_ws(p, n, i);
    if (i >= n || depth > 200) return -1;
    char c = p[i];
    if (c == '"') {
        for (i++; i < n; i++) { if (p[i] == '\\') i++; else if (p[i] == '"') return i + 1; }
        return -1;
    }
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        i = rf__js_ws(p, n, i + 1);
        if (i < n && p[i] == close) return i + 1;
        for (;;) {
            if (c == '{') {
                if ((i = rf__js_skip(p, n, i, depth + 1)) < 0 || p[i - 1] != '"') return -1;   /* the key */
                i = rf__js_ws(p, n, i);
                if (i >= n || p[i] != ':') return -1;
                i++;
            }
            if ((i = rf__js_skip(p, n, i, depth + 1)) < 0) return -1;
            i = rf__js_ws(p, n, i);
            if (i < n && p[i] == ',') { i++; continue; }
            return i < n && p[i] == close ? i + 1 : -1;
        }
    }
    int64_t s = i;
    while (i < n && (isalnum((unsigned char)p[i]) || p[i] == '-' || p[i] == '+' || p[i] == '.')) i++;
    if (i == s) return -1;
    if (!((i - s == 4 && !memcmp(p + s, "true", 4)) || (i - s == 5 && !memcmp(p + s, "false", 5)) || (i - s == 4 && !memcmp(p + s, "null", 4)) ||
          isdigit((unsigned char)p[s]) || p[s] == '-')) return -1;
    return i;
}

/* A JSON string's text (escapes decoded) into b. */
int rf__js_unescape(const char *p, int64_t n, rf_buf *b)
{
    int rc = RF_OK;
    for (int64_t i = 0; i < n && !rc; i++) {
        if (p[i] != '\\' || i + 1 >= n) { rc = rf_buf_put_u8(b, (uint8_t)p[i]); continue; }
        char c = p[++i];
        if (c == 'n') rc = rf_buf_put_u8(b, '\n');
        else if (c == 't') rc = rf_buf_put_u8(b, '\t');
        else if (c == 'r') rc = rf_buf_put_u8(b, '\r');
        else if (c == 'b') rc = rf_buf_put_u8(b, '\b');
        else if (c == 'f') rc = rf_buf_put_u8(b, '\f');
        else if (c == 'u' && i + 4 < n) {
            unsigned v = 0;
            for (int k = 1; k <= 4; k++) { char h = p[i + k]; v = v * 16 + (unsigned)(isdigit((unsigned char)h) ? h - '0' : (h | 0x20) - 'a' + 10); }
            i += 4;
            rf__u8_put(b, v);
        } else rc = rf_buf_put_u8(b, (uint8_t)c);
    }
    return rc;
}

/* get_json_object(json, '$.a.b[0]'): the value at the path; strings without quotes, objects and arrays as
 * compact JSON; NULL when the text is not JSON or the path finds nothing (Spark's semantics). */
int rf__json_path(rf_column *r, const char *p, int64_t n, const char *path, int64_t pl, rf_buf *b)
{
    int64_t i = rf__js_ws(p, n, 0), end = rf__js_skip(p, n, i, 0), k = 1;
    if (end < 0 || rf__js_ws(p, n, end) != n || pl < 1 || path[0] != '$') return rf_column_append_null(r);
    while (k < pl) {
        char key[1024];
        int64_t kl = 0, idx = -1;
        if (path[k] == '.') {
            k++;
            while (k < pl && path[k] != '.' && path[k] != '[' && kl < 1023) key[kl++] = path[k++];
            if (!kl) return rf_column_append_null(r);
        } else if (path[k] == '[' && k + 1 < pl && path[k + 1] == '\'') {
            k += 2;
            while (k < pl && path[k] != '\'' && kl < 1023) key[kl++] = path[k++];
            if (k + 1 >= pl || path[k + 1] != ']') return rf_column_append_null(r);
            k += 2;
        } else if (path[k] == '[') {
            k++;
            idx = 0;
            if (k >= pl || !isdigit((unsigned char)path[k])) return rf_column_append_null(r);   /* [*] is not supported: NULL */
            while (k < pl && isdigit((unsigned char)path[k])) idx = idx * 10 + (path[k++] - '0');
            if (k >= pl || path[k++] != ']') return rf_column_append_null(r);
        } else return rf_column_append_null(r);
        i = rf__js_ws(p, n, i);
        bool found = false;
        if (idx < 0 && i < n && p[i] == '{') {   /* the member named key */
            int64_t j = rf__js_ws(p, n, i + 1);
            while (j < n && p[j] == '"' && !found) {
                int64_t ke = rf__js_skip(p, n, j, 1);
                rf_buf kb = { 0 };
                rf__js_unescape(p + j + 1, ke - j - 2, &kb);
                bool same = (int64_t)kb.len == kl && (kl == 0 || !memcmp(kb.data, key, (size_t)kl));
                rf_buf_fini(&kb);
                j = rf__js_ws(p, n, ke) + 1;   /* past ':' */
                if (same) { i = j; found = true; break; }
                j = rf__js_ws(p, n, rf__js_skip(p, n, j, 1));
                if (j < n && p[j] == ',') j = rf__js_ws(p, n, j + 1);
            }
        } else if (idx >= 0 && i < n && p[i] == '[') {   /* element idx */
            int64_t j = rf__js_ws(p, n, i + 1);
            for (int64_t q = 0; j < n && p[j] != ']'; q++) {
                if (q == idx) { i = j; found = true; break; }
                j = rf__js_ws(p, n, rf__js_skip(p, n, j, 1));
                if (j < n && p[j] == ',') j = rf__js_ws(p, n, j + 1);
            }
        }
        if (!found) return rf_column_append_null(r);
    }
    i = rf__js_ws(p, n, i);
    end = rf__js_skip(p, n, i, 0);
    if (end < 0 || (end - i == 4 && !memcmp(p + i, "null", 4))) return rf_column_append_null(r);
    b->len = 0;
    if (p[i] == '"') rf__js_unescape(p + i + 1, end - i - 2, b);
    else if (p[i] == '{' || p[i] == '[') {   /* compact: no blanks outside strings */
        for (int64_t q = i; q < end; q++) {
            if (p[q] == '"') { int64_t e2 = rf__js_skip(p, n, q, 1); rf_buf_put(b, p + q, (size_t)(e2 - q)); q = e2 - 1; }
            else if (p[q] != ' ' && p[q] != '\t' && p[q] != '\n' && p[q] != '\r') rf_buf_put_u8(b, (uint8_t)p[q]);
        }
    } else rf_buf_put(b, p + i, (size_t)(end - i));
    return rf_column_append_str(r, b->data ? (const char *)b->data : "", (int64_t)b->len);
}

