/*
 * udf.c — user functions: the registry by name, the callback context, scalar UDFs, aggregate
 * UDFs and the RDD by-key combiner as aggregate functions (agg.h).
 *
 * Aggregate UDF states are the user's fixed-size bytes, one block of cap x state_size for a table's
 * groups; serialized, each is a string of state_size bytes. The RDD combiner keeps an encoded value
 * per group (in the group's slot when 16 bytes or less, as an int or a double is, else on the heap,
 * reused as it changes); serialized, the value itself.
 */
#include <mpi.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "expr/udf.h"

/* ---------------------------------------------------------------- the registry */
static pthread_mutex_t reg_mu = PTHREAD_MUTEX_INITIALIZER;
static rf_regfn *reg;
static int n_reg, cap_reg;

const char *rf__fnkind_name(rf_fnkind k)
{
    static const char *n[] = { "?", "a map function (rf_register_map)", "a value function (rf_register_value_fn)",
                               "a reduce function (rf_register_reduce)", "a filter (rf_register_filter)",
                               "a partition function (rf_register_partitions)", "a partitioner (rf_register_partitioner)",
                               "a scalar UDF (rf_register_udf)", "an aggregate UDF (rf_register_udaf)" };
    return (unsigned)k <= RF_FN_UDAF ? n[k] : "?";
}

static int my_rank(void)
{
    int init = 0, r = 0;
    MPI_Initialized(&init);
    if (init) MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}

static int put(const char *name, rf_regfn *f)
{
    if (!name || !*name || strlen(name) > 128) return rf__err_set(RF_ERR_INVALID, "a function name must be 1 to 128 characters");
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '.'))
            return rf__err_set(RF_ERR_INVALID, "function name '%s': use letters, digits, '_' and '.' only", name);
    if (!f->f.map && !(f->kind == RF_FN_UDAF)) return rf__err_set(RF_ERR_INVALID, "function '%s': the function pointer is NULL", name);
    int rc = RF_OK;
    pthread_mutex_lock(&reg_mu);
    int i = 0;
    while (i < n_reg && strcasecmp(reg[i].name, name)) i++;
    if (i == n_reg) {
        if (n_reg == cap_reg) {
            int nc = cap_reg ? 2 * cap_reg : 16;
            rf_regfn *v = rf_realloc(reg, (size_t)nc * sizeof *v);
            if (!v) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); goto out; }
            reg = v;
            cap_reg = nc;
        }
        if (!(f->name = rf_strdup(name))) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); goto out; }
        reg[n_reg++] = *f;
    } else {
        f->name = reg[i].name;
        reg[i] = *f;
    }
out:
    pthread_mutex_unlock(&reg_mu);
    return rc;
}

const rf_regfn *rf__fn_find(const char *name)
{
    const rf_regfn *r = NULL;
    if (!name) return NULL;
    pthread_mutex_lock(&reg_mu);
    for (int i = 0; i < n_reg && !r; i++) if (!strcasecmp(reg[i].name, name)) r = &reg[i];
    pthread_mutex_unlock(&reg_mu);
    return r;   /* entries are never removed; a re-registration rewrites one in place (before any job) */
}

int rf__fn_get(const char *name, rf_fnkind kind, const rf_regfn **out)
{
    const rf_regfn *f = rf__fn_find(name);
    *out = NULL;
    if (!f)
        return rf__err_set(RF_ERR_ANALYSIS, "function '%s' is not registered on rank %d (register it with %s on every rank, before rf_session_open)",
                           name ? name : "(null)", my_rank(), rf__fnkind_name(kind));
    if (f->kind != kind)
        return rf__err_set(RF_ERR_ANALYSIS, "function '%s' is %s; this needs %s", name, rf__fnkind_name(f->kind), rf__fnkind_name(kind));
    *out = f;
    return RF_OK;
}

bool rf__name_is_udaf(const char *name)
{
    const rf_regfn *f = rf__fn_find(name);
    return f && f->kind == RF_FN_UDAF;
}

#define REG(fname, K, field, T)                                          \
    int fname(const char *name, T fn)                                    \
    {                                                                    \
        rf_regfn f = { .kind = K };                                      \
        f.f.field = fn;                                                  \
        return put(name, &f);                                            \
    }
REG(rf_register_map, RF_FN_MAP, map, rf_map_fn)
REG(rf_register_value_fn, RF_FN_VALUE, value, rf_value_fn)
REG(rf_register_reduce, RF_FN_REDUCE, reduce, rf_reduce_fn)
REG(rf_register_filter, RF_FN_FILTER, filter, rf_filter_fn)
REG(rf_register_partitions, RF_FN_PARTITIONS, part, rf_partition_fn)
REG(rf_register_partitioner, RF_FN_PARTITIONER, partitioner, rf_partitioner_fn)

static bool udf_type_ok(rf_type t)
{
    return t == RF_TYPE_BOOL || t == RF_TYPE_INT32 || t == RF_TYPE_INT64 || t == RF_TYPE_DOUBLE || t == RF_TYPE_STRING ||
           t == RF_TYPE_DATE || t == RF_TYPE_TIMESTAMP;
}

int rf_register_udf(const char *name, rf_type result, int nargs, const rf_type *arg_types, rf_udf_fn fn)
{
    rf_regfn f = { .kind = RF_FN_UDF, .result = result, .nargs = nargs };
    f.f.udf = fn;
    if (nargs < 0 || nargs > 8 || (nargs && !arg_types)) return rf__err_set(RF_ERR_INVALID, "UDF '%s': 0 to 8 arguments", name ? name : "");
    if (!udf_type_ok(result)) return rf__err_set(RF_ERR_INVALID, "UDF '%s': result type %s is not supported (bool, int, bigint, double, string, date, timestamp)", name ? name : "", rf_type_name(result));
    for (int i = 0; i < nargs; i++) {
        if (!udf_type_ok(arg_types[i])) return rf__err_set(RF_ERR_INVALID, "UDF '%s': argument type %s is not supported", name ? name : "", rf_type_name(arg_types[i]));
        f.args[i] = arg_types[i];
    }
    return put(name, &f);
}

int rf_register_udaf(const char *name, const rf_udaf *def)
{
    if (!def || !def->update || !def->merge || !def->finalize) return rf__err_set(RF_ERR_INVALID, "aggregate UDF '%s': update, merge and finalize are required", name ? name : "");
    if (def->nargs < 1 || def->nargs > 2) return rf__err_set(RF_ERR_INVALID, "aggregate UDF '%s': 1 or 2 arguments", name ? name : "");
    if (def->state_size < 1 || def->state_size > 65536) return rf__err_set(RF_ERR_INVALID, "aggregate UDF '%s': state_size 1 to 65536 bytes", name ? name : "");
    if (!udf_type_ok(def->result)) return rf__err_set(RF_ERR_INVALID, "aggregate UDF '%s': result type %s is not supported", name ? name : "", rf_type_name(def->result));
    for (int i = 0; i < def->nargs; i++)
        if (!udf_type_ok(def->arg_types[i])) return rf__err_set(RF_ERR_INVALID, "aggregate UDF '%s': argument type %s is not supported", name ? name : "", rf_type_name(def->arg_types[i]));
    rf_regfn f = { .kind = RF_FN_UDAF, .result = def->result, .nargs = def->nargs, .udaf = *def };
    for (int i = 0; i < def->nargs; i++) f.args[i] = def->arg_types[i];
    return put(name, &f);
}

/* ---------------------------------------------------------------- the context */
void rf__ctx_init(rf_ctx *c, const char *fn, int64_t task)
{
    memset(c, 0, sizeof *c);
    c->fn = fn;
    c->task = task;
    c->rank = my_rank();
}

int rf_fail(rf_ctx *c, const char *fmt, ...)
{
    if (!c) return RF_ERR_INVALID;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->msg, sizeof c->msg, fmt, ap);
    va_end(ap);
    c->failed = true;
    return RF_ERR_INVALID;
}

int rf__ctx_error(rf_ctx *c, int rc)
{
    if (c->hook_rc && !c->failed) return c->hook_rc;   /* the hook's error is in the slot */
    return rf__err_set(rc == RF_ERR_NOMEM ? RF_ERR_NOMEM : RF_ERR_INVALID, "function '%s' failed on rank %d (partition %lld): %s",
                       c->fn, c->rank, (long long)c->task, c->failed ? c->msg : "it returned an error without a message (rf_fail)");
}

int rf_emit(rf_ctx *c, rf_val value) { return rf_emit_pair(c, (rf_val){ NULL, 0 }, value); }

int rf_emit_pair(rf_ctx *c, rf_val key, rf_val value)
{
    if (!c->emit) return rf_fail(c, "rf_emit called from a function that does not emit records");
    if (!value.n) return rf_fail(c, "rf_emit: an absent value (a builder ran out of memory, or rf_val {0})");
    if (!rf__val_valid(value.p, value.n) || (key.n && !rf__val_valid(key.p, key.n)))
        return rf_fail(c, "rf_emit: bytes that are not a value (build values with rf_int, rf_str, rf_tuple, ...)");
    int rc = c->emit(c, key, value);
    if (rc) c->hook_rc = rc;
    return rc;
}

bool rf_next(rf_ctx *c, rf_rec *out)
{
    if (!c->next) { rf_fail(c, "rf_next called outside a partition function"); return false; }
    return c->next(c, out);
}

int64_t rf_ctx_partition(const rf_ctx *c) { return c->task; }
int rf_ctx_rank(const rf_ctx *c) { return c->rank; }
const char *rf_ctx_function(const rf_ctx *c) { return c->fn; }

/* ---------------------------------------------------------------- UDF output columns */
struct rf_vec_out { rf_column *col; int64_t n, next; const char *fn; };

static int out_to(rf_vec_out *o, int64_t row)
{
    if (row < o->next || row >= o->n)
        return rf__err_set(RF_ERR_INVALID, "UDF '%s': output row %lld set out of order or out of range (rows 0..%lld, in increasing order)",
                           o->fn, (long long)row, (long long)o->n - 1);
    while (o->next < row) { RF_TRY_RC(rf_column_append_null(o->col)); o->next++; }
    o->next++;
    return RF_OK;
}

int rf_out_int(rf_vec_out *o, int64_t row, int64_t v)
{
    int rc = out_to(o, row);
    if (rc) return rc;
    if (o->col->type == RF_TYPE_STRING) return rf__err_set(RF_ERR_INVALID, "UDF '%s': an int for a string result", o->fn);
    return o->col->type == RF_TYPE_DOUBLE ? rf_column_append_f64(o->col, (double)v) : rf_column_append_i64(o->col, v);
}

int rf_out_double(rf_vec_out *o, int64_t row, double v)
{
    int rc = out_to(o, row);
    if (rc) return rc;
    if (o->col->type != RF_TYPE_DOUBLE) return rf__err_set(RF_ERR_INVALID, "UDF '%s': a double for a %s result", o->fn, rf_type_name(o->col->type));
    return rf_column_append_f64(o->col, v);
}

int rf_out_str(rf_vec_out *o, int64_t row, const char *s, size_t len)
{
    int rc = out_to(o, row);
    if (rc) return rc;
    if (o->col->type != RF_TYPE_STRING) return rf__err_set(RF_ERR_INVALID, "UDF '%s': a string for a %s result", o->fn, rf_type_name(o->col->type));
    return rf_column_append_str(o->col, s ? s : "", (int64_t)len);
}

int rf_out_null(rf_vec_out *o, int64_t row)
{
    int rc = out_to(o, row);
    return rc ? rc : rf_column_append_null(o->col);
}

static int out_finish(rf_vec_out *o)
{
    while (o->next < o->n) { RF_TRY_RC(rf_column_append_null(o->col)); o->next++; }
    return RF_OK;
}

/* The public view of column c (not constant). */
static rf_vec vec_of(const rf_column *c, int64_t n)
{
    return (rf_vec){ .type = c->type, .n = n, .valid = c->valid, .data = c->data, .bytes = c->bytes };
}

/* ---------------------------------------------------------------- scalar UDFs */
int rf__udf_type(rf_expr *e)
{
    const rf_regfn *f;
    int rc = rf__fn_get(e->qual, RF_FN_UDF, &f);
    if (rc) return rc;
    if (e->n_arg != f->nargs)
        return rf__err_set(RF_ERR_ANALYSIS, "%s() takes %d argument%s, not %d", f->name, f->nargs, f->nargs == 1 ? "" : "s", e->n_arg);
    for (int i = 0; i < e->n_arg; i++) {
        if (e->arg[i]->type != f->args[i] && e->arg[i]->type != RF_TYPE_NULL && !rf__cast_allowed(e->arg[i]->type, f->args[i]))
            return rf__err_set(RF_ERR_ANALYSIS, "%s(): argument %d is %s, which cannot be cast to %s", f->name, i + 1,
                               rf_type_name(e->arg[i]->type), rf_type_name(f->args[i]));
        if (!(e->arg[i] = rf__expr_cast_to(e->arg[i], f->args[i]))) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    }
    e->type = f->result;
    e->nullable = true;
    return RF_OK;
}

/* Expands the constant columns of a[0..n) to `rows` rows into x (references). */
static int expand_args(rf_column **a, int n, int64_t rows, rf_column **x)
{
    for (int i = 0; i < n; i++) {
        if (a[i]->is_const) RF_TRY_RC(rf_column_expand(a[i], rows, &x[i]));
        else x[i] = rf_column_retain(a[i]);
    }
    return RF_OK;
}

int rf__udf_eval(const rf_expr *e, rf_column **a, int64_t n, rf_column **out)
{
    const rf_regfn *f;
    rf_column *x[8] = { 0 }, *r = NULL;
    rf_vec v[8];
    rf_ctx c;
    int rc = rf__fn_get(e->qual, RF_FN_UDF, &f);
    *out = NULL;
    if (rc) return rc;
    RF_CHECK(e->n_arg == f->nargs, RF_ERR_INVALID, "%s(): registered with %d arguments on rank %d, called with %d", f->name, f->nargs, my_rank(), e->n_arg);
    RF_TRY(expand_args(a, e->n_arg, n, x));
    for (int i = 0; i < e->n_arg; i++) v[i] = vec_of(x[i], n);
    RF_TRY(rf_column_create(e->type, n, &r));
    rf_vec_out o = { r, n, 0, f->name };
    rf__ctx_init(&c, f->name, -1);
    int urc = f->f.udf(&c, e->n_arg, v, &o);
    rf__val_engine_reset();
    if (urc) { rc = rf__ctx_error(&c, urc); goto done; }
    RF_TRY(out_finish(&o));
    *out = r;
    r = NULL;
done:
    for (int i = 0; i < 8; i++) rf_column_release(&x[i]);
    rf_column_release(&r);
    return rc;
}

/* ---------------------------------------------------------------- aggregate UDFs */
int rf__udaf_type(rf_expr *e)
{
    const rf_regfn *f;
    int rc = rf__fn_get(e->qual, RF_FN_UDAF, &f);
    if (rc) return rc;
    if (e->distinct) return rf__err_set(RF_ERR_ANALYSIS, "%s(DISTINCT ...) is not supported for aggregate UDFs", f->name);
    if (e->n_arg != f->nargs)
        return rf__err_set(RF_ERR_ANALYSIS, "%s() takes %d argument%s, not %d", f->name, f->nargs, f->nargs == 1 ? "" : "s", e->n_arg);
    for (int i = 0; i < e->n_arg; i++) {
        if (e->arg[i]->type != f->args[i] && e->arg[i]->type != RF_TYPE_NULL && !rf__cast_allowed(e->arg[i]->type, f->args[i]))
            return rf__err_set(RF_ERR_ANALYSIS, "%s(): argument %d is %s, which cannot be cast to %s", f->name, i + 1,
                               rf_type_name(e->arg[i]->type), rf_type_name(f->args[i]));
        if (!(e->arg[i] = rf__expr_cast_to(e->arg[i], f->args[i]))) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    }
    e->type = f->result;
    e->nullable = true;
    return RF_OK;
}

typedef struct udaf_st { const rf_regfn *f; uint8_t *st; size_t sz; rf_ctx c; } udaf_st;

/* The states live in a->user, made on first use: fini (which a spilling table calls to empty
 * itself, then grows again) frees everything, as the built-ins' fini does. */
static int ua_ensure(rf_aggst *a)
{
    if (a->user) return RF_OK;
    udaf_st *u = rf_calloc(1, sizeof *u);
    if (!u) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    a->user = u;
    a->cap = 0;
    int rc = rf__fn_get(a->call->qual, RF_FN_UDAF, &u->f);
    if (rc) return rc;
    u->sz = u->f->udaf.state_size;
    rf__ctx_init(&u->c, u->f->name, -1);
    return RF_OK;
}

/* Room for groups grows by doubling from 64. */
static int64_t next_cap(int64_t cap, int64_t need)
{
    int64_t nc = cap ? cap : 64;
    while (nc < need) nc *= 2;
    return nc;
}

static int ua_init(rf_aggst *a, const rf_expr *call)
{
    a->call = call;
    return ua_ensure(a);
}

static int ua_grow(rf_aggst *a, int64_t need)
{
    RF_TRY_RC(ua_ensure(a));
    udaf_st *u = a->user;
    if (need <= a->cap) return RF_OK;
    int64_t nc = next_cap(a->cap, need);
    uint8_t *s = rf_realloc(u->st, (size_t)nc * u->sz);
    if (!s) return rf__err_set(RF_ERR_NOMEM, "out of memory for aggregation state");
    u->st = s;
    memset(s + (size_t)a->cap * u->sz, 0, (size_t)(nc - a->cap) * u->sz);
    if (u->f->udaf.init) for (int64_t g = a->cap; g < nc; g++) u->f->udaf.init(s + (size_t)g * u->sz);
    a->cap = nc;
    return RF_OK;
}

static int ua_update(rf_aggst *a, const int64_t *gid, const rf_column *v, int64_t n)
{
    udaf_st *u = a->user;
    rf_column *in[2] = { (rf_column *)v, (rf_column *)a->v2 }, *x[2] = { 0 };
    int na = u->f->nargs, rc;
    void **sp = NULL;
    RF_TRY(expand_args(in, na, n, x));
    rf_vec vv[2];
    for (int i = 0; i < na; i++) vv[i] = vec_of(x[i], n);
    RF_CHECK((sp = rf_malloc((size_t)(n ? n : 1) * sizeof *sp)) != NULL, RF_ERR_NOMEM, "out of memory");
    for (int64_t i = 0; i < n; i++) sp[i] = u->st + (size_t)gid[i] * u->sz;
    int urc = u->f->udaf.update(&u->c, sp, na, vv);
    if (urc) rc = rf__ctx_error(&u->c, urc);
done:
    rf_free(sp);
    rf_column_release(&x[0]);
    rf_column_release(&x[1]);
    return rc;
}

static int ua_merge(rf_aggst *a, const int64_t *gid, rf_column *const *state, int64_t n)
{
    udaf_st *u = a->user;
    for (int64_t i = 0; i < n; i++) {
        int64_t len;
        const char *s = rf_col_str(state[0], i, &len);
        if (!rf_column_valid(state[0], i)) continue;
        if ((size_t)len != u->sz) return rf__err_set(RF_ERR_INVALID, "aggregate UDF '%s': a state of %lld bytes, not %zu (registered differently on another rank?)", u->f->name, (long long)len, u->sz);
        int urc = u->f->udaf.merge(&u->c, u->st + (size_t)gid[i] * u->sz, s);
        if (urc) return rf__ctx_error(&u->c, urc);
    }
    return RF_OK;
}

static int ua_serialize(const rf_aggst *a, int64_t ng, rf_column **state)
{
    RF_TRY_RC(ua_ensure((rf_aggst *)a));
    const udaf_st *u = a->user;
    RF_TRY_RC(rf_column_create(RF_TYPE_STRING, ng, &state[0]));
    RF_TRY_RC(rf_column_reserve(state[0], ng, ng * (int64_t)u->sz));
    for (int64_t g = 0; g < ng; g++) RF_TRY_RC(rf_column_append_str(state[0], (const char *)u->st + (size_t)g * u->sz, (int64_t)u->sz));
    return RF_OK;
}

static int ua_finalize(const rf_aggst *a, int64_t ng, rf_column **out)
{
    RF_TRY_RC(ua_ensure((rf_aggst *)a));
    udaf_st *u = a->user;
    RF_TRY_RC(rf_column_create(a->call->type, ng, out));
    rf_vec_out o = { *out, ng, 0, u->f->name };
    for (int64_t g = 0; g < ng; g++) {
        int urc = u->f->udaf.finalize(&u->c, u->st + (size_t)g * u->sz, &o, g);
        if (urc) return rf__ctx_error(&u->c, urc);
        if (o.next == g) RF_TRY_RC(rf_out_null(&o, g));   /* finalize wrote nothing: NULL */
    }
    rf__val_engine_reset();
    return out_finish(&o);
}

static int64_t ua_bytes(const rf_aggst *a) { const udaf_st *u = a->user; return u ? a->cap * (int64_t)u->sz : 0; }

static void ua_fini(rf_aggst *a)
{
    udaf_st *u = a->user;
    if (u) rf_free(u->st);
    rf_free(u);
    a->user = NULL;
    a->cap = 0;
}

static const rf_aggfn udaf_fn = { "udaf", ua_init, ua_grow, ua_update, ua_merge, ua_serialize, ua_finalize, ua_bytes, ua_fini };

/* ---------------------------------------------------------------- the RDD combiner */
int rf__rdd_agg_type(rf_expr *e)
{
    if (!e->qual || strlen(e->qual) < 2 || e->qual[1] != ':' || e->n_arg < 1)
        return rf__err_set(RF_ERR_INTERNAL, "malformed RDD combiner call");
    e->arg[0] = rf__expr_cast_to(e->arg[0], RF_TYPE_STRING);
    if (!e->arg[0]) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    e->type = RF_TYPE_STRING;
    e->nullable = true;
    return RF_OK;
}

/* A group's value: in inl while cap is 0 (at most 16 bytes), else in heap. */
typedef struct gval { uint8_t *heap; uint32_t len, cap; uint8_t inl[16]; } gval;
static inline uint8_t *gdata(gval *g) { return g->cap ? g->heap : g->inl; }

typedef struct rdd_st {
    char          mode;
    const rf_regfn *f[3];
    rf_val        zero;
    gval         *g;          /* per group: its encoded value (len 0: none yet) */
    rf_buf        one;        /* groupByKey: a value as a list element */
    int64_t       bytes;
    rf_ctx        c;
} rdd_st;

static int rd_ensure(rf_aggst *a)   /* as ua_ensure */
{
    if (a->user) return RF_OK;
    const rf_expr *call = a->call;
    rdd_st *u = rf_calloc(1, sizeof *u);
    if (!u) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    a->user = u;
    a->cap = 0;
    u->mode = call->qual[0];
    char names[3][132] = { "", "", "" };
    const char *p = call->qual + 2;
    for (int k = 0; k < 3 && *p; k++) {
        size_t l = strcspn(p, ":");
        if (l >= sizeof names[k]) return rf__err_set(RF_ERR_INTERNAL, "malformed RDD combiner call");
        memcpy(names[k], p, l);
        names[k][l] = '\0';
        p += l + (p[l] == ':');
    }
    static const rf_fnkind kinds[][3] = { ['r' - 'a'] = { RF_FN_REDUCE }, ['f' - 'a'] = { RF_FN_REDUCE, RF_FN_REDUCE },
                                          ['c' - 'a'] = { RF_FN_VALUE, RF_FN_REDUCE, RF_FN_REDUCE } };
    if (u->mode != 'r' && u->mode != 'f' && u->mode != 'c' && u->mode != 'l') return rf__err_set(RF_ERR_INTERNAL, "malformed RDD combiner call");
    for (int k = 0; k < 3 && u->mode != 'l'; k++)
        if (kinds[u->mode - 'a'][k]) RF_TRY_RC(rf__fn_get(names[k], kinds[u->mode - 'a'][k], &u->f[k]));
    if (call->n_arg > 1 && call->arg[1]->kind == RF_E_LIT && !call->arg[1]->lit.null)
        u->zero = (rf_val){ (const uint8_t *)call->arg[1]->lit.v.s.p, (size_t)call->arg[1]->lit.v.s.len };
    rf__ctx_init(&u->c, u->f[0] ? u->f[0]->name : "groupByKey", -1);
    return RF_OK;
}

static int rd_init(rf_aggst *a, const rf_expr *call)
{
    a->call = call;
    return rd_ensure(a);
}

static int rd_grow(rf_aggst *a, int64_t need)
{
    RF_TRY_RC(rd_ensure(a));
    rdd_st *u = a->user;
    if (need <= a->cap) return RF_OK;
    int64_t nc = next_cap(a->cap, need);
    gval *g = rf_realloc(u->g, (size_t)nc * sizeof *g);
    if (!g) return rf__err_set(RF_ERR_NOMEM, "out of memory for aggregation state");
    memset(g + a->cap, 0, (size_t)(nc - a->cap) * sizeof *g);
    u->g = g;
    a->cap = nc;
    return RF_OK;
}

/* Sets group g's value to v (which may point into g itself). */
/* Room for `need` bytes in g (moved to the heap when past the slot), keeping its value. */
static int greserve(rdd_st *u, gval *g, size_t need)
{
    size_t room = g->cap ? g->cap : sizeof g->inl;
    if (need <= room) return RF_OK;
    if (need > UINT32_MAX / 2) return rf__err_set(RF_ERR_LIMIT, "function '%s': a value of 2 GB or more", u->c.fn);
    size_t nc = need + need / 2 + 8;
    uint8_t *d = rf_malloc(nc);
    if (!d) return rf__err_set(RF_ERR_NOMEM, "out of memory for aggregation state");
    memcpy(d, gdata(g), g->len);
    rf_free(g->heap);
    u->bytes += (int64_t)nc - (int64_t)g->cap;
    g->heap = d;
    g->cap = (uint32_t)nc;
    return RF_OK;
}

/* Sets group g's value to v (which may point into g itself). */
static int set_val(rdd_st *u, gval *g, rf_val v)
{
    if (!v.n || !rf__val_valid(v.p, v.n)) return rf__err_set(RF_ERR_INVALID, "function '%s' on rank %d: its result is not a value (build results with rf_int, rf_str, rf_tuple, ...)", u->c.fn, u->c.rank);
    uint8_t *d = gdata(g);
    if (v.p == d) { g->len = (uint32_t)v.n; return RF_OK; }
    if (v.n > (g->cap ? g->cap : sizeof g->inl)) {   /* v never lies in g's too small storage */
        g->len = 0;
        RF_TRY_RC(greserve(u, g, v.n));
        d = gdata(g);
    }
    memmove(d, v.p, v.n);
    g->len = (uint32_t)v.n;
    return RF_OK;
}

/* Appends n bytes to g's value. */
static int gappend(rdd_st *u, gval *g, const void *p, size_t n)
{
    RF_TRY_RC(greserve(u, g, g->len + n));
    memcpy(gdata(g) + g->len, p, n);
    g->len += (uint32_t)n;
    return RF_OK;
}

static int call2(rdd_st *u, const rf_regfn *f, rf_val a, rf_val b, rf_val *out)
{
    u->c.fn = f->name;
    int urc = f->f.reduce(&u->c, a, b, out);
    return urc ? rf__ctx_error(&u->c, urc) : RF_OK;
}

/* Folds value v (an input value when raw, else a partial state) into group g. */
static int fold(rdd_st *u, gval *g, rf_val v, bool raw)
{
    rf_val cur = { gdata(g), g->len }, r = { NULL, 0 };
    if (u->mode == 'l') {
        if (!raw) return g->len ? gappend(u, g, v.p + 1, v.n - 1) : set_val(u, g, v);   /* lists concatenate: v's elements after the tag */
        u->one.len = 0;   /* v as a list element (a one-element list) */
        if (rf__val_list_append(&u->one, v)) return rf__err_set(RF_ERR_NOMEM, "out of memory for aggregation state");
        return g->len ? gappend(u, g, u->one.data + 1, u->one.len - 1) : gappend(u, g, u->one.data, u->one.len);
    }
    if (!g->len) {
        if (!raw || u->mode == 'r') return set_val(u, g, v);
        if (u->mode == 'f') RF_TRY_RC(call2(u, u->f[0], u->zero, v, &r));
        else {
            u->c.fn = u->f[0]->name;
            int urc = u->f[0]->f.value(&u->c, v, &r);
            if (urc) return rf__ctx_error(&u->c, urc);
        }
        return set_val(u, g, r);
    }
    const rf_regfn *f = u->mode == 'r' ? u->f[0] : u->mode == 'f' ? u->f[raw ? 0 : 1] : u->f[raw ? 1 : 2];
    RF_TRY_RC(call2(u, f, cur, v, &r));
    return set_val(u, g, r);
}

static int rd_add(rf_aggst *a, const int64_t *gid, const rf_column *v, int64_t n, bool raw)
{
    rdd_st *u = a->user;
    int rc = RF_OK;
    for (int64_t i = 0; i < n && !rc; i++) {
        if (!rf_column_valid(v, i)) continue;
        int64_t len;
        const char *s = rf_col_str(v, i, &len);
        rc = fold(u, &u->g[gid[i]], (rf_val){ (const uint8_t *)s, (size_t)len }, raw);
        if ((i & 1023) == 1023) rf__val_engine_reset();
    }
    rf__val_engine_reset();
    return rc;
}

static int rd_update(rf_aggst *a, const int64_t *gid, const rf_column *v, int64_t n) { return rd_add(a, gid, v, n, true); }
static int rd_merge(rf_aggst *a, const int64_t *gid, rf_column *const *state, int64_t n) { return rd_add(a, gid, state[0], n, false); }

static int rd_serialize(const rf_aggst *a, int64_t ng, rf_column **state)
{
    RF_TRY_RC(rd_ensure((rf_aggst *)a));
    const rdd_st *u = a->user;
    RF_TRY_RC(rf_column_create(RF_TYPE_STRING, ng, &state[0]));
    for (int64_t g = 0; g < ng; g++) {
        if (u->g[g].len) RF_TRY_RC(rf_column_append_str(state[0], (const char *)gdata(&u->g[g]), (int64_t)u->g[g].len));
        else RF_TRY_RC(rf_column_append_null(state[0]));
    }
    return RF_OK;
}

static int rd_finalize(const rf_aggst *a, int64_t ng, rf_column **out)
{
    RF_TRY_RC(rd_ensure((rf_aggst *)a));
    const rdd_st *u = a->user;
    if (u->mode == 'f' && u->zero.n) {   /* fold / aggregate over no values: the zero value */
        RF_TRY_RC(rf_column_create(RF_TYPE_STRING, ng, out));
        for (int64_t g = 0; g < ng; g++) {
            rf_val v = u->g[g].len ? (rf_val){ gdata(&u->g[g]), u->g[g].len } : u->zero;
            RF_TRY_RC(rf_column_append_str(*out, (const char *)v.p, (int64_t)v.n));
        }
        return RF_OK;
    }
    return rd_serialize(a, ng, out);
}

static int64_t rd_bytes(const rf_aggst *a) { const rdd_st *u = a->user; return u ? a->cap * (int64_t)sizeof(gval) + u->bytes : 0; }

static void rd_fini(rf_aggst *a)
{
    rdd_st *u = a->user;
    if (u) for (int64_t g = 0; g < a->cap; g++) rf_free(u->g[g].heap);
    if (u) rf_free(u->g);
    if (u) rf_buf_fini(&u->one);
    rf_free(u);
    a->user = NULL;
    a->cap = 0;
}

static const rf_aggfn rdd_fn = { "rdd_combine", rd_init, rd_grow, rd_update, rd_merge, rd_serialize, rd_finalize, rd_bytes, rd_fini };

const rf_aggfn *rf__udf_aggfn(const rf_expr *call)
{
    return call->op == RF_A_UDAF ? &udaf_fn : call->op == RF_A_RDD ? &rdd_fn : NULL;
}

/* ---------------------------------------------------------------- the engine's own functions */
static int b_one(rf_ctx *c, rf_val v, rf_val *out) { (void)c; (void)v; *out = rf_int(1); return 0; }
static int b_inc(rf_ctx *c, rf_val a, rf_val b, rf_val *out) { (void)c; (void)b; *out = rf_int(rf_val_int(a) + 1); return 0; }
static int b_add(rf_ctx *c, rf_val a, rf_val b, rf_val *out)
{
    (void)c;
    *out = rf_val_kind(a) == RF_V_DOUBLE || rf_val_kind(b) == RF_V_DOUBLE ? rf_double(rf_val_double(a) + rf_val_double(b))
                                                                           : rf_int((int64_t)((uint64_t)rf_val_int(a) + (uint64_t)rf_val_int(b)));
    return 0;
}

void rf__udf_builtins(void)
{
    if (rf__fn_find("__rf_add")) return;
    rf_register_value_fn("__rf_one", b_one);
    rf_register_reduce("__rf_inc", b_inc);
    rf_register_reduce("__rf_add", b_add);
}
