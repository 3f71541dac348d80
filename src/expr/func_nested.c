/*
 * func_nested.c — functions of arrays, maps and structs, with Spark's semantics: constructors
 * (array, map, struct, named_struct), access (a[i], m[k], s.f, element_at), the array_* family,
 * map_* functions, and what the generators (explode, posexplode, inline) produce.
 *
 * They work a column at a time: an array or map column is offsets over one element column (a map's
 * elements are struct<key,value> entries), so most results copy element ranges (rf_column_append_from)
 * and close a row (rf_column_end_list). Analysis casts arguments so that elements compared with each
 * other (array_contains, array_union, map keys, ...) always have one type.
 */
#include <stdlib.h>
#include <strings.h>
#include "expr/expr.h"
#include "expr/func_more.h"

#define NOMEM() rf__err_set(RF_ERR_NOMEM, "out of memory")
#define MAX_ELEMENTS 100000000LL   /* one array's elements, past which array_repeat / sequence stop */

static const char *fname(const rf_expr *e) { return rf__func_name(e->op); }

static int cast_to(rf_expr *e, int i, rf_type t)
{
    e->arg[i] = rf__expr_cast_to(e->arg[i], t);
    return e->arg[i] ? RF_OK : NOMEM();
}

static bool is_array(rf_type t) { return rf_type_base(t) == RF_TYPE_ARRAY; }
static bool is_map(rf_type t) { return rf_type_base(t) == RF_TYPE_MAP; }
static bool is_struct(rf_type t) { return rf_type_base(t) == RF_TYPE_STRUCT; }
static bool is_int(rf_type t) { return t == RF_TYPE_INT32 || t == RF_TYPE_INT64; }

static int need_array(const rf_expr *e, int i)
{
    rf_type t = e->arg[i]->type;
    if (is_array(t)) return RF_OK;
    return rf__err_set(RF_ERR_ANALYSIS, "%s() needs an array%s, not %s", fname(e), i ? " argument" : "", rf_type_name(t));
}

static int need_map(const rf_expr *e, int i)
{
    rf_type t = e->arg[i]->type;
    if (is_map(t)) return RF_OK;
    return rf__err_set(RF_ERR_ANALYSIS, "%s() needs a map, not %s", fname(e), rf_type_name(t));
}

/* An untyped NULL argument becomes an array (of strings) so that functions of arrays accept it. */
static void null_to_array(rf_expr *e, int i)
{
    if (e->arg[i]->type == RF_TYPE_NULL) e->arg[i] = rf__expr_cast_to(e->arg[i], RF_TYPE_ARRAY);
}

/* Casts args [from, to) to their common type; *out is it. */
static int common_args(rf_expr *e, int from, int to, int step, rf_type *out)
{
    rf_type t = RF_TYPE_NULL;
    for (int i = from; i < to; i += step)
        if (rf__type_common(t, e->arg[i]->type, &t))
            return rf__err_set(RF_ERR_ANALYSIS, "%s(): %s and %s have no common type", fname(e), rf_type_name(t), rf_type_name(e->arg[i]->type));
    if (t == RF_TYPE_NULL) t = RF_TYPE_STRING;
    for (int i = from; i < to; i += step) { int rc = cast_to(e, i, t); if (rc) return rc; }
    *out = t;
    return RF_OK;
}

/* Array arg i and value arg j (or a second array) to one element type. */
static int elem_and_value(rf_expr *e, int i, int j, bool j_is_array)
{
    rf_type el = rf_type_elem(e->arg[i]->type), v = e->arg[j]->type, t;
    if (j_is_array) v = rf_type_elem(v);
    if (rf__type_common(el, v, &t))
        return rf__err_set(RF_ERR_ANALYSIS, "%s(): %s and %s cannot be compared", fname(e), rf_type_name(e->arg[i]->type), rf_type_name(e->arg[j]->type));
    if (rf_type_base(t) == RF_TYPE_MAP) return rf__err_set(RF_ERR_ANALYSIS, "%s(): maps cannot be compared", fname(e));
    rf_type at = rf_type_array(t);
    int rc = cast_to(e, i, at);
    if (!rc) rc = cast_to(e, j, j_is_array ? at : t);
    return rc;
}

/* The name a struct() field takes from its argument: a column's name or an alias, else colN. */
static char *field_name(const rf_expr *a, int i)
{
    char buf[32];
    if (a->name) return rf_strdup(a->name);   /* a column's name, an alias, s.f's f */
    snprintf(buf, sizeof buf, "col%d", i + 1);
    return rf_strdup(buf);
}

static int type_struct_fn(rf_expr *e)
{
    bool named = e->op == RF_F_NAMED_STRUCT;
    int n = named ? e->n_arg / 2 : e->n_arg, rc = RF_OK;
    if (named && e->n_arg % 2) return rf__err_set(RF_ERR_ANALYSIS, "named_struct() takes name, value pairs");
    char **names = rf_calloc((size_t)(n ? n : 1), sizeof *names);
    rf_type *types = rf_calloc((size_t)(n ? n : 1), sizeof *types);
    if (!names || !types) rc = NOMEM();
    for (int i = 0; i < n && !rc; i++) {
        const rf_expr *v = e->arg[named ? 2 * i + 1 : i];
        if (named) {
            const rf_expr *k = e->arg[2 * i];
            if (k->kind != RF_E_LIT || k->lit.type != RF_TYPE_STRING || k->lit.null) { rc = rf__err_set(RF_ERR_ANALYSIS, "named_struct(): field names must be string literals"); break; }
            names[i] = rf_strndup(k->lit.v.s.p, (size_t)k->lit.v.s.len);
        } else {
            names[i] = field_name(v, i);
        }
        if (!names[i]) rc = NOMEM();
        types[i] = v->type == RF_TYPE_NULL ? RF_TYPE_STRING : v->type;
        for (int k = 0; k < i && !rc; k++)
            if (!strcasecmp(names[k], names[i]) && named) rc = rf__err_set(RF_ERR_ANALYSIS, "named_struct(): field '%s' named twice", names[i]);
    }
    if (!rc) {
        e->type = rf_type_struct(n, (const char *const *)names, types);
        if (e->type == RF_TYPE_NULL) rc = rf__err_slot()->code;
    }
    for (int i = 0; i < n && !rc; i++) {
        int a = named ? 2 * i + 1 : i;
        if (e->arg[a]->type == RF_TYPE_NULL) rc = cast_to(e, a, RF_TYPE_STRING);
    }
    for (int i = 0; names && i < n; i++) rf_free(names[i]);
    rf_free(names);
    rf_free(types);
    e->nullable = false;
    return rc;
}

bool rf__func_is_nested(const rf_expr *e)
{
    if (e->op >= RF_F_ARRAY && e->op < RF_F_TO_JSON) return !rf__is_generator(e->op) && !rf__is_hof(e->op);
    if (e->op == RF_F_SIZE || e->op == RF_F_ELEMENT_AT || e->op == RF_F_ARRAY_CONTAINS || e->op == RF_F_ARRAY_JOIN) return true;
    return (e->op == RF_F_CONCAT || e->op == RF_F_REVERSE) && is_array(e->type);
}

int rf__func_type_nested(rf_expr *e)
{
    int rc = RF_OK;
    rf_type t;
    switch (e->op) {
    case RF_F_ARRAY:
        if ((rc = common_args(e, 0, e->n_arg, 1, &t))) return rc;
        e->type = rf_type_array(t);
        e->nullable = false;
        break;
    case RF_F_MAP: {
        rf_type k, v;
        if (e->n_arg % 2) return rf__err_set(RF_ERR_ANALYSIS, "map() takes key, value pairs (an even number of arguments)");
        if ((rc = common_args(e, 0, e->n_arg, 2, &k)) || (rc = common_args(e, 1, e->n_arg, 2, &v))) return rc;
        if (is_map(k)) return rf__err_set(RF_ERR_ANALYSIS, "map(): keys cannot be maps");
        e->type = rf_type_map(k, v);
        e->nullable = false;
        break;
    }
    case RF_F_STRUCT: case RF_F_NAMED_STRUCT:
        return type_struct_fn(e);
    case RF_F_GET_FIELD: {
        rf_type s = e->arg[0]->type;
        const rf_expr *f = e->arg[1];
        bool arr = is_array(s) && is_struct(rf_type_elem(s));   /* arr.f: the field of every element */
        rf_type st = arr ? rf_type_elem(s) : s;
        if (!is_struct(st)) return rf__err_set(RF_ERR_ANALYSIS, "cannot take field '%.*s' of %s: it is not a struct", (int)f->lit.v.s.len, f->lit.v.s.p, rf_type_name(s));
        char *name = rf_strndup(f->lit.v.s.p, (size_t)f->lit.v.s.len);
        if (!name) return NOMEM();
        int k = rf_type_field_index(st, name);
        if (k < 0) {
            rc = k == -2 ? rf__err_set(RF_ERR_ANALYSIS, "field '%.200s' of %.200s is ambiguous", name, rf_type_name(st))
                         : rf__err_set(RF_ERR_ANALYSIS, "no field '%.200s' in %.400s", name, rf_type_name(st));
            rf_free(name);
            return rc;
        }
        rf_free(name);
        e->type = arr ? rf_type_array(rf_type_field(st, k)) : rf_type_field(st, k);
        if (!e->name) e->name = rf_strdup(rf_type_field_name(st, k));
        e->nullable = true;
        break;
    }
    case RF_F_SUBSCRIPT: case RF_F_ELEMENT_AT:
        null_to_array(e, 0);
        if (is_map(e->arg[0]->type)) {
            if ((rc = cast_to(e, 1, rf_type_map_key(e->arg[0]->type)))) return rc;
            e->type = rf_type_map_value(e->arg[0]->type);
        } else {
            if ((rc = need_array(e, 0))) return rc;
            if (!is_int(e->arg[1]->type) && e->arg[1]->type != RF_TYPE_NULL)
                return rf__err_set(RF_ERR_ANALYSIS, "%s: an array index must be an integer, not %s", e->op == RF_F_SUBSCRIPT ? "a[i]" : "element_at()", rf_type_name(e->arg[1]->type));
            if ((rc = cast_to(e, 1, RF_TYPE_INT64))) return rc;
            e->type = rf_type_elem(e->arg[0]->type);
        }
        e->nullable = true;
        break;
    case RF_F_SIZE:
        null_to_array(e, 0);
        if (!is_array(e->arg[0]->type) && !is_map(e->arg[0]->type))
            return rf__err_set(RF_ERR_ANALYSIS, "size() needs an array or a map, not %s", rf_type_name(e->arg[0]->type));
        e->type = RF_TYPE_INT32;
        e->nullable = false;   /* size(NULL) is -1 */
        break;
    case RF_F_ARRAY_CONTAINS: case RF_F_ARRAY_POSITION: case RF_F_ARRAY_REMOVE: case RF_F_ARRAY_APPEND:
        null_to_array(e, 0);
        if ((rc = need_array(e, 0)) || (rc = elem_and_value(e, 0, 1, false))) return rc;
        e->type = e->op == RF_F_ARRAY_CONTAINS ? RF_TYPE_BOOL : e->op == RF_F_ARRAY_POSITION ? RF_TYPE_INT64 : e->arg[0]->type;
        e->nullable = true;
        break;
    case RF_F_ARRAYS_OVERLAP: case RF_F_ARRAY_UNION: case RF_F_ARRAY_INTERSECT: case RF_F_ARRAY_EXCEPT:
        null_to_array(e, 0);
        null_to_array(e, 1);
        if ((rc = need_array(e, 0)) || (rc = need_array(e, 1)) || (rc = elem_and_value(e, 0, 1, true))) return rc;
        e->type = e->op == RF_F_ARRAYS_OVERLAP ? RF_TYPE_BOOL : e->arg[0]->type;
        e->nullable = true;
        break;
    case RF_F_ARRAY_JOIN:
        null_to_array(e, 0);
        if ((rc = need_array(e, 0)) || (rc = cast_to(e, 0, RF_TYPE_ARRAY)) || (rc = cast_to(e, 1, RF_TYPE_STRING))) return rc;
        if (e->n_arg > 2 && (rc = cast_to(e, 2, RF_TYPE_STRING))) return rc;
        e->type = RF_TYPE_STRING;
        e->nullable = true;
        break;
    case RF_F_SORT_ARRAY: case RF_F_ARRAY_SORT: case RF_F_ARRAY_DISTINCT: case RF_F_ARRAY_MAX: case RF_F_ARRAY_MIN:
    case RF_F_ARRAY_COMPACT: case RF_F_REVERSE: case RF_F_SLICE:
        null_to_array(e, 0);
        if ((rc = need_array(e, 0))) return rc;
        if (is_map(rf_type_elem(e->arg[0]->type)) && e->op != RF_F_REVERSE && e->op != RF_F_SLICE && e->op != RF_F_ARRAY_COMPACT)
            return rf__err_set(RF_ERR_ANALYSIS, "%s(): maps cannot be compared", fname(e));
        if (e->op == RF_F_SORT_ARRAY && e->n_arg > 1) {
            const rf_expr *c = e->arg[1];
            if (c->kind != RF_E_LIT || c->type != RF_TYPE_BOOL || c->lit.null) return rf__err_set(RF_ERR_ANALYSIS, "sort_array(): the order must be TRUE or FALSE");
        }
        if (e->op == RF_F_ARRAY_SORT && e->n_arg > 1)
            return rf__err_set(RF_ERR_ANALYSIS, "array_sort() with a comparator is not supported (sort_array(a, false) sorts descending)");
        if (e->op == RF_F_SLICE) { if ((rc = cast_to(e, 1, RF_TYPE_INT64)) || (rc = cast_to(e, 2, RF_TYPE_INT64))) return rc; }
        e->type = e->op == RF_F_ARRAY_MAX || e->op == RF_F_ARRAY_MIN ? rf_type_elem(e->arg[0]->type) : e->arg[0]->type;
        e->nullable = true;
        break;
    case RF_F_CONCAT: {   /* of arrays (func.c types concat of strings) */
        for (int i = 0; i < e->n_arg; i++) null_to_array(e, i);
        rf_type el = RF_TYPE_NULL;
        for (int i = 0; i < e->n_arg; i++) {
            if ((rc = need_array(e, i))) return rc;
            if (rf__type_common(el, rf_type_elem(e->arg[i]->type), &el)) return rf__err_set(RF_ERR_ANALYSIS, "concat(): arrays of different types");
        }
        e->type = rf_type_array(el);
        for (int i = 0; i < e->n_arg && !rc; i++) rc = cast_to(e, i, e->type);
        e->nullable = true;
        break;
    }
    case RF_F_FLATTEN:
        null_to_array(e, 0);
        if ((rc = need_array(e, 0))) return rc;
        if (!is_array(rf_type_elem(e->arg[0]->type))) return rf__err_set(RF_ERR_ANALYSIS, "flatten() needs an array of arrays, not %s", rf_type_name(e->arg[0]->type));
        e->type = rf_type_elem(e->arg[0]->type);
        e->nullable = true;
        break;
    case RF_F_SEQUENCE: {
        rf_type a = e->arg[0]->type, b = e->arg[1]->type;
        if (a == RF_TYPE_DATE || b == RF_TYPE_DATE) {
            if ((rc = cast_to(e, 0, RF_TYPE_DATE)) || (rc = cast_to(e, 1, RF_TYPE_DATE))) return rc;
            if (e->n_arg > 2 && (rc = cast_to(e, 2, RF_TYPE_INT64))) return rc;   /* INTERVAL n DAY: days */
            e->type = rf_type_array(RF_TYPE_DATE);
        } else {
            if ((rc = common_args(e, 0, e->n_arg, 1, &t))) return rc;
            if (!is_int(t)) return rf__err_set(RF_ERR_ANALYSIS, "sequence() needs integers or dates, not %s", rf_type_name(t));
            e->type = rf_type_array(t);
        }
        e->nullable = true;
        break;
    }
    case RF_F_ARRAY_REPEAT:
        if ((rc = cast_to(e, 1, RF_TYPE_INT64))) return rc;
        if (e->arg[0]->type == RF_TYPE_NULL && (rc = cast_to(e, 0, RF_TYPE_STRING))) return rc;
        e->type = rf_type_array(e->arg[0]->type);
        e->nullable = true;
        break;
    case RF_F_ARRAYS_ZIP: {
        int n = e->n_arg;
        char **names = rf_calloc((size_t)(n ? n : 1), sizeof *names);
        rf_type *types = rf_calloc((size_t)(n ? n : 1), sizeof *types);
        if (!names || !types) rc = NOMEM();
        for (int i = 0; i < n && !rc; i++) {
            null_to_array(e, i);
            if ((rc = need_array(e, i))) break;
            char buf[16];
            snprintf(buf, sizeof buf, "%d", i);
            names[i] = e->arg[i]->kind == RF_E_COL && e->arg[i]->name ? rf_strdup(e->arg[i]->name) : rf_strdup(buf);
            if (!names[i]) rc = NOMEM();
            types[i] = rf_type_elem(e->arg[i]->type);
        }
        if (!rc) e->type = rf_type_array(rf_type_struct(n, (const char *const *)names, types));
        for (int i = 0; names && i < n; i++) rf_free(names[i]);
        rf_free(names);
        rf_free(types);
        e->nullable = true;
        break;
    }
    case RF_F_MAP_KEYS: case RF_F_MAP_VALUES: case RF_F_MAP_ENTRIES:
        if ((rc = need_map(e, 0))) return rc;
        t = e->arg[0]->type;
        e->type = rf_type_array(e->op == RF_F_MAP_KEYS ? rf_type_map_key(t) : e->op == RF_F_MAP_VALUES ? rf_type_map_value(t) : rf_type_map_entry(t));
        e->nullable = true;
        break;
    case RF_F_MAP_CONTAINS_KEY:
        if ((rc = need_map(e, 0)) || (rc = cast_to(e, 1, rf_type_map_key(e->arg[0]->type)))) return rc;
        e->type = RF_TYPE_BOOL;
        e->nullable = true;
        break;
    case RF_F_MAP_FROM_ARRAYS:
        if ((rc = need_array(e, 0)) || (rc = need_array(e, 1))) return rc;
        if (is_map(rf_type_elem(e->arg[0]->type))) return rf__err_set(RF_ERR_ANALYSIS, "map_from_arrays(): keys cannot be maps");
        e->type = rf_type_map(rf_type_elem(e->arg[0]->type), rf_type_elem(e->arg[1]->type));
        e->nullable = true;
        break;
    case RF_F_MAP_FROM_ENTRIES: {
        if ((rc = need_array(e, 0))) return rc;
        rf_type st = rf_type_elem(e->arg[0]->type);
        if (!is_struct(st) || rf_type_nfields(st) != 2) return rf__err_set(RF_ERR_ANALYSIS, "map_from_entries() needs an array of two-field structs, not %s", rf_type_name(e->arg[0]->type));
        e->type = rf_type_map(rf_type_field(st, 0), rf_type_field(st, 1));
        e->nullable = true;
        break;
    }
    case RF_F_MAP_CONCAT: {
        rf_type m = RF_TYPE_NULL;
        for (int i = 0; i < e->n_arg; i++) {
            if ((rc = need_map(e, i))) return rc;
            if (rf__type_common(m, e->arg[i]->type, &m)) return rf__err_set(RF_ERR_ANALYSIS, "map_concat(): maps of different types");
        }
        for (int i = 0; i < e->n_arg && !rc; i++) rc = cast_to(e, i, m);
        e->type = m;
        e->nullable = true;
        break;
    }
    case RF_F_STR_TO_MAP:
        for (int i = 0; i < e->n_arg && !rc; i++) rc = cast_to(e, i, RF_TYPE_STRING);
        e->type = rf_type_map(RF_TYPE_STRING, RF_TYPE_STRING);
        e->nullable = true;
        break;
    default:
        return rf__err_set(RF_ERR_INTERNAL, "%s() is not a function of nested values", fname(e));
    }
    if (!rc && e->type == RF_TYPE_NULL) rc = rf__err_slot()->code ? rf__err_slot()->code : NOMEM();
    return rc;
}

/* ---------------------------------------------------------------- generators */
static bool gen_spreads(const rf_expr *g)   /* map entries or inline's structs: one column per field */
{
    rf_type t = g->arg[0]->type;
    return is_map(t) || g->op == RF_F_INLINE || g->op == RF_F_INLINE_OUTER;
}

int rf__gen_ncols(const rf_expr *g)
{
    bool pos = g->op == RF_F_POSEXPLODE || g->op == RF_F_POSEXPLODE_OUTER;
    return pos + (gen_spreads(g) ? rf_type_nfields(rf_type_elem(g->arg[0]->type)) : 1);
}

const char *rf__gen_col_name(const rf_expr *g, int i)
{
    bool pos = g->op == RF_F_POSEXPLODE || g->op == RF_F_POSEXPLODE_OUTER;
    if (pos && i == 0) return "pos";
    i -= pos;
    return gen_spreads(g) ? rf_type_field_name(rf_type_elem(g->arg[0]->type), i) : "col";
}

rf_type rf__gen_col_type(const rf_expr *g, int i)
{
    bool pos = g->op == RF_F_POSEXPLODE || g->op == RF_F_POSEXPLODE_OUTER;
    if (pos && i == 0) return RF_TYPE_INT32;
    i -= pos;
    rf_type el = rf_type_elem(g->arg[0]->type);
    return gen_spreads(g) ? rf_type_field(el, i) : el;
}

/* ---------------------------------------------------------------- evaluation helpers */
/* A set of element indexes of one column, by value (open addressing). */
typedef struct eset {
    const rf_column *c;
    int64_t *slot;      /* element index, -1 empty */
    uint64_t *h;
    int64_t cap, n;
} eset;

static int eset_init(eset *s, const rf_column *c, int64_t want)
{
    s->c = c;
    s->n = 0;
    s->cap = 16;
    while (s->cap < want * 2) s->cap *= 2;
    s->slot = rf_malloc((size_t)s->cap * sizeof *s->slot);
    s->h = rf_malloc((size_t)s->cap * sizeof *s->h);
    if (!s->slot || !s->h) { rf_free(s->slot); rf_free(s->h); s->slot = NULL; s->h = NULL; return NOMEM(); }
    memset(s->slot, 0xff, (size_t)s->cap * sizeof *s->slot);
    return RF_OK;
}

static void eset_fini(eset *s) { RF_FREE(s->slot); RF_FREE(s->h); }

static uint64_t elem_hash(const rf_column *c, int64_t k)
{
    uint64_t h = 0;
    rf_hash_column_rows(c, k, 1, &h);
    return h;
}

/* Whether c[k] (same type as the set's column) is in the set; *at its slot or the empty slot. */
static bool eset_find(const eset *s, const rf_column *c, int64_t k, uint64_t h, int64_t *at)
{
    int64_t i = (int64_t)(h & (uint64_t)(s->cap - 1));
    while (s->slot[i] >= 0) {
        if (s->h[i] == h && rf_column_eq(s->c, s->slot[i], c, k)) { *at = i; return true; }
        i = (i + 1) & (s->cap - 1);
    }
    *at = i;
    return false;
}

/* Adds element k of the set's column unless an equal one is there; *added says which. */
static int eset_add(eset *s, int64_t k, bool *added)
{
    uint64_t h = elem_hash(s->c, k);
    int64_t at;
    *added = false;
    if (eset_find(s, s->c, k, h, &at)) return RF_OK;
    if ((s->n + 1) * 2 > s->cap) {   /* grow and re-add */
        eset t;
        int rc = eset_init(&t, s->c, s->cap);
        if (rc) return rc;
        for (int64_t i = 0; i < s->cap; i++)
            if (s->slot[i] >= 0) {
                int64_t a;
                eset_find(&t, t.c, s->slot[i], s->h[i], &a);
                t.slot[a] = s->slot[i];
                t.h[a] = s->h[i];
                t.n++;
            }
        eset_fini(s);
        *s = t;
        eset_find(s, s->c, k, h, &at);
    }
    s->slot[at] = k;
    s->h[at] = h;
    s->n++;
    *added = true;
    return RF_OK;
}

static void eset_clear(eset *s) { memset(s->slot, 0xff, (size_t)s->cap * sizeof *s->slot); s->n = 0; }

typedef struct { const rf_column *c; bool desc, nulls_last; } sortctx;
static int sort_cmp(void *p, int64_t i, int64_t j)
{
    const sortctx *s = p;
    bool vi = rf_column_valid(s->c, i), vj = rf_column_valid(s->c, j);
    if (!vi || !vj) { if (vi == vj) return 0; return (!vi) == s->nulls_last ? 1 : -1; }
    int c = rf_column_cmp(s->c, i, s->c, j);
    return s->desc ? -c : c;
}

/* Appends entry (key k of keys, value v of vals) to map column r's entries, refusing NULL keys. */
static int put_entry(rf_column *r, const rf_column *keys, int64_t k, const rf_column *vals, int64_t v)
{
    rf_column *en = r->child;
    if (!rf_column_valid(keys, k)) return rf__err_set(RF_ERR_INVALID, "a map key cannot be NULL");
    int rc = rf_column_append_from(en->kids[0], keys, k);
    if (!rc) rc = vals ? rf_column_append_from(en->kids[1], vals, v) : rf_column_append_null(en->kids[1]);
    return rc ? rc : rf_column_end_struct(en);
}

/* Closes map row [from, r's entries) after refusing duplicate keys (Spark's mapKeyDedupPolicy EXCEPTION). */
static int end_map(rf_column *r, int64_t from, eset *seen)
{
    const rf_column *keys = r->child->kids[0];
    int64_t to = keys->len;
    eset_clear(seen);
    seen->c = keys;
    for (int64_t k = from; k < to; k++) {
        bool added;
        int rc = eset_add(seen, k, &added);
        if (rc) return rc;
        if (!added) {
            rf_buf b = { 0 };
            bool nl;
            rf_format_value(keys, k, &b, &nl);
            rc = rf__err_set(RF_ERR_INVALID, "duplicate map key %.*s (Spark's spark.sql.mapKeyDedupPolicy=EXCEPTION)", (int)b.len, b.data ? (char *)b.data : "");
            rf_buf_fini(&b);
            return rc;
        }
    }
    return rf_column_end_list(r);
}

/* The entry of map row i of m whose key equals k[j]; -1 when none. */
static int64_t map_find(const rf_column *m, int64_t i, const rf_column *k, int64_t j)
{
    int64_t lo, hi;
    rf_col_range(m, i, &lo, &hi);
    for (int64_t q = lo; q < hi; q++)
        if (rf_column_eq(m->child->kids[0], q, k, j)) return q;
    return -1;
}

static int struct_field(const rf_expr *e, rf_column **a, int64_t n, rf_column **out)
{
    const rf_column *s = a[0];
    bool arr = is_array(s->type);
    rf_type st = arr ? rf_type_elem(s->type) : s->type;
    char *name = rf_strndup(e->arg[1]->lit.v.s.p, (size_t)e->arg[1]->lit.v.s.len);
    if (!name) return NOMEM();
    int k = rf_type_field_index(st, name);
    rf_free(name);
    if (k < 0) return rf__err_set(RF_ERR_INTERNAL, "a struct field vanished");
    rf_column *r = NULL;
    int rc = rf_column_create(e->type, n, &r);
    for (int64_t i = 0; i < n && !rc; i++) {
        if (!rf_column_valid(s, i)) { rc = rf_column_append_null(r); continue; }
        if (!arr) { rc = rf_column_append_from(r, s->kids[k], rf_col_row(s, i)); continue; }
        int64_t lo, hi;
        rf_col_range(s, i, &lo, &hi);
        for (int64_t q = lo; q < hi && !rc; q++)
            rc = rf_column_valid(s->child, q) ? rf_column_append_from(r->child, s->child->kids[k], q) : rf_column_append_null(r->child);
        if (!rc) rc = rf_column_end_list(r);
    }
    if (rc) rf_column_release(&r);
    *out = r;
    return rc;
}

static int64_t int_at(const rf_column *c, int64_t i) { return rf_column_get_int(c, i); }

/* ---------------------------------------------------------------- evaluation */
int rf__func_eval_nested(const rf_expr *e, rf_column **a, int64_t n, rf_column **out)
{
    if (e->op == RF_F_GET_FIELD) return struct_field(e, a, n, out);
    rf_column *r = NULL;
    eset set = { 0 }, set2 = { 0 };
    int64_t *idx = NULL, icap = 0;
    rf_buf tmp = { 0 };
    int rc = rf_column_create(e->type, n, &r);
    if (rc) return rc;
    if (is_map(e->type) && (rc = eset_init(&set, NULL, 16))) goto done;
    for (int64_t i = 0; i < n && !rc; i++) {
        int64_t lo = 0, hi = 0;
        const rf_column *x = e->n_arg ? a[0] : NULL, *el = x && x->child ? x->child : NULL;
        bool xv = x && rf_column_valid(x, i);
        if (x && x->child && xv) rf_col_range(x, i, &lo, &hi);
        switch (e->op) {
        case RF_F_ARRAY:
            for (int k = 0; k < e->n_arg && !rc; k++) rc = rf_column_append_from(r->child, a[k], i);
            if (!rc) rc = rf_column_end_list(r);
            break;
        case RF_F_MAP: {
            int64_t from = r->child->len;
            for (int k = 0; k + 1 < e->n_arg && !rc; k += 2) rc = put_entry(r, a[k], i, a[k + 1], i);
            if (!rc) rc = end_map(r, from, &set);
            break;
        }
        case RF_F_STRUCT: case RF_F_NAMED_STRUCT: {
            bool named = e->op == RF_F_NAMED_STRUCT;
            for (int k = 0; k < r->nkids && !rc; k++) rc = rf_column_append_from(r->kids[k], a[named ? 2 * k + 1 : k], i);
            if (!rc) rc = rf_column_end_struct(r);
            break;
        }
        case RF_F_SUBSCRIPT: case RF_F_ELEMENT_AT: {
            if (!xv || !rf_column_valid(a[1], i)) { rc = rf_column_append_null(r); break; }
            if (is_map(x->type)) {
                int64_t q = map_find(x, i, a[1], i);
                rc = q < 0 ? rf_column_append_null(r) : rf_column_append_from(r, el->kids[1], q);
                break;
            }
            int64_t k = int_at(a[1], i), len = hi - lo;
            if (e->op == RF_F_ELEMENT_AT) {
                if (k == 0) { rc = rf__err_set(RF_ERR_INVALID, "element_at(): SQL array indices start at 1"); break; }
                k = k > 0 ? k - 1 : len + k;
            }
            rc = k < 0 || k >= len ? rf_column_append_null(r) : rf_column_append_from(r, el, lo + k);
            break;
        }
        case RF_F_SIZE:
            rc = rf_column_append_i64(r, xv ? hi - lo : -1);
            break;
        case RF_F_ARRAY_CONTAINS: case RF_F_ARRAY_POSITION: {
            if (!xv || !rf_column_valid(a[1], i)) { rc = rf_column_append_null(r); break; }
            int64_t at = -1;
            bool saw_null = false;
            for (int64_t q = lo; q < hi && at < 0; q++) {
                if (!rf_column_valid(el, q)) saw_null = true;
                else if (rf_column_eq(el, q, a[1], i)) at = q - lo;
            }
            if (e->op == RF_F_ARRAY_POSITION) rc = rf_column_append_i64(r, at + 1);
            else rc = at >= 0 ? rf_column_append_i64(r, 1) : saw_null ? rf_column_append_null(r) : rf_column_append_i64(r, 0);
            break;
        }
        case RF_F_ARRAY_REMOVE: case RF_F_ARRAY_APPEND: case RF_F_ARRAY_COMPACT: {
            if (!xv || (e->op == RF_F_ARRAY_REMOVE && !rf_column_valid(a[1], i))) { rc = rf_column_append_null(r); break; }
            for (int64_t q = lo; q < hi && !rc; q++) {
                bool v = rf_column_valid(el, q);
                if ((e->op == RF_F_ARRAY_REMOVE && v && rf_column_eq(el, q, a[1], i)) || (e->op == RF_F_ARRAY_COMPACT && !v)) continue;
                rc = rf_column_append_from(r->child, el, q);
            }
            if (!rc && e->op == RF_F_ARRAY_APPEND) rc = rf_column_append_from(r->child, a[1], i);
            if (!rc) rc = rf_column_end_list(r);
            break;
        }
        case RF_F_ARRAY_JOIN: {
            if (!xv || !rf_column_valid(a[1], i)) { rc = rf_column_append_null(r); break; }
            int64_t sl, nl = 0;
            const char *sep = rf_col_str(a[1], i, &sl), *nt = NULL;
            bool repl = e->n_arg > 2 && rf_column_valid(a[2], i), first = true;
            if (repl) nt = rf_col_str(a[2], i, &nl);
            tmp.len = 0;
            for (int64_t q = lo; q < hi && !rc; q++) {
                bool v = rf_column_valid(el, q);
                if (!v && !repl) continue;
                if (!first) rc = rf_buf_put(&tmp, sep, (size_t)sl);
                first = false;
                if (rc) break;
                if (v) { int64_t l; const char *p = rf_col_str(el, q, &l); rc = rf_buf_put(&tmp, p, (size_t)l); }
                else rc = rf_buf_put(&tmp, nt, (size_t)nl);
            }
            if (!rc) rc = rf_column_append_str(r, tmp.data ? (const char *)tmp.data : "", (int64_t)tmp.len);
            break;
        }
        case RF_F_SORT_ARRAY: case RF_F_ARRAY_SORT: {
            if (!xv) { rc = rf_column_append_null(r); break; }
            bool asc = e->op == RF_F_ARRAY_SORT || e->n_arg < 2 || e->arg[1]->lit.v.b;
            sortctx sc = { el, !asc, e->op == RF_F_ARRAY_SORT || !asc };   /* sort_array: NULLs first ascending, last descending */
            if ((rc = rf__grow((void **)&idx, &icap, hi - lo + 1, sizeof *idx))) break;
            for (int64_t q = lo; q < hi; q++) idx[q - lo] = q;
            if ((rc = rf_sort_idx(idx, hi - lo, sort_cmp, &sc))) break;
            for (int64_t q = 0; q < hi - lo && !rc; q++) rc = rf_column_append_from(r->child, el, idx[q]);
            if (!rc) rc = rf_column_end_list(r);
            break;
        }
        case RF_F_ARRAY_DISTINCT: case RF_F_ARRAY_UNION: case RF_F_ARRAY_INTERSECT: case RF_F_ARRAY_EXCEPT: case RF_F_ARRAYS_OVERLAP: {
            const rf_column *y = e->op == RF_F_ARRAY_DISTINCT ? NULL : a[1];
            if (!xv || (y && !rf_column_valid(y, i))) { rc = rf_column_append_null(r); break; }
            int64_t ylo = 0, yhi = 0;
            if (y) rf_col_range(y, i, &ylo, &yhi);
            if (!set.slot && (rc = eset_init(&set, el, 16))) break;
            if (y && !set2.slot && (rc = eset_init(&set2, y->child, 16))) break;
            eset_clear(&set);
            set.c = el;
            if (e->op == RF_F_ARRAYS_OVERLAP) {   /* true on a common non-NULL element; NULL when none but a NULL is there */
                bool any_null = false, hit = false;
                for (int64_t q = lo; q < hi && !rc; q++) {
                    bool added;
                    if (!rf_column_valid(el, q)) { any_null = true; continue; }
                    rc = eset_add(&set, q, &added);
                }
                for (int64_t q = ylo; q < yhi && !rc && !hit; q++) {
                    int64_t at;
                    if (!rf_column_valid(y->child, q)) { any_null = true; continue; }
                    hit = eset_find(&set, y->child, q, elem_hash(y->child, q), &at);
                }
                if (!rc) rc = hit ? rf_column_append_i64(r, 1) : any_null && hi > lo && yhi > ylo ? rf_column_append_null(r) : rf_column_append_i64(r, 0);
                break;
            }
            if (y && e->op != RF_F_ARRAY_UNION) {   /* intersect / except: y's elements as a set */
                eset_clear(&set2);
                set2.c = y->child;
                for (int64_t q = ylo; q < yhi && !rc; q++) { bool added; rc = eset_add(&set2, q, &added); }
            }
            for (int64_t q = lo; q < hi && !rc; q++) {
                bool added, keep = true;
                if (y && e->op != RF_F_ARRAY_UNION) {
                    int64_t at;
                    bool in_y = eset_find(&set2, el, q, elem_hash(el, q), &at);
                    keep = e->op == RF_F_ARRAY_INTERSECT ? in_y : !in_y;
                }
                if (!keep) continue;
                if (!(rc = eset_add(&set, q, &added)) && added) rc = rf_column_append_from(r->child, el, q);
            }
            if (y && e->op == RF_F_ARRAY_UNION) {   /* then y's elements not in x, each once */
                eset_clear(&set2);
                set2.c = y->child;
                for (int64_t q = ylo; q < yhi && !rc; q++) {
                    int64_t at;
                    bool added;
                    if (eset_find(&set, y->child, q, elem_hash(y->child, q), &at)) continue;
                    if (!(rc = eset_add(&set2, q, &added)) && added) rc = rf_column_append_from(r->child, y->child, q);
                }
            }
            if (!rc) rc = rf_column_end_list(r);
            break;
        }
        case RF_F_ARRAY_MAX: case RF_F_ARRAY_MIN: {
            int64_t best = -1;
            for (int64_t q = lo; q < hi; q++) {
                if (!rf_column_valid(el, q)) continue;
                int c = best < 0 ? 0 : rf_column_cmp(el, q, el, best);
                if (best < 0 || (e->op == RF_F_ARRAY_MAX ? c > 0 : c < 0)) best = q;
            }
            rc = best < 0 ? rf_column_append_null(r) : rf_column_append_from(r, el, best);
            break;
        }
        case RF_F_REVERSE:
            if (!xv) { rc = rf_column_append_null(r); break; }
            for (int64_t q = hi - 1; q >= lo && !rc; q--) rc = rf_column_append_from(r->child, el, q);
            if (!rc) rc = rf_column_end_list(r);
            break;
        case RF_F_SLICE: {
            if (!xv || !rf_column_valid(a[1], i) || !rf_column_valid(a[2], i)) { rc = rf_column_append_null(r); break; }
            int64_t s = int_at(a[1], i), len = int_at(a[2], i), cnt = hi - lo;
            if (s == 0) { rc = rf__err_set(RF_ERR_INVALID, "slice(): the start index must not be 0 (SQL array indices start at 1)"); break; }
            if (len < 0) { rc = rf__err_set(RF_ERR_INVALID, "slice(): the length must not be negative (%lld)", (long long)len); break; }
            int64_t from = s > 0 ? s - 1 : cnt + s;   /* before the start (or past the end): empty, as Spark */
            int64_t take = from < 0 || from >= cnt ? 0 : (len < cnt - from ? len : cnt - from);
            for (int64_t q = 0; q < take && !rc; q++) rc = rf_column_append_from(r->child, el, lo + from + q);
            if (!rc) rc = rf_column_end_list(r);
            break;
        }
        case RF_F_CONCAT: {
            bool any_null = false;
            for (int k = 0; k < e->n_arg; k++) any_null |= !rf_column_valid(a[k], i);
            if (any_null) { rc = rf_column_append_null(r); break; }
            for (int k = 0; k < e->n_arg && !rc; k++) {
                int64_t l2, h2;
                rf_col_range(a[k], i, &l2, &h2);
                for (int64_t q = l2; q < h2 && !rc; q++) rc = rf_column_append_from(r->child, a[k]->child, q);
            }
            if (!rc) rc = rf_column_end_list(r);
            break;
        }
        case RF_F_FLATTEN: {
            bool any_null = false;
            for (int64_t q = lo; q < hi; q++) any_null |= !rf_column_valid(el, q);
            if (!xv || any_null) { rc = rf_column_append_null(r); break; }
            for (int64_t q = lo; q < hi && !rc; q++) {
                int64_t l2, h2;
                rf_col_range(el, q, &l2, &h2);
                for (int64_t p = l2; p < h2 && !rc; p++) rc = rf_column_append_from(r->child, el->child, p);
            }
            if (!rc) rc = rf_column_end_list(r);
            break;
        }
        case RF_F_SEQUENCE: {
            bool any_null = false;
            for (int k = 0; k < e->n_arg; k++) any_null |= !rf_column_valid(a[k], i);
            if (any_null) { rc = rf_column_append_null(r); break; }
            int64_t s = int_at(a[0], i), t = int_at(a[1], i), st = e->n_arg > 2 ? int_at(a[2], i) : (s <= t ? 1 : -1);
            if (st == 0 || (st > 0 && s > t) || (st < 0 && s < t)) {
                if (s == t) { rc = rf_column_append_i64(r->child, s); if (!rc) rc = rf_column_end_list(r); break; }
                rc = rf__err_set(RF_ERR_INVALID, "sequence(%lld, %lld, %lld): the step must move from start to stop", (long long)s, (long long)t, (long long)st);
                break;
            }
            double cnt = ((double)t - (double)s) / (double)st + 1;
            if (cnt > (double)MAX_ELEMENTS) { rc = rf__err_set(RF_ERR_LIMIT, "sequence(): more than %lld elements", MAX_ELEMENTS); break; }
            if ((rc = rf_column_reserve(r->child, (int64_t)cnt, 0))) break;
            for (int64_t v = s; st > 0 ? v <= t : v >= t; v += st) {
                if ((rc = rf_column_append_i64(r->child, v))) break;
                if ((st > 0 && v > INT64_MAX - st) || (st < 0 && v < INT64_MIN - st)) break;
            }
            if (!rc) rc = rf_column_end_list(r);
            break;
        }
        case RF_F_ARRAY_REPEAT: {
            if (!rf_column_valid(a[1], i)) { rc = rf_column_append_null(r); break; }
            int64_t cnt = int_at(a[1], i);
            if (cnt > MAX_ELEMENTS) { rc = rf__err_set(RF_ERR_LIMIT, "array_repeat(): more than %lld elements", MAX_ELEMENTS); break; }
            for (int64_t q = 0; q < cnt && !rc; q++) rc = rf_column_append_from(r->child, a[0], i);
            if (!rc) rc = rf_column_end_list(r);
            break;
        }
        case RF_F_ARRAYS_ZIP: {
            bool any_null = false;
            int64_t len = 0;
            for (int k = 0; k < e->n_arg; k++) {
                if (!rf_column_valid(a[k], i)) { any_null = true; break; }
                int64_t l2, h2;
                rf_col_range(a[k], i, &l2, &h2);
                if (h2 - l2 > len) len = h2 - l2;
            }
            if (any_null) { rc = rf_column_append_null(r); break; }
            for (int64_t q = 0; q < len && !rc; q++) {
                for (int k = 0; k < e->n_arg && !rc; k++) {
                    int64_t l2, h2;
                    rf_col_range(a[k], i, &l2, &h2);
                    rc = l2 + q < h2 ? rf_column_append_from(r->child->kids[k], a[k]->child, l2 + q) : rf_column_append_null(r->child->kids[k]);
                }
                if (!rc) rc = rf_column_end_struct(r->child);
            }
            if (!rc) rc = rf_column_end_list(r);
            break;
        }
        case RF_F_MAP_KEYS: case RF_F_MAP_VALUES: case RF_F_MAP_ENTRIES:
            if (!xv) { rc = rf_column_append_null(r); break; }
            for (int64_t q = lo; q < hi && !rc; q++)
                rc = rf_column_append_from(r->child, e->op == RF_F_MAP_ENTRIES ? el : el->kids[e->op == RF_F_MAP_VALUES], q);
            if (!rc) rc = rf_column_end_list(r);
            break;
        case RF_F_MAP_CONTAINS_KEY:
            if (!xv || !rf_column_valid(a[1], i)) { rc = rf_column_append_null(r); break; }
            rc = rf_column_append_i64(r, map_find(x, i, a[1], i) >= 0);
            break;
        case RF_F_MAP_FROM_ARRAYS: {
            if (!xv || !rf_column_valid(a[1], i)) { rc = rf_column_append_null(r); break; }
            int64_t l2, h2, from = r->child->len;
            rf_col_range(a[1], i, &l2, &h2);
            if (h2 - l2 != hi - lo) { rc = rf__err_set(RF_ERR_INVALID, "map_from_arrays(): %lld keys but %lld values", (long long)(hi - lo), (long long)(h2 - l2)); break; }
            for (int64_t q = 0; q < hi - lo && !rc; q++) rc = put_entry(r, el, lo + q, a[1]->child, l2 + q);
            if (!rc) rc = end_map(r, from, &set);
            break;
        }
        case RF_F_MAP_FROM_ENTRIES: {
            bool any_null = false;
            for (int64_t q = lo; q < hi; q++) any_null |= !rf_column_valid(el, q);
            if (!xv || any_null) { rc = rf_column_append_null(r); break; }
            int64_t from = r->child->len;
            for (int64_t q = lo; q < hi && !rc; q++) rc = put_entry(r, el->kids[0], q, el->kids[1], q);
            if (!rc) rc = end_map(r, from, &set);
            break;
        }
        case RF_F_MAP_CONCAT: {
            bool any_null = false;
            for (int k = 0; k < e->n_arg; k++) any_null |= !rf_column_valid(a[k], i);
            if (any_null) { rc = rf_column_append_null(r); break; }
            int64_t from = r->child->len;
            for (int k = 0; k < e->n_arg && !rc; k++) {
                int64_t l2, h2;
                rf_col_range(a[k], i, &l2, &h2);
                for (int64_t q = l2; q < h2 && !rc; q++) rc = put_entry(r, a[k]->child->kids[0], q, a[k]->child->kids[1], q);
            }
            if (!rc) rc = end_map(r, from, &set);
            break;
        }
        case RF_F_STR_TO_MAP: {
            if (!xv) { rc = rf_column_append_null(r); break; }
            int64_t tl, pl = 1, kl = 1;
            const char *t = rf_col_str(a[0], i, &tl), *pd = ",", *kd = ":";
            if (e->n_arg > 1 && rf_column_valid(a[1], i)) pd = rf_col_str(a[1], i, &pl);
            if (e->n_arg > 2 && rf_column_valid(a[2], i)) kd = rf_col_str(a[2], i, &kl);
            if (pl == 0 || kl == 0) { rc = rf__err_set(RF_ERR_INVALID, "str_to_map(): empty delimiter"); break; }
            int64_t from = r->child->len, p = 0;
            rf_column *en = r->child;
            for (;;) {   /* pairs split at pd, each at its first kd */
                int64_t q = p;
                while (q < tl && !(q + pl <= tl && !memcmp(t + q, pd, (size_t)pl))) q++;
                int64_t m = p;
                while (m < q && !(m + kl <= q && !memcmp(t + m, kd, (size_t)kl))) m++;
                rc = rf_column_append_str(en->kids[0], t + p, m - p);
                if (!rc) rc = m < q ? rf_column_append_str(en->kids[1], t + m + kl, q - m - kl) : rf_column_append_null(en->kids[1]);
                if (!rc) rc = rf_column_end_struct(en);
                if (rc || q >= tl) break;
                p = q + pl;
            }
            if (!rc) rc = end_map(r, from, &set);
            break;
        }
        default:
            rc = rf__err_set(RF_ERR_INTERNAL, "%s() is not a function of nested values", fname(e));
        }
    }
done:
    eset_fini(&set);
    eset_fini(&set2);
    rf_free(idx);
    rf_buf_fini(&tmp);
    if (rc) rf_column_release(&r);
    *out = r;
    return rc;
}
