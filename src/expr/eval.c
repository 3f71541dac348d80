/*
 * eval.c — vectorized evaluation of expressions over a batch.
 *
 * Each node evaluates its children to columns, then runs one typed loop over the rows. Literals
 * are constant columns (one physical value); a kernel reads them with stride 0, so `col = 'x'`
 * costs no broadcast copy. NULL follows SQL: any NULL operand gives NULL, except in AND/OR
 * (three-valued logic), IS [NOT] NULL, CASE and coalesce.
 */
#include <math.h>
#include <stdlib.h>
#include "expr/expr.h"

/* New result column of n physical rows (1 when every input is constant). */
static int result(rf_type t, int64_t n, int64_t len, bool is_const, rf_column **out)
{
    int rc = rf_column_create(t, n, out);
    if (rc) return rc;
    (*out)->len = n;
    if (is_const) { (*out)->is_const = true; (*out)->len = len; }
    return RF_OK;
}

/* Sets r's validity to the AND of a's and b's (b may be NULL). */
static int merge_valid(rf_column *r, int64_t m, const rf_column *a, const rf_column *b)
{
    if (!a->valid && (!b || !b->valid)) return RF_OK;
    for (int64_t i = 0; i < m; i++)
        if (!rf_column_valid(a, i) || (b && !rf_column_valid(b, i))) {
            rf_column_set_null(r, i);
            if (!r->valid) return rf__err_set(RF_ERR_NOMEM, "out of memory");
        }
    return RF_OK;
}

/* Decimal arithmetic: each operand keeps its own scale; the result type (set by analysis with
 * Spark's rules) fixes the rounding. A result that overflows its precision is NULL. */
static void arith_dec(rf_ekind k, rf_column *a, int64_t sa, rf_column *b, int64_t sb, int64_t m, rf_column *r)
{
    int p = rf_type_precision(r->type), s = rf_type_scale(r->type);
    int xa = rf_type_scale(a->type), xb = rf_type_scale(b->type), wide = xa > xb ? xa : xb;
    for (int64_t i = 0; i < m; i++) {
        rf_dec x = rf_col_dec(a, i * sa), y = rf_col_dec(b, i * sb), z = 0;
        bool ok;
        switch (k) {
        case RF_E_MUL: ok = rf_dec_mul(x, xa, y, xb, p, s, &z); break;
        case RF_E_DIV: ok = rf_dec_div(x, xa, y, xb, p, s, &z); break;
        default:   /* + - %: at the wider scale, then to the result's */
            ok = rf_dec_rescale(x, xa, wide, RF_DECIMAL_MAX_PRECISION, &x) && rf_dec_rescale(y, xb, wide, RF_DECIMAL_MAX_PRECISION, &y);
            if (ok && k == RF_E_MOD) { ok = y != 0; if (ok) z = x % y; }
            else if (ok) ok = !(k == RF_E_ADD ? __builtin_add_overflow(x, y, &z) : __builtin_sub_overflow(x, y, &z));
            ok = ok && rf_dec_rescale(z, wide, s, p, &z);
            break;
        }
        if (!ok) { z = 0; rf_column_set_null(r, i); }
        memcpy((char *)r->data + i * 16, &z, 16);
    }
}

static int arith(const rf_expr *e, rf_column *a, rf_column *b, int64_t n, rf_column **out)
{
    bool cst = a->is_const && b->is_const;
    int64_t m = cst ? 1 : n, sa = a->is_const ? 0 : 1, sb = b->is_const ? 0 : 1;
    int rc = result(e->type, m, n, cst, out);
    if (rc) return rc;
    rf_column *r = *out;
    if ((rc = merge_valid(r, m, a, b))) return rc;
    if (rf_type_is_decimal(e->type)) {
        arith_dec(e->kind, a, sa, b, sb, m, r);
        return RF_OK;
    }
    if (e->type == RF_TYPE_DOUBLE) {
        const double *x = a->data, *y = b->data;
        double *z = r->data;
        switch (e->kind) {
        case RF_E_ADD: for (int64_t i = 0; i < m; i++) z[i] = x[i * sa] + y[i * sb]; break;
        case RF_E_SUB: for (int64_t i = 0; i < m; i++) z[i] = x[i * sa] - y[i * sb]; break;
        case RF_E_MUL: for (int64_t i = 0; i < m; i++) z[i] = x[i * sa] * y[i * sb]; break;
        case RF_E_DIV:
            for (int64_t i = 0; i < m; i++) {
                double d = y[i * sb];
                if (d == 0) { z[i] = 0; rf_column_set_null(r, i); } else z[i] = x[i * sa] / d;
            }
            break;
        default:
            for (int64_t i = 0; i < m; i++) {
                double d = y[i * sb];
                if (d == 0) { z[i] = 0; rf_column_set_null(r, i); } else z[i] = fmod(x[i * sa], d);
            }
            break;
        }
        return RF_OK;
    }
    /* integers (int32, int64) and date +/- days, computed in 64 bits and wrapped like Java */
    bool wide = e->type == RF_TYPE_INT64 || a->type == RF_TYPE_INT64;
    for (int64_t i = 0; i < m; i++) {
        int64_t x = wide ? rf_col_i64(a, i * sa) : rf_col_i32(a, i * sa);
        int64_t y = (b->type == RF_TYPE_INT64) ? rf_col_i64(b, i * sb) : rf_col_i32(b, i * sb);
        uint64_t v;
        switch (e->kind) {
        case RF_E_ADD: v = (uint64_t)x + (uint64_t)y; break;
        case RF_E_SUB: v = (uint64_t)x - (uint64_t)y; break;
        case RF_E_MUL: v = (uint64_t)x * (uint64_t)y; break;
        default:
            if (y == 0) { v = 0; rf_column_set_null(r, i); }
            else if (y == -1) v = e->kind == RF_E_MOD ? 0 : 0 - (uint64_t)x;
            else v = (uint64_t)(e->kind == RF_E_MOD ? x % y : x / y);
            break;
        }
        if (e->type == RF_TYPE_INT64) ((int64_t *)r->data)[i] = (int64_t)v;
        else ((int32_t *)r->data)[i] = (int32_t)(uint32_t)v;
    }
    return RF_OK;
}

static inline bool cmp_holds(rf_ekind k, int c)
{
    switch (k) {
    case RF_E_EQ: return c == 0;
    case RF_E_NE: return c != 0;
    case RF_E_LT: return c < 0;
    case RF_E_LE: return c <= 0;
    case RF_E_GT: return c > 0;
    default: return c >= 0;
    }
}

static int compare(const rf_expr *e, rf_column *a, rf_column *b, int64_t n, rf_column **out)
{
    bool cst = a->is_const && b->is_const;
    int64_t m = cst ? 1 : n, sa = a->is_const ? 0 : 1, sb = b->is_const ? 0 : 1;
    int rc = result(RF_TYPE_BOOL, m, n, cst, out);
    if (rc) return rc;
    rf_column *r = *out;
    if ((rc = merge_valid(r, m, a, b))) return rc;
    uint8_t *z = r->data;
    rf_ekind k = e->kind;
    switch (rf_type_base(a->type)) {
    case RF_TYPE_DECIMAL:
        for (int64_t i = 0; i < m; i++) {
            rf_dec x = rf_col_dec(a, i * sa), y = rf_col_dec(b, i * sb);
            z[i] = cmp_holds(k, (x > y) - (x < y));
        }
        break;
    case RF_TYPE_STRING: {
        const int64_t *oa = a->data, *ob = b->data;
        if (k == RF_E_EQ || k == RF_E_NE) {
            for (int64_t i = 0; i < m; i++) {
                int64_t ia = i * sa, ib = i * sb, la = oa[ia + 1] - oa[ia], lb = ob[ib + 1] - ob[ib];
                bool eq = la == lb && memcmp(a->bytes + oa[ia], b->bytes + ob[ib], (size_t)la) == 0;
                z[i] = (k == RF_E_EQ) == eq;
            }
        } else {
            for (int64_t i = 0; i < m; i++) z[i] = cmp_holds(k, rf_column_cmp(a, i * sa, b, i * sb));
        }
        break;
    }
    case RF_TYPE_DOUBLE: {
        const double *x = a->data, *y = b->data;
        for (int64_t i = 0; i < m; i++) {
            double p = x[i * sa], q = y[i * sb];
            int c = (p != p || q != q) ? (p != p) - (q != q) : (p > q) - (p < q);
            z[i] = cmp_holds(k, c);
        }
        break;
    }
    case RF_TYPE_INT32: case RF_TYPE_DATE: {
        const int32_t *x = a->data, *y = b->data;
        for (int64_t i = 0; i < m; i++) z[i] = cmp_holds(k, (x[i * sa] > y[i * sb]) - (x[i * sa] < y[i * sb]));
        break;
    }
    case RF_TYPE_INT64: case RF_TYPE_TIMESTAMP: {
        const int64_t *x = a->data, *y = b->data;
        for (int64_t i = 0; i < m; i++) z[i] = cmp_holds(k, (x[i * sa] > y[i * sb]) - (x[i * sa] < y[i * sb]));
        break;
    }
    case RF_TYPE_BOOL: {
        const uint8_t *x = a->data, *y = b->data;
        for (int64_t i = 0; i < m; i++) z[i] = cmp_holds(k, (x[i * sa] > y[i * sb]) - (x[i * sa] < y[i * sb]));
        break;
    }
    case RF_TYPE_ARRAY: case RF_TYPE_STRUCT: case RF_TYPE_MAP:
        for (int64_t i = 0; i < m; i++) z[i] = cmp_holds(k, rf_column_cmp(a, i * sa, b, i * sb));
        break;
    default:   /* NULL = NULL: every row NULL */
        for (int64_t i = 0; i < m; i++) { z[i] = 0; rf_column_set_null(r, i); }
        break;
    }
    return RF_OK;
}

/* Kleene logic. v: 0 false, 1 true, 2 unknown. */
static inline int tri(const rf_column *c, int64_t i)
{
    if (!rf_column_valid(c, i)) return 2;
    return rf_col_bool(c, i) ? 1 : 0;
}

static int logic(const rf_expr *e, rf_column **args, int64_t n, rf_column **out)
{
    bool cst = true;
    for (int i = 0; i < e->n_arg; i++) cst &= args[i]->is_const;
    int64_t m = cst ? 1 : n;
    int rc = result(RF_TYPE_BOOL, m, n, cst, out);
    if (rc) return rc;
    rf_column *r = *out;
    uint8_t *z = r->data;
    for (int64_t i = 0; i < m; i++) {
        int v;
        switch (e->kind) {
        case RF_E_AND: {
            int x = tri(args[0], i), y = tri(args[1], i);
            v = (x == 0 || y == 0) ? 0 : (x == 2 || y == 2) ? 2 : 1;
            break;
        }
        case RF_E_OR: {
            int x = tri(args[0], i), y = tri(args[1], i);
            v = (x == 1 || y == 1) ? 1 : (x == 2 || y == 2) ? 2 : 0;
            break;
        }
        case RF_E_NOT: { int x = tri(args[0], i); v = x == 2 ? 2 : !x; break; }
        case RF_E_ISNULL: v = !rf_column_valid(args[0], i); break;
        default: v = rf_column_valid(args[0], i); break;
        }
        z[i] = v == 1;
        if (v == 2) rf_column_set_null(r, i);
    }
    return RF_OK;
}

static int in_list(const rf_expr *e, rf_column **args, int64_t n, rf_column **out)
{
    int rc = result(RF_TYPE_BOOL, n, n, false, out);
    if (rc) return rc;
    rf_column *r = *out;
    uint8_t *z = r->data;
    for (int64_t i = 0; i < n; i++) {
        z[i] = 0;
        if (!rf_column_valid(args[0], i)) { rf_column_set_null(r, i); continue; }
        bool saw_null = false;
        for (int k = 1; k < e->n_arg; k++) {
            if (!rf_column_valid(args[k], i)) { saw_null = true; continue; }
            if (rf_column_eq(args[0], i, args[k], i)) { z[i] = 1; break; }
        }
        if (!z[i] && saw_null) rf_column_set_null(r, i);
    }
    return RF_OK;
}

static int case_when(const rf_expr *e, rf_column **args, int64_t n, rf_column **out)
{
    rf_column *r = NULL;
    int rc = rf_column_create(e->type, n, &r);
    if (rc) return rc;
    int first = e->op == 1 ? 1 : 0;   /* CASE x WHEN v: args[0] is x, NULL matches nothing */
    for (int64_t i = 0; i < n && !rc; i++) {
        int pick = e->n_arg - 1;
        for (int k = first; k + 1 < e->n_arg; k += 2) {
            bool hit = first ? rf_column_valid(args[0], i) && rf_column_valid(args[k], i) && rf_column_eq(args[0], i, args[k], i)
                             : rf_column_valid(args[k], i) && rf_col_bool(args[k], i);
            if (hit) { pick = k + 1; break; }
        }
        rf_column *src = args[pick];
        if (src->type == RF_TYPE_NULL) rc = rf_column_append_null(r);
        else rc = rf_column_append_from(r, src, i);
    }
    if (rc) rf_column_release(&r);
    *out = r;
    return rc;
}

/* One value to or from a decimal (to string is rf_format_value's). Out of range: NULL. */
static int cast_dec(const rf_column *c, int64_t i, rf_type to, rf_column *r)
{
    rf_type from = c->type;
    if (rf_type_is_decimal(to)) {
        int p = rf_type_precision(to), s = rf_type_scale(to);
        rf_dec x;
        bool ok;
        switch (rf_type_base(from)) {
        case RF_TYPE_DECIMAL: ok = rf_dec_rescale(rf_col_dec(c, i), rf_type_scale(from), s, p, &x); break;
        case RF_TYPE_DOUBLE: ok = rf_dec_from_double(rf_col_f64(c, i), p, s, &x); break;
        case RF_TYPE_STRING: {
            int64_t len;
            const char *q = rf_col_str(c, i, &len);
            ok = rf_dec_parse(q, (size_t)len, p, s, &x);
            break;
        }
        case RF_TYPE_BOOL: case RF_TYPE_INT32: case RF_TYPE_INT64:
            ok = rf_dec_rescale((rf_dec)rf_column_get_int(c, i), 0, s, p, &x);
            break;
        default:
            return rf__err_set(RF_ERR_ANALYSIS, "cannot cast %s to %s", rf_type_name(from), rf_type_name(to));
        }
        return ok ? rf_column_append_dec(r, x) : rf_column_append_null(r);
    }
    rf_dec x = rf_col_dec(c, i);
    int s = rf_type_scale(from);
    switch (rf_type_base(to)) {
    case RF_TYPE_DOUBLE: return rf_column_append_f64(r, rf_dec_to_double(x, s));
    case RF_TYPE_BOOL: return rf_column_append_i64(r, x != 0);
    case RF_TYPE_INT32: case RF_TYPE_INT64: {
        rf_dec t = x / rf_dec_pow10(s);   /* toward zero, as Spark */
        bool fits = to == RF_TYPE_INT32 ? (t >= INT32_MIN && t <= INT32_MAX) : (t >= INT64_MIN && t <= INT64_MAX);
        return fits ? rf_column_append_i64(r, (int64_t)t) : rf_column_append_null(r);
    }
    default:
        return rf__err_set(RF_ERR_ANALYSIS, "cannot cast %s to %s", rf_type_name(from), rf_type_name(to));
    }
}

bool rf__cast_allowed(rf_type from, rf_type to)
{
    if (from == to || from == RF_TYPE_NULL || to == RF_TYPE_STRING) return true;
    if (!rf_type_is_nested(from) && !rf_type_is_nested(to)) return true;   /* checked row by row */
    if (rf_type_base(from) != rf_type_base(to)) return false;
    if (rf_type_base(from) != RF_TYPE_STRUCT) return rf__cast_allowed(rf_type_elem(from), rf_type_elem(to));
    if (rf_type_nfields(from) != rf_type_nfields(to)) return false;
    for (int i = 0; i < rf_type_nfields(from); i++)
        if (!rf__cast_allowed(rf_type_field(from, i), rf_type_field(to, i))) return false;
    return true;
}

/* A nested column to another nested type of its kind: the elements (fields) cast, the layout kept. */
static int cast_nested(const rf_column *c0, int64_t n, rf_type to, rf_column **out)
{
    rf_column *c = NULL, *r = NULL;
    int rc = rf_column_expand((rf_column *)c0, n, &c);
    if (!rc) rc = rf_column_create(to, n, &r);
    if (rc) goto done;
    if (c->child) {
        rf_column_release(&r->child);
        RF_TRY(rf__cast_column(c->child, c->child->len, rf_type_elem(to), &r->child));
        if (rf_type_base(to) == RF_TYPE_MAP) {   /* a key that does not convert is an error, never a NULL key */
            const rf_column *ok = c->child->kids[0], *nk = r->child->kids[0];
            for (int64_t q = 0; q < nk->len; q++)
                if (!rf_column_valid(nk, q) && rf_column_valid(ok, q)) {
                    rf_buf t = { 0 };
                    bool nl;
                    rf_format_value(ok, q, &t, &nl);
                    rc = rf__err_set(RF_ERR_INVALID, "cannot cast map key '%.*s' to %s", (int)t.len, t.data ? (char *)t.data : "", rf_type_name(rf_type_map_key(to)));
                    rf_buf_fini(&t);
                    goto done;
                }
        }
        RF_TRY(rf_column_reserve(r, n, 0));
        memcpy(r->data, c->data, (size_t)(n + 1) * 8);
    } else {
        for (int k = 0; k < r->nkids; k++) {
            rf_column_release(&r->kids[k]);
            RF_TRY(rf__cast_column(c->kids[k], n, rf_type_field(to, k), &r->kids[k]));
        }
        RF_TRY(rf_column_reserve(r, n, 0));
        memset(r->data, 1, (size_t)n);
    }
    r->len = n;
    for (int64_t i = 0; c->valid && i < n; i++)
        if (!rf_column_valid(c, i)) rf_column_set_null(r, i);
done:
    rf_column_release(&c);
    if (rc) rf_column_release(&r);
    *out = r;
    return rc;
}

int rf__cast_column(const rf_column *c, int64_t n, rf_type to, rf_column **out)
{
    if (c->type == to) { *out = rf_column_retain((rf_column *)c); return RF_OK; }
    if (rf_type_is_nested(to) && c->type != RF_TYPE_NULL) {
        if (!rf__cast_allowed(c->type, to)) return rf__err_set(RF_ERR_ANALYSIS, "cannot cast %s to %s", rf_type_name(c->type), rf_type_name(to));
        return cast_nested(c, n, to, out);
    }
    if (rf_type_is_nested(c->type) && to != RF_TYPE_STRING)
        return rf__err_set(RF_ERR_ANALYSIS, "cannot cast %s to %s", rf_type_name(c->type), rf_type_name(to));
    bool cst = c->is_const;
    int64_t m = cst ? 1 : n;
    rf_column *r = NULL;
    int rc = rf_column_create(to, m, &r);
    if (rc) return rc;
    rf_buf tmp = { 0 };
    for (int64_t i = 0; i < m && !rc; i++) {
        if (!rf_column_valid(c, i) || c->type == RF_TYPE_NULL) { rc = rf_column_append_null(r); continue; }
        if (to == RF_TYPE_STRING) {
            bool isnull;
            tmp.len = 0;
            rc = rf_format_value(c, i, &tmp, &isnull);
            if (!rc) rc = rf_column_append_str(r, (const char *)tmp.data, (int64_t)tmp.len);
            continue;
        }
        if (rf_type_is_decimal(to) || rf_type_is_decimal(c->type)) {
            rc = cast_dec(c, i, to, r);
            continue;
        }
        if (c->type == RF_TYPE_STRING) {
            int64_t len, iv;
            const char *p = rf_col_str(c, i, &len);
            double dv;
            bool ok, bv;
            int32_t dd;
            switch (to) {
            case RF_TYPE_INT32:
                ok = rf_parse_int64(p, (size_t)len, &iv) && iv >= INT32_MIN && iv <= INT32_MAX;
                if (!ok && rf_parse_double(p, (size_t)len, &dv) && dv > INT32_MIN - 1.0 && dv < INT32_MAX + 1.0) { ok = true; iv = (int64_t)dv; }
                rc = ok ? rf_column_append_i64(r, iv) : rf_column_append_null(r);
                break;
            case RF_TYPE_INT64:
                ok = rf_parse_int64(p, (size_t)len, &iv);
                if (!ok && rf_parse_double(p, (size_t)len, &dv) && fabs(dv) < 9.2e18) { ok = true; iv = (int64_t)dv; }
                rc = ok ? rf_column_append_i64(r, iv) : rf_column_append_null(r);
                break;
            case RF_TYPE_DOUBLE:
                rc = rf_parse_double(p, (size_t)len, &dv) ? rf_column_append_f64(r, dv) : rf_column_append_null(r);
                break;
            case RF_TYPE_BOOL:
                rc = rf_parse_bool(p, (size_t)len, &bv) ? rf_column_append_i64(r, bv) : rf_column_append_null(r);
                break;
            case RF_TYPE_DATE:
                rc = rf_parse_date(p, (size_t)len, &dd) ? rf_column_append_i64(r, dd) : rf_column_append_null(r);
                break;
            case RF_TYPE_TIMESTAMP:
                rc = rf_parse_timestamp(p, (size_t)len, &iv) ? rf_column_append_i64(r, iv) : rf_column_append_null(r);
                break;
            default:
                rc = rf__err_set(RF_ERR_ANALYSIS, "cannot cast string to %s", rf_type_name(to));
            }
            continue;
        }
        if (to == RF_TYPE_DOUBLE) {
            rc = rf_column_append_f64(r, c->type == RF_TYPE_DOUBLE ? rf_col_f64(c, i)
                                         : c->type == RF_TYPE_TIMESTAMP ? (double)rf_col_i64(c, i) / 1e6
                                         : (double)rf_column_get_int(c, i));
            continue;
        }
        if (c->type == RF_TYPE_DOUBLE) {
            double d = rf_col_f64(c, i);
            if (to == RF_TYPE_BOOL) rc = rf_column_append_i64(r, d != 0);
            else if (d != d) rc = rf_column_append_i64(r, 0);
            else if (to == RF_TYPE_INT32) rc = rf_column_append_i64(r, d >= 2147483647.0 ? INT32_MAX : d <= -2147483648.0 ? INT32_MIN : (int64_t)d);
            else if (to == RF_TYPE_INT64) rc = rf_column_append_i64(r, d >= 9.2233720368547758e18 ? INT64_MAX : d <= -9.2233720368547758e18 ? INT64_MIN : (int64_t)d);
            else if (to == RF_TYPE_TIMESTAMP) rc = rf_column_append_i64(r, (int64_t)(d * 1e6));
            else rc = rf__err_set(RF_ERR_ANALYSIS, "cannot cast double to %s", rf_type_name(to));
            continue;
        }
        int64_t v = rf_column_get_int(c, i);
        if (c->type == RF_TYPE_DATE && to == RF_TYPE_TIMESTAMP) v *= 86400LL * 1000000;
        else if (c->type == RF_TYPE_TIMESTAMP && to == RF_TYPE_DATE) v = v >= 0 ? v / 86400000000LL : -((-v + 86399999999LL) / 86400000000LL);
        else if (c->type == RF_TYPE_TIMESTAMP) v = v >= 0 ? v / 1000000 : -((-v + 999999) / 1000000);
        else if (to == RF_TYPE_DATE || (to == RF_TYPE_TIMESTAMP && c->type != RF_TYPE_INT64 && c->type != RF_TYPE_INT32)) {
            rc = rf__err_set(RF_ERR_ANALYSIS, "cannot cast %s to %s", rf_type_name(c->type), rf_type_name(to));
            continue;
        } else if (to == RF_TYPE_TIMESTAMP) v *= 1000000;
        if (to == RF_TYPE_BOOL) v = v != 0;
        rc = rf_column_append_i64(r, v);
    }
    rf_buf_fini(&tmp);
    if (rc) { rf_column_release(&r); return rc; }
    if (cst) { r->is_const = true; r->len = n; }
    *out = r;
    return RF_OK;
}

/* a <=> b over columns of one type: true when both are NULL or both equal, never NULL. */
static int eq_null_safe(const rf_expr *e, rf_column *a, rf_column *b, int64_t n, rf_column **out)
{
    rf_expr eq = *e;
    eq.kind = RF_E_EQ;
    int rc = compare(&eq, a, b, n, out);
    if (rc) return rc;
    rf_column *r = *out;
    int64_t m = r->is_const ? 1 : n;
    uint8_t *z = r->data;
    for (int64_t i = 0; i < m; i++) {
        bool va = rf_column_valid(a, i), vb = rf_column_valid(b, i);
        if (!va || !vb) z[i] = !va && !vb;
    }
    RF_FREE(r->valid);
    return RF_OK;
}

/* x BETWEEN lo AND hi: (x >= lo) AND (x <= hi) in Kleene logic, x evaluated once. */
static int between(const rf_expr *e, rf_column **args, int64_t n, rf_column **out)
{
    rf_expr ge = *e, le = *e, both = *e;
    rf_column *g = NULL, *l = NULL, *v[2];
    ge.kind = RF_E_GE;
    le.kind = RF_E_LE;
    both.kind = RF_E_AND;
    both.n_arg = 2;
    int rc = compare(&ge, args[0], args[1], n, &g);
    if (!rc) rc = compare(&le, args[0], args[2], n, &l);
    v[0] = g;
    v[1] = l;
    if (!rc) rc = logic(&both, v, n, out);
    rf_column_release(&g);
    rf_column_release(&l);
    return rc;
}

int rf__expr_eval(const rf_expr *e, const rf_batch *b, rf_column **out)
{
    int64_t n = b ? b->nrows : 1;
    rf_column *small[8] = { 0 }, **args = small;
    int rc = RF_OK;
    *out = NULL;
    switch (e->kind) {
    case RF_E_COL:
        RF_ASSERT(b && e->index >= 0 && e->index < b->ncols);
        *out = rf_column_retain(b->cols[e->index]);
        return RF_OK;
    case RF_E_LIT: {
        rf_value v = e->lit;
        v.type = e->type;
        return rf_column_const(&v, n, out);
    }
    case RF_E_AGG: case RF_E_SORT: case RF_E_LAMBDA:
        return rf__err_set(RF_ERR_INTERNAL, "cannot evaluate %s here", e->kind == RF_E_AGG ? "an aggregate" : e->kind == RF_E_SORT ? "a sort order" : "a lambda");
    case RF_E_FUNC:
        if (rf__is_hof(e->op)) return rf__hof_eval(e, b, out);
        break;
    default:
        break;
    }
    if ((rc = rf__stack_check("an expression"))) return rc;
    if (e->n_arg > 8 && !(args = rf_calloc((size_t)e->n_arg, sizeof *args))) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int i = 0; i < e->n_arg; i++) RF_TRY(rf__expr_eval(e->arg[i], b, &args[i]));
    switch (e->kind) {
    case RF_E_ADD: case RF_E_SUB: case RF_E_MUL: case RF_E_DIV: case RF_E_MOD:
        rc = arith(e, args[0], args[1], n, out);
        break;
    case RF_E_NEG: {
        rf_value zero = { .type = e->type };
        rf_column *z = NULL;
        RF_TRY(rf_column_const(&zero, n, &z));
        rf_expr sub = *e;
        sub.kind = RF_E_SUB;
        rc = arith(&sub, z, args[0], n, out);
        rf_column_release(&z);
        break;
    }
    case RF_E_EQ: case RF_E_NE: case RF_E_LT: case RF_E_LE: case RF_E_GT: case RF_E_GE:
        rc = compare(e, args[0], args[1], n, out);
        break;
    case RF_E_AND: case RF_E_OR: case RF_E_NOT: case RF_E_ISNULL: case RF_E_ISNOTNULL:
        rc = logic(e, args, n, out);
        break;
    case RF_E_EQNS: rc = eq_null_safe(e, args[0], args[1], n, out); break;
    case RF_E_BETWEEN: rc = between(e, args, n, out); break;
    case RF_E_IN: rc = in_list(e, args, n, out); break;
    case RF_E_CASE: rc = case_when(e, args, n, out); break;
    case RF_E_CAST: rc = rf__cast_column(args[0], n, e->type, out); break;
    case RF_E_FUNC: rc = rf__func_eval(e, args, n, out); break;
    default: rc = rf__err_set(RF_ERR_INTERNAL, "unknown expression kind %d", e->kind); break;
    }
done:
    for (int i = 0; i < e->n_arg; i++) rf_column_release(&args[i]);
    if (args != small) rf_free(args);
    if (rc) rf_column_release(out);
    return rc;
}

int rf__expr_eval_const(const rf_expr *e, rf_value *out)
{
    rf_column *c = NULL;
    int rc = rf__expr_eval(e, NULL, &c);
    if (rc) return rc;
    rf_value v;
    rc = rf_column_get_value(c, 0, &v);
    if (!rc) rc = rf_value_copy(out, &v);
    out->type = c->type;
    rf_column_release(&c);
    return rc;
}

int rf__expr_select(const rf_expr *pred, const rf_batch *b, int64_t **sel, int64_t *n)
{
    rf_column *c = NULL;
    int rc = rf__expr_eval(pred, b, &c);
    *sel = NULL;
    *n = 0;
    if (rc) return rc;
    int64_t *s = rf_malloc((size_t)(b->nrows ? b->nrows : 1) * sizeof *s);
    if (!s) { rf_column_release(&c); return rf__err_set(RF_ERR_NOMEM, "out of memory"); }
    int64_t k = 0;
    if (c->is_const) {
        if (rf_column_valid(c, 0) && rf_col_bool(c, 0)) for (int64_t i = 0; i < b->nrows; i++) s[k++] = i;
    } else {
        const uint8_t *z = c->data;
        if (c->valid) {
            for (int64_t i = 0; i < b->nrows; i++) if (z[i] && rf_column_valid(c, i)) s[k++] = i;
        } else {
            for (int64_t i = 0; i < b->nrows; i++) { s[k] = i; k += z[i] != 0; }
        }
    }
    rf_column_release(&c);
    *sel = s;
    *n = k;
    return RF_OK;
}
