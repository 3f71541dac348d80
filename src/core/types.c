/*
 * types.c — type names, parsing, and the interned nested types (array, map, struct).
 *
 * A nested type is a descriptor in a process-wide, append-only table; its rf_type is the kind in
 * the low byte and the table index above it, so equal types are equal values and rf_type stays a
 * plain integer everywhere. Index 0 is array<string>, which keeps the bare RF_TYPE_ARRAY meaning
 * what it always meant. Descriptors are never freed (a process interns few types). Indexes differ
 * between processes, so whatever crosses one (plans, shuffled batches, spill files written by one
 * process and read by it are fine) writes a nested type by its name (rf_buf_put_type).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include "core/core.h"

typedef struct tdesc {
    rf_type  kind;       /* RF_TYPE_ARRAY, MAP or STRUCT */
    int      depth;      /* nesting levels (array<int>: 1) */
    int      n;          /* array 1, map 3 (key, value, entry struct), struct: fields */
    rf_type *sub;
    char   **names;      /* struct field names */
    char    *text;       /* the type's name */
} tdesc;

#define MAX_TYPES 16384
#define MAX_DEPTH 64     /* nesting levels; the parser reads back whatever intern() made */
static tdesc *table[MAX_TYPES];
static atomic_int n_table;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static rf_type intern(rf_type kind, int n, const rf_type *sub, const char *const *names);

static const tdesc *desc(rf_type t)
{
    if (!rf_type_is_nested(t)) return NULL;
    unsigned i = (unsigned)t >> 8;
    if (atomic_load_explicit(&n_table, memory_order_acquire) == 0) {   /* index 0 on first use */
        rf_type s = RF_TYPE_STRING;
        (void)intern(RF_TYPE_ARRAY, 1, &s, NULL);
    }
    if ((int)i >= atomic_load_explicit(&n_table, memory_order_acquire)) return NULL;
    const tdesc *d = table[i];
    return d && d->kind == rf_type_base(t) ? d : NULL;
}

bool rf_type_valid(rf_type t)
{
    unsigned u = (unsigned)t;
    if (rf_type_base(t) == RF_TYPE_DECIMAL)
        return (u >> 24) == 0 && rf_type_precision(t) >= 1 && rf_type_precision(t) <= RF_DECIMAL_MAX_PRECISION &&
               rf_type_scale(t) <= rf_type_precision(t);
    if (rf_type_is_nested(t)) return desc(t) != NULL;
    return u < RF_TYPE_COUNT_;
}

static bool plain_name(const char *s)
{
    if (!*s || (*s >= '0' && *s <= '9')) return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_')) return false;
    return true;
}

/* The name of a new descriptor (its parts are interned already, so their names are stable). */
static char *make_text(rf_type kind, int n, const rf_type *sub, char *const *names)
{
    rf_buf b = { 0 };
    int rc = RF_OK;
    if (kind == RF_TYPE_ARRAY) rc = rf_buf_printf(&b, "array<%s>", rf_type_name(sub[0]));
    else if (kind == RF_TYPE_MAP) rc = rf_buf_printf(&b, "map<%s,%s>", rf_type_name(sub[0]), rf_type_name(sub[1]));
    else {
        rc = rf_buf_printf(&b, "struct<");
        for (int i = 0; i < n && !rc; i++) {
            if (i) rc = rf_buf_put_u8(&b, ',');
            if (!rc && plain_name(names[i])) rc = rf_buf_printf(&b, "%s", names[i]);
            else if (!rc) {   /* `a b`, with ` doubled */
                rc = rf_buf_put_u8(&b, '`');
                for (const char *p = names[i]; *p && !rc; p++) rc = *p == '`' ? rf_buf_put(&b, "``", 2) : rf_buf_put_u8(&b, (uint8_t)*p);
                if (!rc) rc = rf_buf_put_u8(&b, '`');
            }
            if (!rc) rc = rf_buf_printf(&b, ":%s", rf_type_name(sub[i]));
        }
        if (!rc) rc = rf_buf_put_u8(&b, '>');
    }
    if (!rc) rc = rf_buf_put_u8(&b, 0);
    if (rc) { rf_buf_fini(&b); return NULL; }
    return (char *)b.data;
}

static rf_type intern(rf_type kind, int n, const rf_type *sub, const char *const *names)
{
    int depth = 1;
    for (int i = 0; i < n; i++) {
        if (!rf_type_valid(sub[i])) { rf__err_set(RF_ERR_INTERNAL, "nested type of an unknown type"); return RF_TYPE_NULL; }
        const tdesc *c = desc(sub[i]);
        if (c && c->depth + 1 > depth) depth = c->depth + 1;
    }
    if (depth > MAX_DEPTH) { rf__err_set(RF_ERR_LIMIT, "a type nested more than %d levels deep", MAX_DEPTH); return RF_TYPE_NULL; }
    pthread_mutex_lock(&lock);
    int cnt = atomic_load(&n_table);
    rf_type out = RF_TYPE_NULL;
    if (cnt == 0 && !(kind == RF_TYPE_ARRAY && sub[0] == RF_TYPE_STRING)) {   /* index 0 is array<string> */
        pthread_mutex_unlock(&lock);
        rf_type s = RF_TYPE_STRING;
        if (intern(RF_TYPE_ARRAY, 1, &s, NULL) == RF_TYPE_NULL) return RF_TYPE_NULL;
        pthread_mutex_lock(&lock);
        cnt = atomic_load(&n_table);
    }
    for (int i = 0; i < cnt && out == RF_TYPE_NULL; i++) {
        const tdesc *d = table[i];
        if (d->kind != kind || d->n != n) continue;
        bool same = true;
        for (int k = 0; k < n && same; k++)
            same = d->sub[k] == sub[k] && (!names || strcmp(d->names[k], names[k]) == 0);
        if (same) out = (rf_type)((unsigned)kind | (unsigned)i << 8);
    }
    if (out == RF_TYPE_NULL) {
        tdesc *d = NULL;
        if (cnt >= MAX_TYPES) { rf__err_set(RF_ERR_LIMIT, "more than %d distinct nested types", MAX_TYPES); goto unlock; }
        if (!(d = rf_calloc(1, sizeof *d)) || !(d->sub = rf_calloc((size_t)(n ? n : 1), sizeof *d->sub)) ||
            (names && !(d->names = rf_calloc((size_t)(n ? n : 1), sizeof *d->names)))) goto oom;
        d->kind = kind;
        d->depth = depth;
        d->n = n;
        for (int k = 0; k < n; k++) {
            d->sub[k] = sub[k];
            if (names && !(d->names[k] = rf_strdup(names[k]))) goto oom;
        }
        if (!(d->text = make_text(kind, n, sub, d->names))) goto oom;
        table[cnt] = d;
        atomic_store_explicit(&n_table, cnt + 1, memory_order_release);
        out = (rf_type)((unsigned)kind | (unsigned)cnt << 8);
        goto unlock;
    oom:
        if (d) {
            for (int k = 0; d->names && k < n; k++) rf_free(d->names[k]);
            rf_free(d->names);
            rf_free(d->sub);
            rf_free(d);
        }
        rf__err_set(RF_ERR_NOMEM, "out of memory");
    }
unlock:
    pthread_mutex_unlock(&lock);
    return out;
}

rf_type rf_type_array(rf_type elem) { return intern(RF_TYPE_ARRAY, 1, &elem, NULL); }

rf_type rf_type_map(rf_type key, rf_type value)
{
    static const char *const kv[] = { "key", "value" };
    rf_type sub[3] = { key, value, RF_TYPE_NULL };
    if ((sub[2] = rf_type_struct(2, kv, sub)) == RF_TYPE_NULL) return RF_TYPE_NULL;
    return intern(RF_TYPE_MAP, 3, sub, NULL);
}

rf_type rf_type_struct(int n, const char *const *names, const rf_type *types)
{
    static const char *const none[1] = { "" };
    return intern(RF_TYPE_STRUCT, n, types, n ? names : none);
}

rf_type rf_type_elem(rf_type t)
{
    const tdesc *d = desc(t);
    return d && d->kind == RF_TYPE_ARRAY ? d->sub[0] : d && d->kind == RF_TYPE_MAP ? d->sub[2] : RF_TYPE_NULL;
}
rf_type rf_type_map_key(rf_type t) { const tdesc *d = desc(t); return d && d->kind == RF_TYPE_MAP ? d->sub[0] : RF_TYPE_NULL; }
rf_type rf_type_map_value(rf_type t) { const tdesc *d = desc(t); return d && d->kind == RF_TYPE_MAP ? d->sub[1] : RF_TYPE_NULL; }
rf_type rf_type_map_entry(rf_type t) { const tdesc *d = desc(t); return d && d->kind == RF_TYPE_MAP ? d->sub[2] : RF_TYPE_NULL; }
int rf_type_nfields(rf_type t) { const tdesc *d = desc(t); return d && d->kind == RF_TYPE_STRUCT ? d->n : 0; }
rf_type rf_type_field(rf_type t, int i)
{
    const tdesc *d = desc(t);
    return d && d->kind == RF_TYPE_STRUCT && i >= 0 && i < d->n ? d->sub[i] : RF_TYPE_NULL;
}
const char *rf_type_field_name(rf_type t, int i)
{
    const tdesc *d = desc(t);
    return d && d->kind == RF_TYPE_STRUCT && i >= 0 && i < d->n ? d->names[i] : "?";
}
int rf_type_field_index(rf_type t, const char *name)
{
    const tdesc *d = desc(t);
    int found = -1;
    for (int i = 0; d && d->kind == RF_TYPE_STRUCT && i < d->n; i++)
        if (strcasecmp(d->names[i], name) == 0) { if (found >= 0) return -2; found = i; }
    return found;
}

const char *rf_type_name(rf_type t)
{
    static const char *names[] = { "void", "boolean", "int", "bigint", "double", "string", "date", "timestamp" };
    if (rf_type_is_decimal(t)) {
        static _Thread_local char buf[4][24];
        static _Thread_local unsigned turn;
        char *b = buf[turn++ % 4];
        snprintf(b, sizeof buf[0], "decimal(%d,%d)", rf_type_precision(t), rf_type_scale(t));
        return b;
    }
    if (rf_type_is_nested(t)) { const tdesc *d = desc(t); return d ? d->text : "?"; }
    return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "?";
}

/* ---------------------------------------------------------------- parsing */
typedef struct tparse { const char *p; int depth; } tparse;

static void skip_ws(tparse *s) { while (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r') s->p++; }

static bool eat(tparse *s, char c)
{
    skip_ws(s);
    if (*s->p != c) return false;
    s->p++;
    return true;
}

static int parse_primitive(const char *name, rf_type *out)
{
    static const struct { const char *n; rf_type t; } m[] = {
        { "boolean", RF_TYPE_BOOL }, { "bool", RF_TYPE_BOOL }, { "int", RF_TYPE_INT32 },
        { "integer", RF_TYPE_INT32 }, { "bigint", RF_TYPE_INT64 }, { "long", RF_TYPE_INT64 },
        { "double", RF_TYPE_DOUBLE }, { "float", RF_TYPE_DOUBLE }, { "string", RF_TYPE_STRING },
        { "varchar", RF_TYPE_STRING }, { "date", RF_TYPE_DATE }, { "timestamp", RF_TYPE_TIMESTAMP },
        { "smallint", RF_TYPE_INT32 }, { "short", RF_TYPE_INT32 }, { "tinyint", RF_TYPE_INT32 }, { "byte", RF_TYPE_INT32 },
        { "real", RF_TYPE_DOUBLE }, { "char", RF_TYPE_STRING }, { "text", RF_TYPE_STRING }, { "void", RF_TYPE_NULL },
    };
    for (size_t k = 0; k < sizeof m / sizeof m[0]; k++)
        if (strcasecmp(name, m[k].n) == 0) { *out = m[k].t; return RF_OK; }
    return RF_ERR_INVALID;
}

static int parse_type(tparse *s, rf_type *out);
static int parse_word(tparse *s, const char *w, rf_type *out);

/* A word (letters, digits, _) or a `quoted` name (any length), returned-owned; NULL when none. */
static char *word(tparse *s)
{
    rf_buf b = { 0 };
    int rc = RF_OK;
    skip_ws(s);
    if (*s->p == '`') {
        for (s->p++; *s->p && !rc; s->p++) {
            if (*s->p == '`') { if (s->p[1] != '`') break; s->p++; }
            rc = rf_buf_put_u8(&b, (uint8_t)*s->p);
        }
        if (*s->p != '`') rc = RF_ERR_INVALID;
        else s->p++;
    } else {
        while (!rc && ((*s->p >= 'a' && *s->p <= 'z') || (*s->p >= 'A' && *s->p <= 'Z') || (*s->p >= '0' && *s->p <= '9') || *s->p == '_'))
            rc = rf_buf_put_u8(&b, (uint8_t)*s->p++);
        if (!b.len) rc = RF_ERR_INVALID;
    }
    if (!rc) rc = rf_buf_put_u8(&b, 0);
    if (rc) { rf_buf_fini(&b); return NULL; }
    return (char *)b.data;
}

static int parse_type(tparse *s, rf_type *out)
{
    char *w = ++s->depth > MAX_DEPTH + 2 ? NULL : word(s);
    if (!w) return RF_ERR_INVALID;
    int rc = parse_word(s, w, out);
    rf_free(w);
    s->depth--;
    return rc;
}

static int parse_word(tparse *s, const char *w, rf_type *out)
{
    int rc = RF_ERR_INVALID;
    if (strcasecmp(w, "array") == 0) {
        rf_type e;
        if (!eat(s, '<') || parse_type(s, &e) || !eat(s, '>')) return RF_ERR_INVALID;
        *out = rf_type_array(e);
        rc = *out == RF_TYPE_NULL ? RF_ERR_INVALID : RF_OK;
    } else if (strcasecmp(w, "map") == 0) {
        rf_type k, v;
        if (!eat(s, '<') || parse_type(s, &k) || !eat(s, ',') || parse_type(s, &v) || !eat(s, '>')) return RF_ERR_INVALID;
        *out = rf_type_map(k, v);
        rc = *out == RF_TYPE_NULL ? RF_ERR_INVALID : RF_OK;
    } else if (strcasecmp(w, "struct") == 0) {
        int n = 0, cap = 0;
        char **names = NULL;
        rf_type *types = NULL;
        if (!eat(s, '<')) return RF_ERR_INVALID;
        bool ok = true;
        if (!eat(s, '>')) {
            do {
                char *f = word(s);
                rf_type t;
                ok = f != NULL;
                if (ok) (void)eat(s, ':');
                ok = ok && parse_type(s, &t) == RF_OK;
                if (ok && n == cap) {
                    cap = cap ? cap * 2 : 4;
                    char **nn = rf_realloc(names, (size_t)cap * sizeof *nn);
                    if (nn) names = nn;
                    rf_type *nt = nn ? rf_realloc(types, (size_t)cap * sizeof *nt) : NULL;
                    if (nt) types = nt;
                    ok = nn && nt;
                }
                if (ok) { names[n] = f; f = NULL; types[n++] = t; }
                rf_free(f);
            } while (ok && eat(s, ','));
            ok = ok && eat(s, '>');
        }
        if (ok) {
            *out = rf_type_struct(n, (const char *const *)names, types);
            rc = *out == RF_TYPE_NULL ? RF_ERR_INVALID : RF_OK;
        }
        for (int i = 0; i < n; i++) rf_free(names[i]);
        rf_free(names);
        rf_free(types);
    } else if (strncasecmp(w, "decimal", 7) == 0 || strncasecmp(w, "numeric", 7) == 0 || strcasecmp(w, "dec") == 0) {
        /* decimal, decimal(p), decimal(p,s) (Spark's default is decimal(10,0)) */
        long p = 10, sc = 0;
        if (strcasecmp(w, "decimal") && strcasecmp(w, "numeric") && strcasecmp(w, "dec")) return RF_ERR_INVALID;
        if (eat(s, '(')) {
            char *end;
            skip_ws(s);
            p = strtol(s->p, &end, 10);
            if (end == s->p) return RF_ERR_INVALID;
            s->p = end;
            if (eat(s, ',')) {
                skip_ws(s);
                sc = strtol(s->p, &end, 10);
                if (end == s->p) return RF_ERR_INVALID;
                s->p = end;
            }
            if (!eat(s, ')')) return RF_ERR_INVALID;
        }
        if (p < 1 || p > RF_DECIMAL_MAX_PRECISION || sc < 0 || sc > p) return RF_ERR_INVALID;
        *out = rf_type_decimal((int)p, (int)sc);
        rc = RF_OK;
    } else {
        rc = parse_primitive(w, out);
        if (!rc && (strcasecmp(w, "varchar") == 0 || strcasecmp(w, "char") == 0) && eat(s, '(')) {   /* varchar(n) */
            char *end;
            skip_ws(s);
            (void)strtol(s->p, &end, 10);
            s->p = end;
            if (!eat(s, ')')) return RF_ERR_INVALID;
        }
    }
    return rc;
}

int rf_type_parse(const char *name, rf_type *out)
{
    tparse s = { name, 0 };
    rf_type t;
    if (parse_type(&s, &t)) return RF_ERR_INVALID;
    skip_ws(&s);
    if (*s.p) return RF_ERR_INVALID;
    *out = t;
    return RF_OK;
}

/* ---------------------------------------------------------------- wire form */
int rf_buf_put_type(rf_buf *b, rf_type t)
{
    if (!rf_type_is_nested(t)) return rf_buf_put_i32(b, (int32_t)t);
    int rc = rf_buf_put_i32(b, -1);
    return rc ? rc : rf_buf_put_str(b, rf_type_name(t));
}

int rf_rd_type(rf_rd *r, rf_type *out)
{
    int32_t t;
    int rc = rf_rd_i32(r, &t);
    if (rc) return rc;
    if (t != -1) {
        if (!rf_type_valid((rf_type)t) || rf_type_is_nested((rf_type)t)) return rf__err_set(RF_ERR_INVALID, "bad type %d", t);
        *out = (rf_type)t;
        return RF_OK;
    }
    char *s = NULL;
    if ((rc = rf_rd_str(r, &s))) return rc;
    rc = s && rf_type_parse(s, out) == RF_OK ? RF_OK : rf__err_set(RF_ERR_INVALID, "bad type name");
    rf_free(s);
    return rc;
}
