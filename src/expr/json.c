/*
 * json.c — JSON and nested values: from_json (text to a struct / array / map of a given schema),
 * to_json (the reverse), schema_of_json, json_array_length, json_object_keys.
 *
 * Spark's semantics: from_json reads what matches the schema and leaves the rest NULL (a field
 * missing or of another type is NULL; text that is not JSON is a NULL row); a string field takes a
 * nested object or array as its JSON text. to_json leaves out NULL struct fields, writes dates as
 * yyyy-MM-dd and timestamps as yyyy-MM-dd'T'HH:mm:ss.SSSXXX (UTC: Z).
 */
#include <math.h>
#include <stdlib.h>
#include <strings.h>
#include "expr/expr.h"
#include "expr/func_more.h"

#define NOMEM() rf__err_set(RF_ERR_NOMEM, "out of memory")
#define MAX_DEPTH 200

static bool lit_is(const char *p, int64_t i, int64_t end, const char *w)
{
    size_t n = strlen(w);
    return end - i == (int64_t)n && !memcmp(p + i, w, n);
}

static int js_into(rf_column *c, const char *p, int64_t i, int64_t end, rf_buf *tmp, int depth);

/* Members of the object at p[i..end): calls fn(key, value start, value end) for each. */
typedef int (*member_fn)(void *ctx, const char *k, int64_t kl, int64_t vs, int64_t ve);
static int members(const char *p, int64_t i, int64_t end, member_fn fn, void *ctx)
{
    rf_buf kb = { 0 };
    int rc = RF_OK;
    int64_t j = rf__js_ws(p, end, i + 1);
    while (j < end && p[j] == '"' && !rc) {
        int64_t ke = rf__js_skip(p, end, j, 1);
        if (ke < 0) break;
        kb.len = 0;
        rc = rf__js_unescape(p + j + 1, ke - j - 2, &kb);
        int64_t vs = rf__js_ws(p, end, rf__js_ws(p, end, ke) + 1), ve = rf__js_skip(p, end, vs, 1);
        if (rc || ve < 0) break;
        rc = fn(ctx, kb.data ? (const char *)kb.data : "", (int64_t)kb.len, vs, ve);
        j = rf__js_ws(p, end, ve);
        if (j < end && p[j] == ',') j = rf__js_ws(p, end, j + 1);
    }
    rf_buf_fini(&kb);
    return rc;
}

typedef struct { const rf_column *c; int64_t *vs, *ve; } st_ctx;
static int st_member(void *x, const char *k, int64_t kl, int64_t vs, int64_t ve)
{
    st_ctx *s = x;
    int n = s->c->nkids, hit = -1;
    for (int f = 0; f < n && hit < 0; f++) {   /* exact name first, then case-insensitive */
        const char *nm = rf_type_field_name(s->c->type, f);
        if ((int64_t)strlen(nm) == kl && !memcmp(nm, k, (size_t)kl)) hit = f;
    }
    for (int f = 0; f < n && hit < 0; f++) {
        const char *nm = rf_type_field_name(s->c->type, f);
        if ((int64_t)strlen(nm) == kl && !strncasecmp(nm, k, (size_t)kl)) hit = f;
    }
    if (hit >= 0) { s->vs[hit] = vs; s->ve[hit] = ve; }
    return RF_OK;
}

typedef struct { rf_column *en; const char *p; rf_buf *tmp; int depth; } map_ctx;
static int map_member(void *x, const char *k, int64_t kl, int64_t vs, int64_t ve)
{
    map_ctx *m = x;
    rf_column *keys = m->en->kids[0];
    int rc;
    if (keys->type == RF_TYPE_STRING) rc = rf_column_append_str(keys, k, kl);
    else {   /* a key of another type: its text cast */
        rf_column *s = NULL, *v = NULL;
        rc = rf_column_create(RF_TYPE_STRING, 1, &s);
        if (!rc) rc = rf_column_append_str(s, k, kl);
        if (!rc) rc = rf__cast_column(s, 1, keys->type, &v);
        if (!rc) rc = rf_column_valid(v, 0) ? rf_column_append_from(keys, v, 0) : rf__err_set(RF_ERR_INVALID, "from_json(): map key '%.*s' is not a %s", (int)kl, k, rf_type_name(keys->type));
        rf_column_release(&s);
        rf_column_release(&v);
    }
    if (!rc) rc = js_into(m->en->kids[1], m->p, vs, ve, m->tmp, m->depth + 1);
    return rc ? rc : rf_column_end_struct(m->en);
}

/* The JSON value p[i..end) appended to c as c's type (NULL where it does not fit). */
static int js_into(rf_column *c, const char *p, int64_t i, int64_t end, rf_buf *tmp, int depth)
{
    int rc;
    if (depth > MAX_DEPTH) return rf_column_append_null(c);
    if ((rc = rf__stack_check("a JSON value"))) return rc;
    char ch = i < end ? p[i] : 0;
    if (lit_is(p, i, end, "null") || i >= end) return rf_column_append_null(c);
    switch (rf_type_base(c->type)) {
    case RF_TYPE_STRUCT: {
        if (ch != '{') return rf_column_append_null(c);
        int n = c->nkids;
        int64_t *vs = rf_malloc((size_t)(n ? n : 1) * 2 * sizeof *vs);
        if (!vs) return NOMEM();
        for (int f = 0; f < 2 * n; f++) vs[f] = -1;
        st_ctx s = { c, vs, vs + n };
        rc = members(p, i, end, st_member, &s);
        for (int f = 0; f < n && !rc; f++)
            rc = vs[f] < 0 ? rf_column_append_null(c->kids[f]) : js_into(c->kids[f], p, vs[f], s.ve[f], tmp, depth + 1);
        rf_free(vs);
        return rc ? rc : rf_column_end_struct(c);
    }
    case RF_TYPE_ARRAY: {
        if (ch != '[') return rf_column_append_null(c);
        int64_t j = rf__js_ws(p, end, i + 1);
        while (j < end && p[j] != ']') {
            int64_t ve = rf__js_skip(p, end, j, 1);
            if (ve < 0) break;
            if ((rc = js_into(c->child, p, j, ve, tmp, depth + 1))) return rc;
            j = rf__js_ws(p, end, ve);
            if (j < end && p[j] == ',') j = rf__js_ws(p, end, j + 1);
        }
        return rf_column_end_list(c);
    }
    case RF_TYPE_MAP: {
        if (ch != '{') return rf_column_append_null(c);
        map_ctx m = { c->child, p, tmp, depth };
        if ((rc = members(p, i, end, map_member, &m))) return rc;
        return rf_column_end_list(c);
    }
    case RF_TYPE_STRING:
        if (ch != '"') return rf_column_append_str(c, p + i, end - i);   /* an object, array, number: its text */
        tmp->len = 0;
        if ((rc = rf__js_unescape(p + i + 1, end - i - 2, tmp))) return rc;
        return rf_column_append_str(c, tmp->data ? (const char *)tmp->data : "", (int64_t)tmp->len);
    case RF_TYPE_BOOL:
        return lit_is(p, i, end, "true") ? rf_column_append_i64(c, 1) : lit_is(p, i, end, "false") ? rf_column_append_i64(c, 0) : rf_column_append_null(c);
    case RF_TYPE_INT32: case RF_TYPE_INT64: {
        int64_t v;
        bool ok = (ch == '-' || (ch >= '0' && ch <= '9')) && rf_parse_int64(p + i, (size_t)(end - i), &v) &&
                  (c->type == RF_TYPE_INT64 || (v >= INT32_MIN && v <= INT32_MAX));
        return ok ? rf_column_append_i64(c, v) : rf_column_append_null(c);
    }
    case RF_TYPE_DOUBLE: {
        double d;
        if (ch == '"') {   /* "NaN", "Infinity", "-Infinity" */
            if (lit_is(p, i, end, "\"NaN\"")) return rf_column_append_f64(c, NAN);
            if (lit_is(p, i, end, "\"Infinity\"")) return rf_column_append_f64(c, INFINITY);
            if (lit_is(p, i, end, "\"-Infinity\"")) return rf_column_append_f64(c, -INFINITY);
            return rf_column_append_null(c);
        }
        bool ok = (ch == '-' || (ch >= '0' && ch <= '9')) && rf_parse_double(p + i, (size_t)(end - i), &d);
        return ok ? rf_column_append_f64(c, d) : rf_column_append_null(c);
    }
    case RF_TYPE_DECIMAL: {
        rf_dec x;
        bool ok = (ch == '-' || (ch >= '0' && ch <= '9')) && rf_dec_parse(p + i, (size_t)(end - i), rf_type_precision(c->type), rf_type_scale(c->type), &x);
        return ok ? rf_column_append_dec(c, x) : rf_column_append_null(c);
    }
    case RF_TYPE_DATE: case RF_TYPE_TIMESTAMP: {
        if (ch != '"') return rf_column_append_null(c);
        tmp->len = 0;
        if ((rc = rf__js_unescape(p + i + 1, end - i - 2, tmp))) return rc;
        const char *s = tmp->data ? (const char *)tmp->data : "";
        int32_t dd;
        int64_t us;
        if (c->type == RF_TYPE_DATE) return rf_parse_date(s, tmp->len, &dd) ? rf_column_append_i64(c, dd) : rf_column_append_null(c);
        return rf_parse_timestamp(s, tmp->len, &us) ? rf_column_append_i64(c, us) : rf_column_append_null(c);
    }
    default:
        return rf_column_append_null(c);
    }
}

/* ---------------------------------------------------------------- to_json */
static int js_write(rf_buf *b, const rf_column *c, int64_t i, int depth)
{
    int rc = rf__stack_check("a JSON value");
    if (rc) return rc;
    if (!rf_column_valid(c, i)) return rf_buf_put(b, "null", 4);
    char t[64];
    switch (rf_type_base(c->type)) {
    case RF_TYPE_STRUCT: {
        bool first = true;
        rc = rf_buf_put_u8(b, '{');
        for (int f = 0; f < c->nkids && !rc; f++) {
            const rf_column *k = c->kids[f];
            int64_t r = rf_col_row(c, i);
            if (!rf_column_valid(k, r)) continue;   /* Spark's ignoreNullFields */
            if (!first) rc = rf_buf_put_u8(b, ',');
            first = false;
            const char *nm = rf_type_field_name(c->type, f);
            if (!rc) rc = rf_buf_json_str(b, nm, strlen(nm));
            if (!rc) rc = rf_buf_put_u8(b, ':');
            if (!rc) rc = js_write(b, k, r, depth + 1);
        }
        return rc ? rc : rf_buf_put_u8(b, '}');
    }
    case RF_TYPE_ARRAY: {
        int64_t lo, hi;
        rf_col_range(c, i, &lo, &hi);
        rc = rf_buf_put_u8(b, '[');
        for (int64_t k = lo; k < hi && !rc; k++) {
            if (k > lo) rc = rf_buf_put_u8(b, ',');
            if (!rc) rc = js_write(b, c->child, k, depth + 1);
        }
        return rc ? rc : rf_buf_put_u8(b, ']');
    }
    case RF_TYPE_MAP: {
        int64_t lo, hi;
        rf_col_range(c, i, &lo, &hi);
        rf_buf kb = { 0 };
        rc = rf_buf_put_u8(b, '{');
        for (int64_t k = lo; k < hi && !rc; k++) {
            bool nl;
            if (k > lo) rc = rf_buf_put_u8(b, ',');
            kb.len = 0;
            if (!rc) rc = rf_format_value(c->child->kids[0], k, &kb, &nl);
            if (!rc) rc = rf_buf_json_str(b, kb.data ? (const char *)kb.data : "", kb.len);
            if (!rc) rc = rf_buf_put_u8(b, ':');
            if (!rc) rc = js_write(b, c->child->kids[1], k, depth + 1);
        }
        rf_buf_fini(&kb);
        return rc ? rc : rf_buf_put_u8(b, '}');
    }
    case RF_TYPE_STRING: {
        int64_t l;
        const char *p = rf_col_str(c, i, &l);
        return rf_buf_json_str(b, p, (size_t)l);
    }
    case RF_TYPE_DATE: {
        size_t n = rf_format_date(rf_col_i32(c, i), t, sizeof t);
        return rf_buf_json_str(b, t, n);
    }
    case RF_TYPE_TIMESTAMP: {
        rf_buf tb = { 0 };
        static const char pat[] = "yyyy-MM-dd'T'HH:mm:ss.SSS";
        rc = rf__ts_format(rf_col_i64(c, i), pat, (int64_t)strlen(pat), &tb) ? rf_buf_put(&tb, "Z", 1) : rf_buf_put(&tb, "?", 1);
        if (!rc) rc = rf_buf_json_str(b, (const char *)tb.data, tb.len);
        rf_buf_fini(&tb);
        return rc;
    }
    case RF_TYPE_DOUBLE: {
        double d = rf_col_f64(c, i);
        if (d != d) return rf_buf_put(b, "\"NaN\"", 5);
        if (isinf(d)) return d > 0 ? rf_buf_put(b, "\"Infinity\"", 10) : rf_buf_put(b, "\"-Infinity\"", 11);
        size_t n = rf_format_double(d, t, sizeof t);
        return rf_buf_put(b, t, n);
    }
    default: {
        bool nl;
        return rf_format_value(c, i, b, &nl);
    }
    }
}

int rf__json_value(rf_buf *b, const rf_column *c, int64_t i) { return js_write(b, c, i, 0); }

/* ---------------------------------------------------------------- schema_of_json */
static int infer(const char *p, int64_t i, int64_t end, int depth, rf_type *out);

typedef struct { char **names; rf_type *types; int n, cap; int rc; int depth; const char *p; } inf_ctx;
static int inf_member(void *x, const char *k, int64_t kl, int64_t vs, int64_t ve)
{
    inf_ctx *s = x;
    rf_type t;
    int rc = infer(s->p, vs, ve, s->depth + 1, &t);
    if (rc) return rc;
    for (int f = 0; f < s->n; f++)
        if ((int64_t)strlen(s->names[f]) == kl && !memcmp(s->names[f], k, (size_t)kl)) {   /* a key twice: the wider */
            rf_type w;
            s->types[f] = rf__type_common(s->types[f], t, &w) ? RF_TYPE_STRING : w;
            return RF_OK;
        }
    if (s->n == s->cap) {
        int nc = s->cap ? s->cap * 2 : 8;
        char **nn = rf_realloc(s->names, (size_t)nc * sizeof *nn);
        if (!nn) return NOMEM();
        s->names = nn;
        rf_type *nt = rf_realloc(s->types, (size_t)nc * sizeof *nt);
        if (!nt) return NOMEM();
        s->types = nt;
        s->cap = nc;
    }
    if (!(s->names[s->n] = rf_strndup(k, (size_t)kl))) return NOMEM();
    s->types[s->n++] = t;
    return RF_OK;
}

static int name_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Spark's inference: integers bigint, other numbers double, objects structs with sorted fields,
 * arrays of the elements' common type, NULL string. */
static int infer(const char *p, int64_t i, int64_t end, int depth, rf_type *out)
{
    char ch = i < end ? p[i] : 0;
    int rc = RF_OK;
    if (depth > MAX_DEPTH) return rf__err_set(RF_ERR_LIMIT, "schema_of_json(): nested too deeply");
    if (ch == '{') {
        inf_ctx s = { .depth = depth, .p = p };
        rc = members(p, i, end, inf_member, &s);
        if (!rc) {   /* sort names, carrying types */
            char **order = rf_malloc((size_t)(s.n ? s.n : 1) * sizeof *order);
            rf_type *ts = rf_malloc((size_t)(s.n ? s.n : 1) * sizeof *ts);
            if (!order || !ts) rc = NOMEM();
            for (int f = 0; f < s.n && !rc; f++) order[f] = s.names[f];
            if (!rc) qsort(order, (size_t)s.n, sizeof *order, name_cmp);
            for (int f = 0; f < s.n && !rc; f++)
                for (int g = 0; g < s.n; g++) if (order[f] == s.names[g]) ts[f] = s.types[g];
            if (!rc) *out = rf_type_struct(s.n, (const char *const *)order, ts);
            rf_free(order);
            rf_free(ts);
        }
        for (int f = 0; f < s.n; f++) rf_free(s.names[f]);
        rf_free(s.names);
        rf_free(s.types);
        return rc;
    }
    if (ch == '[') {
        rf_type el = RF_TYPE_NULL;
        int64_t j = rf__js_ws(p, end, i + 1);
        while (j < end && p[j] != ']' && !rc) {
            int64_t ve = rf__js_skip(p, end, j, 1);
            rf_type t, w;
            if (ve < 0) break;
            if ((rc = infer(p, j, ve, depth + 1, &t))) break;
            el = rf__type_common(el, t, &w) ? RF_TYPE_STRING : w;
            j = rf__js_ws(p, end, ve);
            if (j < end && p[j] == ',') j = rf__js_ws(p, end, j + 1);
        }
        *out = rf_type_array(el == RF_TYPE_NULL ? RF_TYPE_STRING : el);
        return rc;
    }
    if (ch == '"' || lit_is(p, i, end, "null")) *out = RF_TYPE_STRING;
    else if (lit_is(p, i, end, "true") || lit_is(p, i, end, "false")) *out = RF_TYPE_BOOL;
    else {
        int64_t v;
        *out = rf_parse_int64(p + i, (size_t)(end - i), &v) ? RF_TYPE_INT64 : RF_TYPE_DOUBLE;
    }
    return RF_OK;
}

/* Spark's DDL spelling: STRUCT<a: BIGINT, b: ARRAY<STRING>>. */
static int ddl(rf_buf *b, rf_type t)
{
    int rc = RF_OK;
    switch (rf_type_base(t)) {
    case RF_TYPE_STRUCT:
        rc = rf_buf_printf(b, "STRUCT<");
        for (int f = 0; f < rf_type_nfields(t) && !rc; f++) {
            rc = rf_buf_printf(b, "%s%s: ", f ? ", " : "", rf_type_field_name(t, f));
            if (!rc) rc = ddl(b, rf_type_field(t, f));
        }
        return rc ? rc : rf_buf_put_u8(b, '>');
    case RF_TYPE_ARRAY:
        rc = rf_buf_printf(b, "ARRAY<");
        if (!rc) rc = ddl(b, rf_type_elem(t));
        return rc ? rc : rf_buf_put_u8(b, '>');
    default: {
        const char *n = rf_type_name(t);
        for (; *n && !rc; n++) rc = rf_buf_put_u8(b, (uint8_t)(*n >= 'a' && *n <= 'z' ? *n - 32 : *n));
        return rc;
    }
    }
}

/* ---------------------------------------------------------------- typing and evaluation */
/* from_json's schema: "a INT, b STRING", or a type (struct<...>, array<...>, map<...>). */
static int schema_of(const rf_expr *s, rf_type *out)
{
    if (s->kind != RF_E_LIT || s->lit.type != RF_TYPE_STRING || s->lit.null)
        return rf__err_set(RF_ERR_ANALYSIS, "from_json(): the schema must be a string literal ('a INT, b STRING' or 'array<int>')");
    char *t = rf_strndup(s->lit.v.s.p, (size_t)s->lit.v.s.len), *w = NULL;
    if (!t) return NOMEM();
    int rc = rf_type_parse(t, out);
    if (rc || !rf_type_is_nested(*out)) {
        size_t n = strlen(t) + 9;
        if ((w = rf_malloc(n))) {
            snprintf(w, n, "struct<%s>", t);
            rc = rf_type_parse(w, out);
        } else rc = NOMEM();
    }
    if (rc) rc = rf__err_set(RF_ERR_ANALYSIS, "from_json(): cannot read the schema '%s'", t);
    rf_free(t);
    rf_free(w);
    return rc;
}

int rf__json_type(rf_expr *e)
{
    int rc = RF_OK;
    e->nullable = true;
    switch (e->op) {
    case RF_F_TO_JSON:
        if (!rf_type_is_nested(e->arg[0]->type))
            return rf__err_set(RF_ERR_ANALYSIS, "to_json() needs a struct, an array or a map, not %s", rf_type_name(e->arg[0]->type));
        e->type = RF_TYPE_STRING;
        return RF_OK;
    case RF_F_FROM_JSON:
        if ((rc = schema_of(e->arg[1], &e->type))) return rc;
        e->arg[0] = rf__expr_cast_to(e->arg[0], RF_TYPE_STRING);
        return e->arg[0] ? RF_OK : NOMEM();
    case RF_F_SCHEMA_OF_JSON: case RF_F_JSON_ARRAY_LENGTH: case RF_F_JSON_OBJECT_KEYS:
        e->arg[0] = rf__expr_cast_to(e->arg[0], RF_TYPE_STRING);
        if (!e->arg[0]) return NOMEM();
        e->type = e->op == RF_F_SCHEMA_OF_JSON ? RF_TYPE_STRING : e->op == RF_F_JSON_ARRAY_LENGTH ? RF_TYPE_INT32 : rf_type_array(RF_TYPE_STRING);
        return RF_OK;
    default:
        return rf__err_set(RF_ERR_INTERNAL, "not a JSON function");
    }
}

typedef struct { rf_column *r; } keys_ctx;
static int key_member(void *x, const char *k, int64_t kl, int64_t vs, int64_t ve)
{
    (void)vs; (void)ve;
    return rf_column_append_str(((keys_ctx *)x)->r->child, k, kl);
}

int rf__json_eval(const rf_expr *e, rf_column **a, int64_t n, rf_column **out)
{
    rf_column *r = NULL;
    rf_buf tmp = { 0 }, b = { 0 };
    int rc = rf_column_create(e->type, n, &r);
    for (int64_t i = 0; i < n && !rc; i++) {
        if (!rf_column_valid(a[0], i)) { rc = rf_column_append_null(r); continue; }
        if (e->op == RF_F_TO_JSON) {
            b.len = 0;
            rc = js_write(&b, a[0], i, 0);
            if (!rc) rc = rf_column_append_str(r, b.data ? (const char *)b.data : "", (int64_t)b.len);
            continue;
        }
        int64_t len;
        const char *p = rf_col_str(a[0], i, &len);
        int64_t s = rf__js_ws(p, len, 0), end = rf__js_skip(p, len, s, 0);
        bool ok = end >= 0 && rf__js_ws(p, len, end) == len;
        if (!ok) { rc = rf_column_append_null(r); continue; }
        switch (e->op) {
        case RF_F_FROM_JSON: rc = js_into(r, p, s, end, &tmp, 0); break;
        case RF_F_JSON_ARRAY_LENGTH: {
            if (p[s] != '[') { rc = rf_column_append_null(r); break; }
            int64_t cnt = 0, j = rf__js_ws(p, end, s + 1);
            while (j < end && p[j] != ']') {
                int64_t ve = rf__js_skip(p, end, j, 1);
                if (ve < 0) break;
                cnt++;
                j = rf__js_ws(p, end, ve);
                if (j < end && p[j] == ',') j = rf__js_ws(p, end, j + 1);
            }
            rc = rf_column_append_i64(r, cnt);
            break;
        }
        case RF_F_JSON_OBJECT_KEYS: {
            if (p[s] != '{') { rc = rf_column_append_null(r); break; }
            keys_ctx k = { r };
            rc = members(p, s, end, key_member, &k);
            if (!rc) rc = rf_column_end_list(r);
            break;
        }
        case RF_F_SCHEMA_OF_JSON: {
            rf_type t;
            b.len = 0;
            rc = infer(p, s, end, 0, &t);
            if (!rc) rc = ddl(&b, t);
            if (!rc) rc = rf_column_append_str(r, (const char *)b.data, (int64_t)b.len);
            break;
        }
        default:
            rc = rf__err_set(RF_ERR_INTERNAL, "not a JSON function");
        }
    }
    rf_buf_fini(&tmp);
    rf_buf_fini(&b);
    if (rc) rf_column_release(&r);
    *out = r;
    return rc;
}
