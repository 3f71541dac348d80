/*
 * func_more.c — built-in scalar functions beyond func.c's first set: more string functions, regular
 * expressions, math, datetimes (their patterns in formats.c), JSON paths, greatest / least.
 * func.c owns the name table and calls in here for typing (rf__func_type_more) and for one row
 * (rf__func_row_more); the regular expression functions work a batch at a time (the pattern is
 * compiled once per batch, or once per distinct pattern).
 *
 * Timestamps are microseconds since 1970-01-01 00:00:00 UTC and datetime functions work in UTC
 * (Spark's spark.sql.session.timeZone=UTC); docs/SQL.md says so.
 */
#include <ctype.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <time.h>
#include "expr/expr.h"
#include "expr/func_more.h"

/* ---------------------------------------------------------------- typing */
static int cast_arg(rf_expr *e, int i, rf_type t)
{
    e->arg[i] = rf__expr_cast_to(e->arg[i], t);
    return e->arg[i] ? RF_OK : rf__err_set(RF_ERR_NOMEM, "out of memory");
}

static int cast_all(rf_expr *e, int from, rf_type t)
{
    int rc = RF_OK;
    for (int i = from; i < e->n_arg && !rc; i++) rc = cast_arg(e, i, t);
    return rc;
}

int rf__func_type_more(rf_expr *e)
{
    int rc = RF_OK;
    switch (e->op) {
    case RF_F_LTRIM: case RF_F_RTRIM: case RF_F_BTRIM: case RF_F_REVERSE: case RF_F_INITCAP: case RF_F_TRANSLATE:
    case RF_F_REPLACE: case RF_F_UNHEX:
        rc = cast_all(e, 0, RF_TYPE_STRING);
        e->type = RF_TYPE_STRING;
        break;
    case RF_F_LPAD: case RF_F_RPAD:
        rc = cast_arg(e, 0, RF_TYPE_STRING);
        if (!rc) rc = cast_arg(e, 1, RF_TYPE_INT32);
        if (!rc && e->n_arg > 2) rc = cast_arg(e, 2, RF_TYPE_STRING);
        e->type = RF_TYPE_STRING;
        break;
    case RF_F_LEFT: case RF_F_RIGHT: case RF_F_REPEAT:
        rc = cast_arg(e, 0, RF_TYPE_STRING);
        if (!rc) rc = cast_arg(e, 1, RF_TYPE_INT32);
        e->type = RF_TYPE_STRING;
        break;
    case RF_F_SPLIT_PART:
        rc = cast_arg(e, 0, RF_TYPE_STRING);
        if (!rc) rc = cast_arg(e, 1, RF_TYPE_STRING);
        if (!rc) rc = cast_arg(e, 2, RF_TYPE_INT32);
        e->type = RF_TYPE_STRING;
        break;
    case RF_F_CONCAT_WS:
        rc = cast_all(e, 0, RF_TYPE_STRING);
        e->type = RF_TYPE_STRING;
        e->nullable = e->arg[0]->nullable;   /* NULL values are skipped; a NULL separator is NULL */
        break;
    case RF_F_ASCII: case RF_F_INSTR:
        rc = cast_all(e, 0, RF_TYPE_STRING);
        e->type = RF_TYPE_INT32;
        break;
    case RF_F_LOCATE:
        rc = cast_arg(e, 0, RF_TYPE_STRING);
        if (!rc) rc = cast_arg(e, 1, RF_TYPE_STRING);
        if (!rc && e->n_arg > 2) rc = cast_arg(e, 2, RF_TYPE_INT32);
        e->type = RF_TYPE_INT32;
        break;
    case RF_F_CHR:
        rc = cast_arg(e, 0, RF_TYPE_INT64);
        e->type = RF_TYPE_STRING;
        break;
    case RF_F_HEX:
        if (!rf_type_is_numeric(e->arg[0]->type) || e->arg[0]->type == RF_TYPE_DOUBLE || rf_type_is_decimal(e->arg[0]->type))
            rc = cast_arg(e, 0, e->arg[0]->type == RF_TYPE_STRING || e->arg[0]->type == RF_TYPE_NULL ? RF_TYPE_STRING : RF_TYPE_INT64);
        else rc = cast_arg(e, 0, RF_TYPE_INT64);
        e->type = RF_TYPE_STRING;
        break;
    case RF_F_STARTSWITH: case RF_F_ENDSWITH: case RF_F_CONTAINS: case RF_F_RLIKE:
        rc = cast_all(e, 0, RF_TYPE_STRING);
        e->type = RF_TYPE_BOOL;
        break;
    case RF_F_REGEXP_REPLACE:
        rc = cast_all(e, 0, RF_TYPE_STRING);
        e->type = RF_TYPE_STRING;
        break;
    case RF_F_REGEXP_EXTRACT:
        rc = cast_arg(e, 0, RF_TYPE_STRING);
        if (!rc) rc = cast_arg(e, 1, RF_TYPE_STRING);
        if (!rc && e->n_arg > 2) rc = cast_arg(e, 2, RF_TYPE_INT32);
        e->type = RF_TYPE_STRING;
        break;
    case RF_F_FLOOR: case RF_F_CEIL: {
        rf_type t = e->arg[0]->type;
        if (rf_type_is_decimal(t)) {
            int p = rf_type_precision(t) - rf_type_scale(t) + 1;
            e->type = rf_type_decimal(p > 38 ? 38 : p < 1 ? 1 : p, 0);
        } else {
            if (!rf_type_is_numeric(t)) rc = cast_arg(e, 0, RF_TYPE_DOUBLE);
            e->type = RF_TYPE_INT64;
        }
        break;
    }
    case RF_F_SQRT: case RF_F_EXP: case RF_F_LN: case RF_F_LOG10: case RF_F_LOG2: case RF_F_POWER: case RF_F_SIGN:
    case RF_F_LOG: case RF_F_CBRT:
        rc = cast_all(e, 0, RF_TYPE_DOUBLE);
        e->type = RF_TYPE_DOUBLE;
        if (e->op != RF_F_SIGN && e->op != RF_F_EXP && e->op != RF_F_POWER && e->op != RF_F_CBRT) e->nullable = true;   /* ln(0), sqrt(-1): NULL */
        break;
    case RF_F_GREATEST: case RF_F_LEAST: {
        rf_type t = RF_TYPE_NULL;
        for (int i = 0; i < e->n_arg; i++) {
            rf_type a = e->arg[i]->type;
            if (a == RF_TYPE_NULL || a == t) continue;
            if (t == RF_TYPE_NULL) t = a;
            else if (rf_type_is_numeric(t) && rf_type_is_numeric(a)) t = rf_type_numeric_wider(t, a);
            else if ((t == RF_TYPE_DATE && a == RF_TYPE_TIMESTAMP) || (a == RF_TYPE_DATE && t == RF_TYPE_TIMESTAMP)) t = RF_TYPE_TIMESTAMP;
            else return rf__err_set(RF_ERR_ANALYSIS, "%s() needs arguments of one type, not %s and %s", rf__func_name(e->op), rf_type_name(t), rf_type_name(a));
        }
        if (t == RF_TYPE_NULL) t = RF_TYPE_STRING;
        if (rf_type_is_nested(t)) return rf__err_set(RF_ERR_ANALYSIS, "%s() does not compare %s values", rf__func_name(e->op), rf_type_name(t));
        rc = cast_all(e, 0, t);
        e->type = t;
        e->nullable = true;
        for (int i = 0; i < e->n_arg; i++) if (!e->arg[i]->nullable) e->nullable = false;
        break;
    }
    case RF_F_DATE_FORMAT:
        rc = cast_arg(e, 0, RF_TYPE_TIMESTAMP);
        if (!rc) rc = cast_arg(e, 1, RF_TYPE_STRING);
        e->type = RF_TYPE_STRING;
        e->nullable = true;
        break;
    case RF_F_TO_TIMESTAMP:
        if (e->arg[0]->type != RF_TYPE_TIMESTAMP && e->arg[0]->type != RF_TYPE_DATE) rc = cast_arg(e, 0, RF_TYPE_STRING);
        else rc = cast_arg(e, 0, RF_TYPE_TIMESTAMP);
        if (!rc && e->n_arg > 1) rc = cast_arg(e, 1, RF_TYPE_STRING);
        e->type = RF_TYPE_TIMESTAMP;
        e->nullable = true;
        break;
    case RF_F_UNIX_TIMESTAMP:
        if (e->n_arg > 0 && e->arg[0]->type != RF_TYPE_TIMESTAMP && e->arg[0]->type != RF_TYPE_DATE) rc = cast_arg(e, 0, RF_TYPE_STRING);
        else if (e->n_arg > 0) rc = cast_arg(e, 0, RF_TYPE_TIMESTAMP);
        if (!rc && e->n_arg > 1) rc = cast_arg(e, 1, RF_TYPE_STRING);
        e->type = RF_TYPE_INT64;
        e->nullable = e->n_arg > 0;
        break;
    case RF_F_FROM_UNIXTIME:
        rc = cast_arg(e, 0, RF_TYPE_INT64);
        if (!rc && e->n_arg > 1) rc = cast_arg(e, 1, RF_TYPE_STRING);
        e->type = RF_TYPE_STRING;
        e->nullable = true;
        break;
    case RF_F_MAKE_DATE:
        rc = cast_all(e, 0, RF_TYPE_INT32);
        e->type = RF_TYPE_DATE;
        e->nullable = true;
        break;
    case RF_F_ISNAN:
        rc = cast_arg(e, 0, RF_TYPE_DOUBLE);
        e->type = RF_TYPE_BOOL;
        e->nullable = false;
        break;
    case RF_F_ISNULL: case RF_F_ISNOTNULL:
        e->type = RF_TYPE_BOOL;
        e->nullable = false;
        break;
    case RF_F_TYPEOF:
        e->type = RF_TYPE_STRING;
        e->nullable = false;
        break;
    case RF_F_NANVL: case RF_F_DEGREES: case RF_F_RADIANS: case RF_F_SIN: case RF_F_COS: case RF_F_TAN: case RF_F_ASIN:
    case RF_F_ACOS: case RF_F_ATAN: case RF_F_ATAN2: case RF_F_RINT: case RF_F_HYPOT:
        rc = cast_all(e, 0, RF_TYPE_DOUBLE);
        e->type = RF_TYPE_DOUBLE;
        break;
    case RF_F_PI: case RF_F_E:
        e->type = RF_TYPE_DOUBLE;
        e->nullable = false;
        break;
    case RF_F_TRY_ADD: case RF_F_TRY_SUBTRACT: case RF_F_TRY_MULTIPLY: case RF_F_TRY_DIVIDE: {
        /* as + - * / of integers (int, bigint) or doubles, but NULL where those would overflow (and
         * for a division by 0); try_divide gives a double, as / does */
        rf_type a = e->arg[0]->type, b = e->arg[1]->type, t;
        if (rf_type_is_decimal(a) || rf_type_is_decimal(b))
            return rf__err_set(RF_ERR_ANALYSIS, "%s() of decimals is not supported yet (cast them to DOUBLE or BIGINT)", rf__func_name(e->op));
        if ((!rf_type_is_numeric(a) && a != RF_TYPE_NULL) || (!rf_type_is_numeric(b) && b != RF_TYPE_NULL))
            return rf__err_set(RF_ERR_ANALYSIS, "%s() needs numbers, not %s and %s", rf__func_name(e->op), rf_type_name(a), rf_type_name(b));
        if (e->op == RF_F_TRY_DIVIDE || a == RF_TYPE_DOUBLE || b == RF_TYPE_DOUBLE) t = RF_TYPE_DOUBLE;
        else t = a == RF_TYPE_INT64 || b == RF_TYPE_INT64 ? RF_TYPE_INT64 : RF_TYPE_INT32;
        rc = cast_all(e, 0, t);
        e->type = t;
        e->nullable = true;
        break;
    }
    case RF_F_PMOD: {
        rf_type a = e->arg[0]->type, b = e->arg[1]->type, t;
        if ((a == RF_TYPE_INT32 || a == RF_TYPE_NULL) && (b == RF_TYPE_INT32 || b == RF_TYPE_NULL)) t = RF_TYPE_INT32;
        else if ((a == RF_TYPE_INT32 || a == RF_TYPE_INT64 || a == RF_TYPE_NULL) && (b == RF_TYPE_INT32 || b == RF_TYPE_INT64 || b == RF_TYPE_NULL)) t = RF_TYPE_INT64;
        else t = RF_TYPE_DOUBLE;
        rc = cast_all(e, 0, t);
        e->type = t;
        e->nullable = true;   /* pmod(x, 0) is NULL */
        break;
    }
    case RF_F_LEVENSHTEIN:
        rc = cast_all(e, 0, RF_TYPE_STRING);
        e->type = RF_TYPE_INT32;
        break;
    case RF_F_SOUNDEX: case RF_F_BASE64: case RF_F_UNBASE64:
        rc = cast_arg(e, 0, RF_TYPE_STRING);
        e->type = RF_TYPE_STRING;
        if (e->op == RF_F_UNBASE64) e->nullable = true;
        break;
    case RF_F_SUBSTRING_INDEX:
        rc = cast_arg(e, 0, RF_TYPE_STRING);
        if (!rc) rc = cast_arg(e, 1, RF_TYPE_STRING);
        if (!rc) rc = cast_arg(e, 2, RF_TYPE_INT32);
        e->type = RF_TYPE_STRING;
        break;
    case RF_F_OVERLAY:
        rc = cast_arg(e, 0, RF_TYPE_STRING);
        if (!rc) rc = cast_arg(e, 1, RF_TYPE_STRING);
        for (int i = 2; i < e->n_arg && !rc; i++) rc = cast_arg(e, i, RF_TYPE_INT32);
        e->type = RF_TYPE_STRING;
        break;
    case RF_F_OCTET_LENGTH: case RF_F_BIT_LENGTH:
        rc = cast_arg(e, 0, RF_TYPE_STRING);
        e->type = RF_TYPE_INT32;
        break;
    case RF_F_MONTHS_BETWEEN:
        rc = cast_arg(e, 0, RF_TYPE_TIMESTAMP);
        if (!rc) rc = cast_arg(e, 1, RF_TYPE_TIMESTAMP);
        if (!rc && e->n_arg > 2) rc = cast_arg(e, 2, RF_TYPE_BOOL);
        e->type = RF_TYPE_DOUBLE;
        break;
    case RF_F_NEXT_DAY: case RF_F_TRUNC:
        rc = cast_arg(e, 0, RF_TYPE_DATE);
        if (!rc) rc = cast_arg(e, 1, RF_TYPE_STRING);
        e->type = RF_TYPE_DATE;
        e->nullable = true;
        break;
    case RF_F_WEEKDAY:
        rc = cast_arg(e, 0, RF_TYPE_DATE);
        e->type = RF_TYPE_INT32;
        break;
    case RF_F_FORMAT_NUMBER:
        if (!rf_type_is_numeric(e->arg[0]->type)) rc = cast_arg(e, 0, RF_TYPE_DOUBLE);
        if (!rc) rc = cast_arg(e, 1, RF_TYPE_INT32);
        e->type = RF_TYPE_STRING;
        e->nullable = true;
        break;
    case RF_F_BIN:
        rc = cast_arg(e, 0, RF_TYPE_INT64);
        e->type = RF_TYPE_STRING;
        break;
    case RF_F_GET_JSON_OBJECT:
        rc = cast_all(e, 0, RF_TYPE_STRING);
        e->type = RF_TYPE_STRING;
        e->nullable = true;
        break;
    case RF_F_IV_MICROS:
        e->type = RF_TYPE_INT64;
        break;
    case RF_F_TS_ADD_MICROS:
        rc = cast_arg(e, 0, RF_TYPE_TIMESTAMP);
        if (!rc) rc = cast_arg(e, 1, RF_TYPE_INT64);
        e->type = RF_TYPE_TIMESTAMP;
        break;
    case RF_F_TIME_WINDOW: case RF_F_WINDOW_START: case RF_F_WINDOWS:
        return rf__func_type_window(e);
    default:
        break;
    }
    return rc;
}

/* ---------------------------------------------------------------- strings */
static int64_t u8_next(const char *p, int64_t len, int64_t k)
{
    k++;
    while (k < len && ((unsigned char)p[k] & 0xC0) == 0x80) k++;
    return k;
}

int64_t rf__u8_len(const char *p, int64_t n)
{
    int64_t k = 0;
    for (int64_t i = 0; i < n; i++) k += ((unsigned char)p[i] & 0xC0) != 0x80;
    return k;
}

/* Byte offset of code point `chars` in p (len when past the end). */
int64_t rf__u8_off(const char *p, int64_t len, int64_t chars)
{
    int64_t k = 0;
    while (k < len && chars > 0) { k = u8_next(p, len, k); chars--; }
    return k;
}

static bool in_set(const char *set, int64_t n, const char *c, int64_t cl)
{
    for (int64_t k = 0; k < n;) {
        int64_t e = u8_next(set, n, k);
        if (e - k == cl && !memcmp(set + k, c, (size_t)cl)) return true;
        k = e;
    }
    return false;
}

/* Appends a string assembled in b (scratch) to r. */
static int put(rf_column *r, const rf_buf *b) { return rf_column_append_str(r, b->data ? (const char *)b->data : "", (int64_t)b->len); }

static int pad(rf_column *r, const char *s, int64_t sl, int64_t want, const char *pd, int64_t pl, bool left)
{
    int64_t have = rf__u8_len(s, sl);
    if (want <= 0) return rf_column_append_str(r, "", 0);
    if (have >= want) return rf_column_append_str(r, s, rf__u8_off(s, sl, want));
    if (pl == 0) return rf_column_append_str(r, s, sl);
    rf_buf b = { 0 };
    int rc = RF_OK;
    if (!left) rc = rf_buf_put(&b, s, (size_t)sl);
    for (int64_t need = want - have, k = 0; need > 0 && !rc; need--) {
        int64_t e = u8_next(pd, pl, k);
        rc = rf_buf_put(&b, pd + k, (size_t)(e - k));
        k = e >= pl ? 0 : e;
    }
    if (left && !rc) rc = rf_buf_put(&b, s, (size_t)sl);
    if (!rc) rc = put(r, &b);
    rf_buf_fini(&b);
    return rc;
}

void rf__u8_put(rf_buf *b, uint32_t m)
{
    if (m < 0x80) rf_buf_put_u8(b, (uint8_t)m);
    else if (m < 0x800) { rf_buf_put_u8(b, (uint8_t)(0xC0 | m >> 6)); rf_buf_put_u8(b, (uint8_t)(0x80 | (m & 0x3F))); }
    else if (m < 0x10000) { rf_buf_put_u8(b, (uint8_t)(0xE0 | m >> 12)); rf_buf_put_u8(b, (uint8_t)(0x80 | (m >> 6 & 0x3F))); rf_buf_put_u8(b, (uint8_t)(0x80 | (m & 0x3F))); }
    else { rf_buf_put_u8(b, (uint8_t)(0xF0 | m >> 18)); rf_buf_put_u8(b, (uint8_t)(0x80 | (m >> 12 & 0x3F))); rf_buf_put_u8(b, (uint8_t)(0x80 | (m >> 6 & 0x3F))); rf_buf_put_u8(b, (uint8_t)(0x80 | (m & 0x3F))); }
}

/* 1-based character position of needle in hay at or after character `from` (1-based), 0 if none. */
static int64_t find_chars(const char *h, int64_t hl, const char *n, int64_t nl, int64_t from)
{
    int64_t start = rf__u8_off(h, hl, from - 1);
    for (int64_t k = start; k + nl <= hl; k = u8_next(h, hl, k))
        if (!memcmp(h + k, n, (size_t)nl)) return rf__u8_len(h, k) + 1;
    return 0;
}

/* ---------------------------------------------------------------- one row */
int rf__func_row_more(const rf_expr *e, rf_column **a, int64_t i, rf_column *r)
{
    int64_t l0 = 0, l1 = 0, l2 = 0;
    const char *s0 = a[0] && (a[0]->type == RF_TYPE_STRING) && e->n_arg > 0 ? rf_col_str(a[0], i, &l0) : NULL;
    const char *s1 = e->n_arg > 1 && a[1]->type == RF_TYPE_STRING ? rf_col_str(a[1], i, &l1) : NULL;
    const char *s2 = e->n_arg > 2 && a[2]->type == RF_TYPE_STRING ? rf_col_str(a[2], i, &l2) : NULL;
    int rc = RF_OK;
    rf_buf b = { 0 };
    switch (e->op) {
    case RF_F_LTRIM: case RF_F_RTRIM: case RF_F_BTRIM: {
        if (e->n_arg > 1 && e->op != RF_F_BTRIM) {   /* Spark's ltrim / rtrim(chars, str) */
            const char *ts = s0; int64_t tl = l0;
            s0 = s1; l0 = l1; s1 = ts; l1 = tl;
        }
        const char *set = e->n_arg > 1 ? s1 : " ";
        int64_t sl = e->n_arg > 1 ? l1 : 1, st = 0, en = l0;
        if (e->op != RF_F_RTRIM)
            while (st < en) { int64_t nx = u8_next(s0, en, st); if (!in_set(set, sl, s0 + st, nx - st)) break; st = nx; }
        if (e->op != RF_F_LTRIM)
            while (en > st) {
                int64_t pv = en - 1;
                while (pv > st && ((unsigned char)s0[pv] & 0xC0) == 0x80) pv--;
                if (!in_set(set, sl, s0 + pv, en - pv)) break;
                en = pv;
            }
        return rf_column_append_str(r, s0 + st, en - st);
    }
    case RF_F_LPAD: case RF_F_RPAD:
        return pad(r, s0, l0, rf_col_i32(a[1], i), e->n_arg > 2 ? s2 : " ", e->n_arg > 2 ? l2 : 1, e->op == RF_F_LPAD);
    case RF_F_LEFT: case RF_F_RIGHT: {
        int64_t k = rf_col_i32(a[1], i), chars = rf__u8_len(s0, l0);
        if (k <= 0) return rf_column_append_str(r, "", 0);
        if (k >= chars) return rf_column_append_str(r, s0, l0);
        if (e->op == RF_F_LEFT) return rf_column_append_str(r, s0, rf__u8_off(s0, l0, k));
        int64_t off = rf__u8_off(s0, l0, chars - k);
        return rf_column_append_str(r, s0 + off, l0 - off);
    }
    case RF_F_REPEAT: {
        int64_t k = rf_col_i32(a[1], i);
        if (k > 0 && l0 * k > ((int64_t)1 << 30)) return rf__err_set(RF_ERR_INVALID, "repeat(): the result would pass 1 GB");
        for (int64_t q = 0; q < k && !rc; q++) rc = rf_buf_put(&b, s0, (size_t)l0);
        break;
    }
    case RF_F_REPLACE: {
        const char *rep = e->n_arg > 2 ? s2 : "";
        int64_t rl = e->n_arg > 2 ? l2 : 0;
        if (l1 == 0) return rf_column_append_str(r, s0, l0);
        for (int64_t k = 0; k < l0 && !rc;) {
            if (k + l1 <= l0 && !memcmp(s0 + k, s1, (size_t)l1)) { rc = rf_buf_put(&b, rep, (size_t)rl); k += l1; }
            else rc = rf_buf_put_u8(&b, (uint8_t)s0[k++]);
        }
        break;
    }
    case RF_F_REVERSE:
        for (int64_t en = l0; en > 0 && !rc;) {
            int64_t st = en - 1;
            while (st > 0 && ((unsigned char)s0[st] & 0xC0) == 0x80) st--;
            rc = rf_buf_put(&b, s0 + st, (size_t)(en - st));
            en = st;
        }
        break;
    case RF_F_INITCAP: {   /* the first letter of each space-separated word upper case, the rest lower (ASCII) */
        bool start = true;
        for (int64_t k = 0; k < l0 && !rc; k++) {
            char c = s0[k];
            if (start && c >= 'a' && c <= 'z') c = (char)(c - 32);
            else if (!start && c >= 'A' && c <= 'Z') c = (char)(c + 32);
            start = c == ' ';
            rc = rf_buf_put_u8(&b, (uint8_t)c);
        }
        break;
    }
    case RF_F_TRANSLATE:
        for (int64_t k = 0; k < l0 && !rc;) {
            int64_t nx = u8_next(s0, l0, k), pos = 0, idx = -1;
            for (int64_t q = 0; q < l1 && idx < 0; pos++) {
                int64_t qn = u8_next(s1, l1, q);
                if (qn - q == nx - k && !memcmp(s1 + q, s0 + k, (size_t)(nx - k))) idx = pos;
                q = qn;
            }
            if (idx < 0) rc = rf_buf_put(&b, s0 + k, (size_t)(nx - k));
            else {
                int64_t to = rf__u8_off(s2, l2, idx);
                if (to < l2) rc = rf_buf_put(&b, s2 + to, (size_t)(u8_next(s2, l2, to) - to));   /* no partner: deleted */
            }
            k = nx;
        }
        break;
    case RF_F_SPLIT_PART: {   /* Spark: 1-based, negative from the end, 0 an error, past the parts '' */
        int64_t want = rf_col_i32(a[2], i);
        if (want == 0) return rf__err_set(RF_ERR_INVALID, "split_part(): the part number must not be 0");
        int64_t cnt = 1;
        if (l1 > 0) for (int64_t k = 0; k + l1 <= l0;) { if (!memcmp(s0 + k, s1, (size_t)l1)) { cnt++; k += l1; } else k++; }
        int64_t idx = want > 0 ? want - 1 : cnt + want;
        if (idx < 0 || idx >= cnt) return rf_column_append_str(r, "", 0);
        if (l1 == 0) return rf_column_append_str(r, s0, l0);
        int64_t part = 0, st = 0;
        for (int64_t k = 0; k + l1 <= l0;) {
            if (!memcmp(s0 + k, s1, (size_t)l1)) {
                if (part == idx) return rf_column_append_str(r, s0 + st, k - st);
                part++;
                k += l1;
                st = k;
            } else k++;
        }
        return rf_column_append_str(r, s0 + st, l0 - st);
    }
    case RF_F_CONCAT_WS: {
        if (!rf_column_valid(a[0], i)) return rf_column_append_null(r);   /* a NULL separator */
        bool first = true;
        for (int k = 1; k < e->n_arg && !rc; k++) {
            if (!rf_column_valid(a[k], i)) continue;
            int64_t l;
            const char *p = rf_col_str(a[k], i, &l);
            if (!first) rc = rf_buf_put(&b, s0, (size_t)l0);
            if (!rc) rc = rf_buf_put(&b, p, (size_t)l);
            first = false;
        }
        break;
    }
    case RF_F_ASCII: {   /* the first character's code point */
        if (l0 == 0) return rf_column_append_i64(r, 0);
        unsigned char c = (unsigned char)s0[0];
        int nb = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
        uint32_t cp = nb == 1 ? c : nb == 2 ? c & 0x1F : nb == 3 ? c & 0x0F : c & 0x07;
        for (int j = 1; j < nb && j < l0; j++) cp = cp << 6 | ((unsigned char)s0[j] & 0x3F);
        return rf_column_append_i64(r, cp);
    }
    case RF_F_CHR: {
        int64_t v = rf_col_i64(a[0], i);
        if (v < 0) return rf_column_append_str(r, "", 0);
        rf__u8_put(&b, (uint32_t)(v % 256));
        break;
    }
    case RF_F_INSTR:
        return rf_column_append_i64(r, find_chars(s0, l0, s1, l1, 1));
    case RF_F_LOCATE: {   /* locate(substr, str[, pos]) */
        int64_t from = e->n_arg > 2 ? rf_col_i32(a[2], i) : 1;
        if (from < 1) return rf_column_append_i64(r, 0);
        return rf_column_append_i64(r, find_chars(s1, l1, s0, l0, from));
    }
    case RF_F_STARTSWITH: return rf_column_append_i64(r, l1 <= l0 && !memcmp(s0, s1, (size_t)l1));
    case RF_F_ENDSWITH: return rf_column_append_i64(r, l1 <= l0 && !memcmp(s0 + l0 - l1, s1, (size_t)l1));
    case RF_F_CONTAINS: return rf_column_append_i64(r, find_chars(s0, l0, s1, l1, 1) > 0 || l1 == 0);
    case RF_F_HEX:
        if (a[0]->type == RF_TYPE_STRING) for (int64_t k = 0; k < l0 && !rc; k++) rc = rf_buf_printf(&b, "%02X", (unsigned char)s0[k]);
        else rc = rf_buf_printf(&b, "%llX", (unsigned long long)rf_col_i64(a[0], i));
        break;
    case RF_F_UNHEX: {   /* the bytes as a string (an odd count of digits starts with 0); NULL for text that is not hex */
        static const char hexd[] = "0123456789abcdef";
        for (int64_t q = 0; q < l0; q++) if (!s0[q] || !strchr("0123456789abcdefABCDEF", s0[q])) return rf_column_append_null(r);
        int hi = -1;
        if (l0 % 2) hi = 0;
        for (int64_t q = 0; q < l0 && !rc; q++) {
            int v = (int)(strchr(hexd, s0[q] | 0x20) - hexd);
            if (hi < 0) hi = v;
            else { rc = rf_buf_put_u8(&b, (uint8_t)(hi * 16 + v)); hi = -1; }
        }
        break;
    }
    case RF_F_FLOOR: case RF_F_CEIL: {
        rf_type t = a[0]->type;
        bool fl = e->op == RF_F_FLOOR;
        if (rf_type_is_decimal(t)) {
            rf_dec v = rf_col_dec(a[0], i), p = rf_dec_pow10(rf_type_scale(t)), q = v / p, rem = v % p;
            if (rem != 0 && ((fl && v < 0) || (!fl && v > 0))) q += fl ? -1 : 1;
            return rf_column_append_dec(r, q);
        }
        if (t == RF_TYPE_DOUBLE) {
            double x = rf_col_f64(a[0], i), y = fl ? floor(x) : ceil(x);
            if (y != y || y >= 9.2233720368547758e18 || y < -9.2233720368547758e18) return rf_column_append_null(r);
            return rf_column_append_i64(r, (int64_t)y);
        }
        return rf_column_append_i64(r, rf_column_get_int(a[0], i));
    }
    case RF_F_SQRT: case RF_F_EXP: case RF_F_LN: case RF_F_LOG10: case RF_F_LOG2: case RF_F_SIGN: case RF_F_CBRT: {
        double x = rf_col_f64(a[0], i), y;
        switch (e->op) {
        case RF_F_SQRT: if (x < 0) return rf_column_append_null(r); y = sqrt(x); break;
        case RF_F_EXP: y = exp(x); break;
        case RF_F_LN: if (x <= 0) return rf_column_append_null(r); y = log(x); break;
        case RF_F_LOG10: if (x <= 0) return rf_column_append_null(r); y = log10(x); break;
        case RF_F_LOG2: if (x <= 0) return rf_column_append_null(r); y = log2(x); break;
        case RF_F_CBRT: y = cbrt(x); break;
        default: y = x > 0 ? 1.0 : x < 0 ? -1.0 : x; break;
        }
        return rf_column_append_f64(r, y);
    }
    case RF_F_POWER: return rf_column_append_f64(r, pow(rf_col_f64(a[0], i), rf_col_f64(a[1], i)));
    case RF_F_LOG: {   /* log(base, x) */
        double base = rf_col_f64(a[0], i), x = rf_col_f64(a[1], i);
        if (base <= 0 || x <= 0) return rf_column_append_null(r);
        return rf_column_append_f64(r, log(x) / log(base));
    }
    case RF_F_DATE_FORMAT:
        if (!rf__ts_format(rf_col_i64(a[0], i), s1, l1, &b)) { rf_buf_fini(&b); return rf__err_set(RF_ERR_INVALID, "date_format(): unknown pattern letter in '%.*s'", (int)l1, s1); }
        break;
    case RF_F_FROM_UNIXTIME: {
        int64_t secs = rf_col_i64(a[0], i);
        if (secs > 253402300799LL || secs < -62135596800LL) return rf_column_append_null(r);
        const char *f = e->n_arg > 1 ? s1 : "yyyy-MM-dd HH:mm:ss";
        int64_t fl = e->n_arg > 1 ? l1 : 19;
        if (!rf__ts_format(secs * 1000000, f, fl, &b)) { rf_buf_fini(&b); return rf__err_set(RF_ERR_INVALID, "from_unixtime(): unknown pattern letter in '%.*s'", (int)fl, f); }
        break;
    }
    case RF_F_TO_TIMESTAMP: case RF_F_UNIX_TIMESTAMP: {
        int64_t us;
        bool ok;
        if (e->n_arg == 0) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            return rf_column_append_i64(r, (int64_t)ts.tv_sec);
        }
        if (a[0]->type == RF_TYPE_TIMESTAMP) { us = rf_col_i64(a[0], i); ok = true; }
        else if (e->n_arg > 1) ok = rf__ts_parse(s0, l0, s1, l1, &us);
        else ok = e->op == RF_F_UNIX_TIMESTAMP ? rf__ts_parse(s0, l0, "yyyy-MM-dd HH:mm:ss", 19, &us) : rf_parse_timestamp(s0, (size_t)l0, &us);
        if (!ok) return rf_column_append_null(r);
        if (e->op == RF_F_TO_TIMESTAMP) return rf_column_append_i64(r, us);
        return rf_column_append_i64(r, us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000));
    }
    case RF_F_MAKE_DATE: {
        int64_t y = rf_col_i32(a[0], i), mo = rf_col_i32(a[1], i), d = rf_col_i32(a[2], i);
        if (y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1) return rf_column_append_null(r);
        int32_t first = rf_days_from_civil(y, (unsigned)mo, 1), next = rf_days_from_civil(mo == 12 ? y + 1 : y, mo == 12 ? 1 : (unsigned)mo + 1, 1);
        if (d > next - first) return rf_column_append_null(r);
        return rf_column_append_i64(r, first + d - 1);
    }
    case RF_F_IV_MICROS:
        return rf__err_set(RF_ERR_ANALYSIS, "an INTERVAL of hours, minutes or seconds can only be added to or subtracted from a timestamp");
    case RF_F_WINDOWS: case RF_F_WINDOW_START:
        return rf__func_row_window(e, a, i, r);
    case RF_F_TS_ADD_MICROS: {
        int64_t t = rf_col_i64(a[0], i), d = rf_col_i64(a[1], i), s;
        if (__builtin_add_overflow(t, d, &s)) return rf_column_append_null(r);
        return rf_column_append_i64(r, s);
    }
    case RF_F_GET_JSON_OBJECT:
        rc = rf__json_path(r, s0, l0, s1, l1, &b);
        rf_buf_fini(&b);
        return rc;
    case RF_F_ISNAN: return rf_column_append_i64(r, rf_column_valid(a[0], i) && isnan(rf_col_f64(a[0], i)));
    case RF_F_ISNULL: return rf_column_append_i64(r, !rf_column_valid(a[0], i));
    case RF_F_ISNOTNULL: return rf_column_append_i64(r, rf_column_valid(a[0], i));
    case RF_F_TYPEOF: {
        rf_type t = e->arg[0]->type;
        const char *n = rf_type_name(t);
        return rf_column_append_str(r, n, (int64_t)strlen(n));
    }
    case RF_F_PI: return rf_column_append_f64(r, M_PI);
    case RF_F_E: return rf_column_append_f64(r, M_E);
    case RF_F_NANVL: { double x = rf_col_f64(a[0], i); return rf_column_append_f64(r, isnan(x) ? rf_col_f64(a[1], i) : x); }
    case RF_F_DEGREES: return rf_column_append_f64(r, rf_col_f64(a[0], i) * (180.0 / M_PI));
    case RF_F_RADIANS: return rf_column_append_f64(r, rf_col_f64(a[0], i) * (M_PI / 180.0));
    case RF_F_SIN: return rf_column_append_f64(r, sin(rf_col_f64(a[0], i)));
    case RF_F_COS: return rf_column_append_f64(r, cos(rf_col_f64(a[0], i)));
    case RF_F_TAN: return rf_column_append_f64(r, tan(rf_col_f64(a[0], i)));
    case RF_F_ASIN: return rf_column_append_f64(r, asin(rf_col_f64(a[0], i)));
    case RF_F_ACOS: return rf_column_append_f64(r, acos(rf_col_f64(a[0], i)));
    case RF_F_ATAN: return rf_column_append_f64(r, atan(rf_col_f64(a[0], i)));
    case RF_F_ATAN2: return rf_column_append_f64(r, atan2(rf_col_f64(a[0], i), rf_col_f64(a[1], i)));
    case RF_F_HYPOT: return rf_column_append_f64(r, hypot(rf_col_f64(a[0], i), rf_col_f64(a[1], i)));
    case RF_F_RINT: return rf_column_append_f64(r, nearbyint(rf_col_f64(a[0], i)));   /* ties to even */
    case RF_F_TRY_ADD: case RF_F_TRY_SUBTRACT: case RF_F_TRY_MULTIPLY: case RF_F_TRY_DIVIDE: {
        if (e->type == RF_TYPE_DOUBLE) {
            double x = rf_col_f64(a[0], i), y = rf_col_f64(a[1], i);
            if (e->op == RF_F_TRY_DIVIDE && y == 0) return rf_column_append_null(r);
            return rf_column_append_f64(r, e->op == RF_F_TRY_ADD ? x + y : e->op == RF_F_TRY_SUBTRACT ? x - y : e->op == RF_F_TRY_MULTIPLY ? x * y : x / y);
        }
        int64_t x = rf_column_get_int(a[0], i), y = rf_column_get_int(a[1], i), z;
        bool over;
        if (e->type == RF_TYPE_INT32) {
            int32_t w;
            over = e->op == RF_F_TRY_ADD ? __builtin_add_overflow((int32_t)x, (int32_t)y, &w)
                 : e->op == RF_F_TRY_SUBTRACT ? __builtin_sub_overflow((int32_t)x, (int32_t)y, &w) : __builtin_mul_overflow((int32_t)x, (int32_t)y, &w);
            z = w;
        } else {
            over = e->op == RF_F_TRY_ADD ? __builtin_add_overflow(x, y, &z)
                 : e->op == RF_F_TRY_SUBTRACT ? __builtin_sub_overflow(x, y, &z) : __builtin_mul_overflow(x, y, &z);
        }
        return over ? rf_column_append_null(r) : rf_column_append_i64(r, z);
    }
    case RF_F_PMOD: {
        if (e->type == RF_TYPE_DOUBLE) {
            double x = rf_col_f64(a[0], i), y = rf_col_f64(a[1], i);
            if (y == 0) return rf_column_append_null(r);
            double m = fmod(x, y);
            return rf_column_append_f64(r, m < 0 ? fmod(m + y, y) : m);
        }
        int64_t x = rf_column_get_int(a[0], i), y = rf_column_get_int(a[1], i);
        if (y == 0) return rf_column_append_null(r);
        if (y == -1) return rf_column_append_i64(r, 0);
        int64_t m = x % y;
        if (m < 0) m = (m + y) % y;
        return rf_column_append_i64(r, m);
    }
    case RF_F_LEVENSHTEIN: {   /* in characters */
        int64_t n0 = rf__u8_len(s0, l0), n1 = rf__u8_len(s1, l1);
        int64_t *row = rf_malloc((size_t)(n1 + 1) * sizeof *row), *o0 = rf_malloc((size_t)(n0 + 1) * sizeof *o0),
                *o1 = rf_malloc((size_t)(n1 + 1) * sizeof *o1);
        if (!row || !o0 || !o1) { rf_free(row); rf_free(o0); rf_free(o1); return rf__err_set(RF_ERR_NOMEM, "out of memory"); }
        for (int64_t k = 0, b = 0; k <= n0; k++) { o0[k] = b; if (b < l0) b = u8_next(s0, l0, b); }
        for (int64_t k = 0, b = 0; k <= n1; k++) { o1[k] = b; if (b < l1) b = u8_next(s1, l1, b); }
        for (int64_t j = 0; j <= n1; j++) row[j] = j;
        for (int64_t k = 1; k <= n0; k++) {
            int64_t prev = row[0];
            row[0] = k;
            for (int64_t j = 1; j <= n1; j++) {
                int64_t cur = row[j];
                bool same = o0[k] - o0[k - 1] == o1[j] - o1[j - 1] && !memcmp(s0 + o0[k - 1], s1 + o1[j - 1], (size_t)(o0[k] - o0[k - 1]));
                int64_t best = prev + !same;
                if (row[j] + 1 < best) best = row[j] + 1;
                if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
                row[j] = best;
                prev = cur;
            }
        }
        int64_t d = row[n1];
        rf_free(row); rf_free(o0); rf_free(o1);
        return rf_column_append_i64(r, d);
    }
    case RF_F_SOUNDEX: {   /* American Soundex of the ASCII letters; text not starting with a letter comes back as it is */
        static const char code[] = "01230120022455012623010202";
        if (l0 == 0 || !((s0[0] | 0x20) >= 'a' && (s0[0] | 0x20) <= 'z')) return rf_column_append_str(r, s0, l0);
        char out[4] = { (char)(s0[0] & ~0x20), '0', '0', '0' };
        int n = 1;
        char last = code[(s0[0] | 0x20) - 'a'];
        for (int64_t k = 1; k < l0 && n < 4; k++) {
            char c = (char)(s0[k] | 0x20);
            if (c < 'a' || c > 'z') { last = 0; continue; }
            char cd = code[c - 'a'];
            if (cd != '0' && cd != last) out[n++] = cd;
            if (c != 'h' && c != 'w') last = cd;
        }
        return rf_column_append_str(r, out, 4);
    }
    case RF_F_SUBSTRING_INDEX: {   /* before the count-th delimiter (from the end when negative) */
        int64_t cnt = rf_col_i32(a[2], i);
        if (cnt == 0 || l1 == 0) return rf_column_append_str(r, "", 0);
        if (cnt > 0) {
            for (int64_t k = 0; k + l1 <= l0; k++)
                if (!memcmp(s0 + k, s1, (size_t)l1) && --cnt == 0) return rf_column_append_str(r, s0, k);
            return rf_column_append_str(r, s0, l0);
        }
        for (int64_t k = l0 - l1; k >= 0; k--)
            if (!memcmp(s0 + k, s1, (size_t)l1) && ++cnt == 0) return rf_column_append_str(r, s0 + k + l1, l0 - k - l1);
        return rf_column_append_str(r, s0, l0);
    }
    case RF_F_OVERLAY: {   /* overlay(s, r, pos[, len]): s with len characters from pos replaced by r (len: r's length) */
        int64_t pos = rf_col_i32(a[2], i), len = e->n_arg > 3 ? rf_col_i32(a[3], i) : rf__u8_len(s1, l1);
        int64_t chars = rf__u8_len(s0, l0), st = pos - 1 < 0 ? 0 : pos - 1 > chars ? chars : pos - 1, en = st + (len < 0 ? 0 : len);
        if (en > chars) en = chars;
        int64_t bs = rf__u8_off(s0, l0, st), be = rf__u8_off(s0, l0, en);
        rc = rf_buf_put(&b, s0, (size_t)bs);
        if (!rc) rc = rf_buf_put(&b, s1, (size_t)l1);
        if (!rc) rc = rf_buf_put(&b, s0 + be, (size_t)(l0 - be));
        break;
    }
    case RF_F_OCTET_LENGTH: return rf_column_append_i64(r, l0);
    case RF_F_BIT_LENGTH: return rf_column_append_i64(r, l0 * 8);
    case RF_F_MONTHS_BETWEEN: {   /* Spark: whole months when the days match or both are months' last days, else by 31-day months */
        int64_t u1 = rf_col_i64(a[0], i), u2 = rf_col_i64(a[1], i);
        bool round8 = e->n_arg < 3 || rf_col_bool(a[2], i);
        int64_t d1 = u1 >= 0 ? u1 / 86400000000LL : -((-u1 + 86399999999LL) / 86400000000LL), d2 = u2 >= 0 ? u2 / 86400000000LL : -((-u2 + 86399999999LL) / 86400000000LL);
        int64_t y1, y2;
        unsigned m1, m2, dd1, dd2;
        rf_civil_from_days(d1, &y1, &m1, &dd1);
        rf_civil_from_days(d2, &y2, &m2, &dd2);
        double months = (double)((y1 - y2) * 12 + ((int64_t)m1 - (int64_t)m2));
        int32_t last1 = rf_days_from_civil(m1 == 12 ? y1 + 1 : y1, m1 == 12 ? 1 : m1 + 1, 1) - 1;
        int32_t last2 = rf_days_from_civil(m2 == 12 ? y2 + 1 : y2, m2 == 12 ? 1 : m2 + 1, 1) - 1;
        if (dd1 == dd2 || (d1 == last1 && d2 == last2)) return rf_column_append_f64(r, months);
        double sec1 = (double)(dd1 - 1) * 86400 + (double)(u1 - d1 * 86400000000LL) / 1e6;
        double sec2 = (double)(dd2 - 1) * 86400 + (double)(u2 - d2 * 86400000000LL) / 1e6;
        double v = months + (sec1 - sec2) / (31.0 * 86400);
        if (round8) v = round(v * 1e8) / 1e8;
        return rf_column_append_f64(r, v);
    }
    case RF_F_NEXT_DAY: {   /* the first such day after the date */
        static const char *dn[7][3] = { { "MO", "MON", "MONDAY" }, { "TU", "TUE", "TUESDAY" }, { "WE", "WED", "WEDNESDAY" },
                                        { "TH", "THU", "THURSDAY" }, { "FR", "FRI", "FRIDAY" }, { "SA", "SAT", "SATURDAY" },
                                        { "SU", "SUN", "SUNDAY" } };
        int want = -1;
        for (int k = 0; k < 7 && want < 0; k++)
            for (int v = 0; v < 3; v++) if ((int64_t)strlen(dn[k][v]) == l1 && !strncasecmp(dn[k][v], s1, (size_t)l1)) want = k;
        if (want < 0) return rf_column_append_null(r);
        int64_t z = rf_col_i32(a[0], i), wd = ((z % 7) + 7 + 3) % 7;   /* 0 = Monday */
        int64_t add = (want - wd + 7) % 7;
        return rf_column_append_i64(r, z + (add ? add : 7));
    }
    case RF_F_TRUNC: {   /* trunc(date, 'year' | 'quarter' | 'month' | 'week') */
        int64_t z = rf_col_i32(a[0], i), y;
        unsigned mo, d;
        rf_civil_from_days(z, &y, &mo, &d);
        char u[16] = { 0 };
        for (int64_t k = 0; k < l1 && k < 15; k++) u[k] = (char)(s1[k] | 0x20);
        if (!strcmp(u, "year") || !strcmp(u, "yyyy") || !strcmp(u, "yy")) return rf_column_append_i64(r, rf_days_from_civil(y, 1, 1));
        if (!strcmp(u, "quarter")) return rf_column_append_i64(r, rf_days_from_civil(y, (mo - 1) / 3 * 3 + 1, 1));
        if (!strcmp(u, "month") || !strcmp(u, "mon") || !strcmp(u, "mm")) return rf_column_append_i64(r, rf_days_from_civil(y, mo, 1));
        if (!strcmp(u, "week")) return rf_column_append_i64(r, z - ((z % 7) + 7 + 3) % 7);
        return rf_column_append_null(r);
    }
    case RF_F_WEEKDAY: { int64_t z = rf_col_i32(a[0], i); return rf_column_append_i64(r, ((z % 7) + 7 + 3) % 7); }
    case RF_F_FORMAT_NUMBER: {   /* #,###,###.dd, half even; d < 0 is NULL */
        int d = rf_col_i32(a[1], i);
        if (d < 0) return rf_column_append_null(r);
        if (d > 30) d = 30;
        char num[512];
        rf_type t = a[0]->type;
        if (rf_type_is_decimal(t)) {
            int sc = rf_type_scale(t);
            rf_dec v = rf_col_dec(a[0], i);
            if (d < sc) {   /* half even to d digits */
                rf_dec div = rf_dec_pow10(sc - d), q = v / div, rm = v % div, ar = rm < 0 ? -rm : rm;
                if (ar * 2 > div || (ar * 2 == div && (q % 2 != 0))) q += v < 0 ? -1 : 1;
                v = q;
                sc = d;
            }
            rf_dec_format(v, sc, num, sizeof num);
            if (d > sc) {   /* pad zeros */
                size_t l = strlen(num);
                if (sc == 0) num[l++] = '.';
                for (int k = sc; k < d && l + 1 < sizeof num; k++) num[l++] = '0';
                num[l] = 0;
            }
        } else if (t == RF_TYPE_DOUBLE) {
            double x = rf_col_f64(a[0], i);
            if (isnan(x) || isinf(x)) return rf_column_append_str(r, isnan(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity", isnan(x) ? 3 : x > 0 ? 8 : 9);
            snprintf(num, sizeof num, "%.*f", d, x);
        } else snprintf(num, sizeof num, "%lld", (long long)rf_column_get_int(a[0], i));
        if (t != RF_TYPE_DOUBLE && !rf_type_is_decimal(t) && d > 0) { size_t l = strlen(num); num[l++] = '.'; for (int k = 0; k < d && l + 1 < sizeof num; k++) num[l++] = '0'; num[l] = 0; }
        const char *p = num;
        bool neg = *p == '-';
        if (neg) p++;
        const char *dot = strchr(p, '.');
        size_t il = dot ? (size_t)(dot - p) : strlen(p);
        if (neg) rc = rf_buf_put_u8(&b, '-');
        for (size_t k = 0; k < il && !rc; k++) {
            rc = rf_buf_put_u8(&b, (uint8_t)p[k]);
            if (!rc && (il - k - 1) % 3 == 0 && k + 1 < il) rc = rf_buf_put_u8(&b, ',');
        }
        if (!rc && dot) rc = rf_buf_put(&b, dot, strlen(dot));
        break;
    }
    case RF_F_BASE64: {
        static const char tb[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int64_t k = 0; k < l0 && !rc; k += 3) {
            uint32_t v = (uint32_t)(unsigned char)s0[k] << 16 | (k + 1 < l0 ? (uint32_t)(unsigned char)s0[k + 1] << 8 : 0) |
                         (k + 2 < l0 ? (unsigned char)s0[k + 2] : 0);
            char o[4] = { tb[v >> 18 & 63], tb[v >> 12 & 63], k + 1 < l0 ? tb[v >> 6 & 63] : '=', k + 2 < l0 ? tb[v & 63] : '=' };
            rc = rf_buf_put(&b, o, 4);
        }
        break;
    }
    case RF_F_UNBASE64: {
        uint32_t acc = 0;
        int bits = 0;
        for (int64_t k = 0; k < l0 && !rc; k++) {
            char c = s0[k];
            int v = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26 : c >= '0' && c <= '9' ? c - '0' + 52 : c == '+' ? 62 : c == '/' ? 63 : c == '=' ? -2 : -1;
            if (v == -2) break;
            if (v < 0) { rf_buf_fini(&b); return rf_column_append_null(r); }
            acc = acc << 6 | (uint32_t)v;
            bits += 6;
            if (bits >= 8) { bits -= 8; rc = rf_buf_put_u8(&b, (uint8_t)(acc >> bits)); }
        }
        break;
    }
    case RF_F_BIN: {
        uint64_t v = (uint64_t)rf_col_i64(a[0], i);
        char o[65];
        int n = 0;
        do { o[64 - ++n] = (char)('0' + (v & 1)); v >>= 1; } while (v && n < 64);
        return rf_column_append_str(r, o + 64 - n, n);
    }
    case RF_F_BROUND: {   /* HALF_EVEN */
        int d = e->n_arg > 1 ? rf_col_i32(a[1], i) : 0;
        if (rf_type_is_decimal(e->type)) {
            int sx = rf_type_scale(a[0]->type), so = rf_type_scale(e->type);
            rf_dec v = rf_col_dec(a[0], i);
            int drop = d < 0 ? sx - d : sx - so;
            if (drop > 38) return rf_column_append_dec(r, 0);
            if (drop > 0) {
                rf_dec div = rf_dec_pow10(drop), q = v / div, rm = v % div, ar = rm < 0 ? -rm : rm;
                if (ar * 2 > div || (ar * 2 == div && (q % 2 != 0))) q += v < 0 ? -1 : 1;
                v = q;
                if (d < 0) { rf_dec m = rf_dec_pow10(-d > 38 ? 38 : -d); v *= m; }
            }
            return rf_dec_fits(v, rf_type_precision(e->type)) ? rf_column_append_dec(r, v) : rf_column_append_null(r);
        }
        if (e->type == RF_TYPE_DOUBLE) {
            double x = rf_col_f64(a[0], i);
            if (isnan(x) || isinf(x) || d > 15) return rf_column_append_f64(r, x);
            rf_dec v;
            if (!rf_dec_from_double(x, 38, 18, &v)) return rf_column_append_f64(r, x);
            int drop = 18 - d;
            if (drop > 38) return rf_column_append_f64(r, 0);
            rf_dec div = rf_dec_pow10(drop), q = v / div, rm = v % div, ar = rm < 0 ? -rm : rm;
            if (ar * 2 > div || (ar * 2 == div && (q % 2 != 0))) q += v < 0 ? -1 : 1;
            return rf_column_append_f64(r, d >= 0 ? rf_dec_to_double(q, d) : rf_dec_to_double(q, 0) * pow(10, -d));
        }
        int64_t v = rf_column_get_int(a[0], i);
        if (d < 0) {
            int64_t p = 1;
            for (int k = 0; k < -d && p < INT64_MAX / 10; k++) p *= 10;
            int64_t q = v / p, rm = v % p, ar = rm < 0 ? -rm : rm;
            if (ar * 2 > p || (ar * 2 == p && (q % 2 != 0))) q += v < 0 ? -1 : 1;
            v = q * p;
        }
        return rf_column_append_i64(r, v);
    }
    case RF_F_GREATEST: case RF_F_LEAST: {
        int best = -1;
        for (int k = 0; k < e->n_arg; k++) {
            if (!rf_column_valid(a[k], i)) continue;
            if (best < 0) { best = k; continue; }
            int c = rf_column_cmp(a[k], i, a[best], i);
            if (e->op == RF_F_GREATEST ? c > 0 : c < 0) best = k;
        }
        return best < 0 ? rf_column_append_null(r) : rf_column_append_from(r, a[best], i);
    }
    default:
        return rf__err_set(RF_ERR_INTERNAL, "function %d has no body", e->op);
    }
    if (!rc) rc = put(r, &b);
    rf_buf_fini(&b);
    return rc;
}

bool rf__func_null_tolerant(int op)
{
    return op == RF_F_CONCAT_WS || op == RF_F_GREATEST || op == RF_F_LEAST || op == RF_F_ISNAN || op == RF_F_ISNULL ||
           op == RF_F_ISNOTNULL || op == RF_F_TYPEOF || op == RF_F_PI || op == RF_F_E;
}

/* ---------------------------------------------------------------- regular expressions */
/* Compiles a Java-style regex (riffle's dialect: POSIX extended with \d \s \w and friends). */
int rf__regex_compile(const char *p, int64_t n, regex_t *re, const char *fn);

static int re_for(regex_t *re, bool *have, char **cur, const rf_column *pat, int64_t i, const char *fn)
{
    int64_t pl;
    const char *pp = rf_col_str(pat, i, &pl);
    if (*have && *cur && (int64_t)strlen(*cur) == pl && !memcmp(*cur, pp, (size_t)pl)) return RF_OK;
    if (*have) regfree(re);
    *have = false;
    rf_free(*cur);
    *cur = rf_strndup(pp, (size_t)pl);
    if (!*cur) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    int rc = rf__regex_compile(pp, pl, re, fn);
    if (!rc) *have = true;
    return rc;
}

/* Java replacement text: $n is group n, \x is x. */
static int append_replacement(rf_buf *b, const char *z, const regmatch_t *m, const char *rp, int64_t rl)
{
    int rc = RF_OK;
    for (int64_t k = 0; k < rl && !rc; k++) {
        if (rp[k] == '\\' && k + 1 < rl) { rc = rf_buf_put_u8(b, (uint8_t)rp[++k]); continue; }
        if (rp[k] == '$' && k + 1 < rl && rp[k + 1] >= '0' && rp[k + 1] <= '9') {
            int g = rp[++k] - '0';
            if (g < 10 && m[g].rm_so >= 0) rc = rf_buf_put(b, z + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so));
            continue;
        }
        rc = rf_buf_put_u8(b, (uint8_t)rp[k]);
    }
    return rc;
}

int rf__func_eval_regex(const rf_expr *e, rf_column **a, int64_t n, rf_column **out)
{
    rf_column *r = NULL;
    regex_t re;
    bool have = false;
    char *cur = NULL;
    rf_buf b = { 0 };
    const char *fn = rf__func_name(e->op);
    int rc = rf_column_create(e->type, n, &r);
    for (int64_t i = 0; i < n && !rc; i++) {
        bool any_null = false;
        for (int k = 0; k < e->n_arg; k++) any_null |= !rf_column_valid(a[k], i);
        if (any_null) { rc = rf_column_append_null(r); continue; }
        if ((rc = re_for(&re, &have, &cur, a[1], i, fn))) break;
        int64_t l0;
        const char *s0 = rf_col_str(a[0], i, &l0);
        char *z = rf_strndup(s0, (size_t)l0);
        if (!z) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); break; }
        regmatch_t m[10];
        if (e->op == RF_F_RLIKE) rc = rf_column_append_i64(r, regexec(&re, z, 0, NULL, 0) == 0);
        else if (e->op == RF_F_REGEXP_EXTRACT) {
            int64_t g = e->n_arg > 2 ? rf_col_i32(a[2], i) : 1;
            if (g < 0 || g > (int64_t)re.re_nsub || g > 9) {
                rc = rf__err_set(RF_ERR_INVALID, "regexp_extract(): the pattern has %d group(s), not %lld", (int)re.re_nsub, (long long)g);
            } else if (regexec(&re, z, 10, m, 0) != 0 || m[g].rm_so < 0) rc = rf_column_append_str(r, "", 0);
            else rc = rf_column_append_str(r, z + m[g].rm_so, m[g].rm_eo - m[g].rm_so);
        } else {   /* regexp_replace: every match */
            int64_t rl;
            const char *rp = rf_col_str(a[2], i, &rl);
            b.len = 0;
            int64_t pos = 0;
            while (!rc && pos <= l0 && regexec(&re, z + pos, 10, m, pos ? REG_NOTBOL : 0) == 0) {
                rc = rf_buf_put(&b, z + pos, (size_t)m[0].rm_so);
                if (!rc) {
                    regmatch_t mm[10];
                    for (int k = 0; k < 10; k++) mm[k] = m[k].rm_so < 0 ? m[k] : (regmatch_t){ m[k].rm_so + pos, m[k].rm_eo + pos };
                    rc = append_replacement(&b, z, mm, rp, rl);
                }
                if (m[0].rm_eo == m[0].rm_so) {   /* an empty match: keep one character and go on */
                    if (pos + m[0].rm_eo >= l0) { pos = l0 + 1; break; }
                    int64_t at = pos + m[0].rm_eo, nx = u8_next(z, l0, at);
                    if (!rc) rc = rf_buf_put(&b, z + at, (size_t)(nx - at));
                    pos = nx;
                } else pos += m[0].rm_eo;
            }
            if (!rc && pos <= l0) rc = rf_buf_put(&b, z + pos, (size_t)(l0 - pos));
            if (!rc) rc = put(r, &b);
        }
        rf_free(z);
    }
    if (have) regfree(&re);
    rf_free(cur);
    rf_buf_fini(&b);
    if (rc) rf_column_release(&r);
    *out = r;
    return rc;
}
