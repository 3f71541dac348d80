/*
 * op_rdd.c — RDD operations: user callbacks (riffle/udf.h) over records, and the conversions around
 * them (plan.h, rf_rddop).
 *
 * Records travel as batches of two string columns (key, value) of encoded values; a NULL key is a
 * record without one. A chain of per-record RDD nodes runs fused in the topmost one's operator: its
 * stages (the nodes, deepest first) pass each record on as it is emitted, and only the last stage
 * appends to output columns, so a flatMap followed by a map copies each word once. A partition
 * function (mapPartitions) is never fused: it pulls the partition's records through rf_next() while
 * it runs, and what it emits is kept (cut into batches) and handed out after it returns, so its
 * output is held in memory.
 */
#include <math.h>
#include <string.h>
#include "exec/exec.h"
#include "expr/udf.h"

typedef struct rdd_op rdd_op;
typedef struct stage {
    const rf_plan  *plan;         /* the RDD node */
    const rf_regfn *f;
    rf_ctx          c;            /* c.op: this stage */
    rdd_op         *s;
    int             idx;
    int64_t         pos;          /* records this stage has taken in this task */
    int64_t         emitted;      /* by the current call */
    rf_val          curkey;       /* FLATMAPVALUES: the key emitted values get */
} stage;

struct rdd_op {
    rf_op          *op;
    rf_op          *src;          /* where input batches come from (below the deepest fused stage) */
    stage          *st;
    int             n_st;         /* stages; st[n_st - 1] is this operator's own node */
    int             ncols;
    rf_column     **out;          /* builders: key, value (, part); TODF: one per field; TOTEXT: text */
    bool            ran, eof;
    rf_blist        held;         /* partition functions' output */
    int64_t         held_i;
    rf_batch       *in;           /* partition functions' input cursor */
    int64_t         in_row;
    int64_t        *offs;         /* PARALLEL: record offsets in the blob */
    int64_t         n_recs;
    rf_buf          tmp;
};

static int64_t cap_rows(const rf_op *op) { return op->ctx && op->ctx->batch_rows > 0 ? op->ctx->batch_rows : 8192; }
static bool part_mode(int m) { return m == RF_RDD_MAPPART || m == RF_RDD_FOREACHPART; }
/* Modes whose input is (key, value) records (not a DataFrame's columns, ids or a join's rows). */
static bool takes_records(int m) { return m != RF_RDD_FROMDF && m != RF_RDD_PARALLEL && m != RF_RDD_PACK; }
/* Modes that may run below another stage: they output (key, value) records, one input row at a time. */
static bool fusable_below(int m)
{
    return m == RF_RDD_MAP || m == RF_RDD_FLATMAP || m == RF_RDD_FILTER || m == RF_RDD_MAPVALUES || m == RF_RDD_FLATMAPVALUES ||
           m == RF_RDD_KEYBY || m == RF_RDD_VALUES || m == RF_RDD_KEYS || m == RF_RDD_FROMDF || m == RF_RDD_PARALLEL ||
           m == RF_RDD_PACK || m == RF_RDD_SAMPLE || m == RF_RDD_ZIPINDEX;
}

static rf_val col_val(const rf_column *c, int64_t i)
{
    if (!rf_column_valid(c, i)) return (rf_val){ NULL, 0 };
    int64_t len;
    const char *p = rf_col_str(c, i, &len);
    return (rf_val){ (const uint8_t *)p, (size_t)len };
}

static int new_out(rdd_op *s)
{
    const rf_schema *sc = s->op->plan->schema;
    for (int k = 0; k < s->ncols; k++) {
        rf_column_release(&s->out[k]);
        RF_TRY_RC(rf_column_create(sc->f[k].type, 256, &s->out[k]));
    }
    return RF_OK;
}

/* The rows built so far as a batch (NULL when none); new builders. */
static int take_out(rdd_op *s, rf_batch **out)
{
    *out = NULL;
    int64_t n = s->out[0]->len;
    if (!n) return RF_OK;
    RF_TRY_RC(rf_batch_create(s->ncols, n, out));
    for (int k = 0; k < s->ncols; k++) { (*out)->cols[k] = s->out[k]; s->out[k] = NULL; }
    return new_out(s);
}

static int put_val(rf_column *c, rf_val v)
{
    return v.n ? rf_column_append_str(c, (const char *)v.p, (int64_t)v.n) : rf_column_append_null(c);
}

static int feed(rdd_op *s, int k, rf_rec r);

/* Stage k made record (key, value): the next stage takes it, or the output when k is the last. */
static int pass(rdd_op *s, int k, rf_val key, rf_val value)
{
    if (k + 1 < s->n_st) return feed(s, k + 1, (rf_rec){ key, value });
    RF_TRY_RC(put_val(s->out[0], key));
    RF_TRY_RC(put_val(s->out[1], value));
    if (part_mode(s->st[k].plan->mode) && s->out[0]->len >= cap_rows(s->op)) {   /* cut the held output into batches */
        rf_batch *b = NULL;
        int rc = take_out(s, &b);
        if (!rc && b) rc = rf_blist_push(&s->held, b);
        return rc;
    }
    return RF_OK;
}

static int emit_hook(rf_ctx *c, rf_val key, rf_val value)
{
    stage *g = c->op;
    int m = g->plan->mode;
    if (m == RF_RDD_FILTER || m == RF_RDD_FOREACH || m == RF_RDD_FOREACHPART)
        return rf_fail(c, "rf_emit: a %s function emits nothing", m == RF_RDD_FILTER ? "filter" : "foreach");
    g->emitted++;
    return pass(g->s, g->idx, m == RF_RDD_FLATMAPVALUES ? g->curkey : key, value);
}

static bool next_hook(rf_ctx *c, rf_rec *out)
{
    stage *g = c->op;
    rdd_op *s = g->s;
    rf__val_engine_reset();   /* the previous record's values are gone */
    while (!s->in || s->in_row >= s->in->nrows) {
        rf_batch_destroy(&s->in);
        s->in_row = 0;
        if (s->eof) return false;
        int rc = rf__op_next(s->src, &s->in);
        if (rc) { c->hook_rc = rc; s->eof = true; return false; }
        if (!s->in) { s->eof = true; return false; }
    }
    out->key = col_val(s->in->cols[0], s->in_row);
    out->value = col_val(s->in->cols[1], s->in_row);
    s->in_row++;
    g->pos++;
    return true;
}

static int stage_init(rdd_op *s, stage *g, const rf_plan *p, int idx)
{
    static const rf_fnkind kind[] = { [RF_RDD_MAP] = RF_FN_MAP, [RF_RDD_FLATMAP] = RF_FN_MAP, [RF_RDD_FILTER] = RF_FN_FILTER,
                                      [RF_RDD_MAPPART] = RF_FN_PARTITIONS, [RF_RDD_MAPVALUES] = RF_FN_VALUE,
                                      [RF_RDD_FLATMAPVALUES] = RF_FN_MAP, [RF_RDD_KEYBY] = RF_FN_VALUE,
                                      [RF_RDD_FOREACH] = RF_FN_MAP, [RF_RDD_FOREACHPART] = RF_FN_PARTITIONS,
                                      [RF_RDD_PARTID] = RF_FN_PARTITIONER };
    g->plan = p;
    g->s = s;
    g->idx = idx;
    const rf_expr *fe = p->n_exprs ? p->exprs[0] : NULL;
    if (p->mode >= 0 && p->mode <= RF_RDD_PARTID && kind[p->mode] && fe && fe->kind == RF_E_LIT && fe->lit.type == RF_TYPE_STRING && !fe->lit.null) {
        char name[160];
        snprintf(name, sizeof name, "%.*s", (int)fe->lit.v.s.len, fe->lit.v.s.p);
        RF_TRY_RC(rf__fn_get(name, kind[p->mode], &g->f));
    }
    rf__ctx_init(&g->c, g->f ? g->f->name : "", s->op->task);
    g->c.op = g;
    g->c.emit = emit_hook;
    if (part_mode(p->mode)) g->c.next = next_hook;
    if (p->mode == RF_RDD_PARALLEL) {   /* index the blob: u32 key length (~0: none), key, u32 value length, value */
        const rf_value *bl = &p->exprs[1]->lit;
        const uint8_t *b = (const uint8_t *)bl->v.s.p, *e = b + bl->v.s.len;
        int64_t cap = 0;
        while (b < e) {
            if (rf__grow((void **)&s->offs, &cap, s->n_recs + 1, sizeof *s->offs)) return rf__err_set(RF_ERR_NOMEM, "out of memory");
            s->offs[s->n_recs++] = b - (const uint8_t *)bl->v.s.p;
            for (int part = 0; part < 2; part++) {
                uint32_t l;
                if (e - b < 4) return rf__err_set(RF_ERR_INVALID, "parallelize: malformed records");
                memcpy(&l, b, 4);
                b += 4;
                if (l != UINT32_MAX) {
                    if ((size_t)(e - b) < l) return rf__err_set(RF_ERR_INVALID, "parallelize: malformed records");
                    b += l;
                }
            }
        }
    }
    return RF_OK;
}

/* Finds the chain of RDD operators below op that run fused in it (deepest first, op's own last). */
static int open_(rf_op *op)
{
    const rf_plan *p = op->plan;
    rdd_op *s = rf_calloc(1, sizeof *s);
    if (!s) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    op->st = s;
    s->op = op;
    s->ncols = p->schema->n;
    if (!(s->out = rf_calloc((size_t)s->ncols + 1, sizeof *s->out))) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    const rf_plan *chain[64];
    int n = 0;
    chain[n++] = p;
    s->src = op->child[0];
    if (!part_mode(p->mode) && takes_records(p->mode))
        while (n < 64 && s->src->vt == &rf__op_rdd_vt && fusable_below(s->src->plan->mode)) {
            chain[n++] = s->src->plan;
            bool more = takes_records(s->src->plan->mode);
            s->src = s->src->child[0];   /* the fused operator is never opened */
            if (!more) break;
        }
    if (!(s->st = rf_calloc((size_t)n, sizeof *s->st))) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    s->n_st = n;
    for (int k = 0; k < n; k++) RF_TRY_RC(stage_init(s, &s->st[k], chain[n - 1 - k], k));
    return new_out(s);
}

static rf_rec blob_rec(const rf_plan *p, int64_t off)
{
    const uint8_t *b = (const uint8_t *)p->exprs[1]->lit.v.s.p + off;
    rf_val v[2];
    for (int part = 0; part < 2; part++) {
        uint32_t l;
        memcpy(&l, b, 4);
        b += 4;
        v[part] = l == UINT32_MAX ? (rf_val){ NULL, 0 } : (rf_val){ b, l };
        if (l != UINT32_MAX) b += l;
    }
    return (rf_rec){ v[0], v[1] };
}

/* A DataFrame value as an RDD value (FROMDF). */
static rf_val df_val(rdd_op *s, const rf_column *c, int64_t i)
{
    if (!rf_column_valid(c, i)) return rf_none();
    switch (rf_type_base(c->type)) {
    case RF_TYPE_BOOL: case RF_TYPE_INT32: case RF_TYPE_INT64: case RF_TYPE_DATE: case RF_TYPE_TIMESTAMP:
        return rf_int(rf_column_get_int(c, i));
    case RF_TYPE_DOUBLE: return rf_double(rf_col_f64(c, i));
    case RF_TYPE_DECIMAL: return rf_double(rf_dec_to_double(rf_col_dec(c, i), rf_type_scale(c->type)));
    case RF_TYPE_STRING: { int64_t l; const char *p = rf_col_str(c, i, &l); return rf_strn(p, (size_t)l); }
    default: {   /* nested: its text */
        bool isnull;
        s->tmp.len = 0;
        if (rf_format_value(c, i, &s->tmp, &isnull)) return (rf_val){ NULL, 0 };
        return rf_strn((const char *)s->tmp.data, s->tmp.len);
    }
    }
}

/* TODF: a record's fields into the schema's columns. */
static int to_df(rdd_op *s, const stage *g, rf_rec r)
{
    const rf_schema *sc = s->op->plan->schema;
    rf_val fld[64];
    int nf = 0;
    if (sc->n > 63) return rf__err_set(RF_ERR_INVALID, "rf_rdd_to_df: at most 63 columns");
    if (r.key.n) fld[nf++] = r.key;
    if (rf_val_kind(r.value) == RF_V_TUPLE && (sc->n > 1 || r.key.n)) {
        size_t pos = 0;
        rf_val e;
        while (nf < 64 && rf_val_next(r.value, &pos, &e)) fld[nf++] = e;
    } else fld[nf++] = r.value;
    if (nf != sc->n)
        return rf__err_set(RF_ERR_INVALID, "rf_rdd_to_df: a record of %d field%s for a schema of %d column%s (rank %d, partition %lld)",
                           nf, nf == 1 ? "" : "s", sc->n, sc->n == 1 ? "" : "s", g->c.rank, (long long)s->op->task);
    for (int k = 0; k < nf; k++) {
        rf_column *c = s->out[k];
        rf_vkind vk = rf_val_kind(fld[k]);
        rf_type t = rf_type_base(sc->f[k].type);
        int rc;
        if (vk == RF_V_NONE) rc = rf_column_append_null(c);
        else if (t == RF_TYPE_STRING) {
            size_t l;
            const char *p = rf_val_str(fld[k], &l);
            if (p) rc = rf_column_append_str(c, p, (int64_t)l);
            else {
                size_t need = rf_val_format(fld[k], NULL, 0);
                if (rf_buf_reserve(&s->tmp, need + 1)) return rf__err_set(RF_ERR_NOMEM, "out of memory");
                rf_val_format(fld[k], (char *)s->tmp.data, need + 1);
                rc = rf_column_append_str(c, (const char *)s->tmp.data, (int64_t)need);
            }
        } else if (t == RF_TYPE_DOUBLE && (vk == RF_V_DOUBLE || vk == RF_V_INT)) rc = rf_column_append_f64(c, rf_val_double(fld[k]));
        else if ((t == RF_TYPE_INT64 || t == RF_TYPE_INT32 || t == RF_TYPE_BOOL || t == RF_TYPE_DATE || t == RF_TYPE_TIMESTAMP) && vk == RF_V_INT) {
            int64_t v = rf_val_int(fld[k]);
            if ((t == RF_TYPE_INT32 || t == RF_TYPE_DATE) && (v < INT32_MIN || v > INT32_MAX))
                return rf__err_set(RF_ERR_INVALID, "rf_rdd_to_df: %lld does not fit column '%s' (%s)", (long long)v, sc->f[k].name, rf_type_name(sc->f[k].type));
            rc = rf_column_append_i64(c, t == RF_TYPE_BOOL ? v != 0 : v);
        } else {
            static const char *kn[] = { [RF_V_INT] = "an int", [RF_V_DOUBLE] = "a double", [RF_V_STR] = "a string",
                                        [RF_V_BYTES] = "bytes", [RF_V_TUPLE] = "a tuple", [RF_V_LIST] = "a list" };
            return rf__err_set(RF_ERR_INVALID, "rf_rdd_to_df: column '%s' is %s but the record holds %s there (rank %d, partition %lld)",
                               sc->f[k].name, rf_type_name(sc->f[k].type), vk <= RF_V_LIST && kn[vk] ? kn[vk] : "?", g->c.rank,
                               (long long)s->op->task);
        }
        if (rc) return rc;
    }
    return RF_OK;
}

static double unit_hash(uint64_t seed, int64_t task, int64_t pos, int k)
{
    uint64_t h = rf_hash_mix(rf_hash_mix(rf_hash_u64(seed ^ 0x5851f42d4c957f2dULL), (uint64_t)task), (uint64_t)pos);
    if (k) h = rf_hash_mix(h, (uint64_t)k);
    return (double)(h >> 11) * (1.0 / 9007199254740992.0);
}

static int call_fail(stage *g, int urc) { return rf__ctx_error(&g->c, urc); }

/* Stage k takes record r (its input is records). */
static int feed(rdd_op *s, int k, rf_rec r)
{
    stage *g = &s->st[k];
    const rf_plan *p = g->plan;
    int urc = 0;
    int64_t pos = g->pos++;
    g->emitted = 0;
    switch (p->mode) {
    case RF_RDD_MAP: case RF_RDD_FLATMAP: case RF_RDD_FOREACH:
        urc = g->f->f.map(&g->c, &r);
        if (!urc && !g->c.hook_rc && p->mode == RF_RDD_MAP && g->emitted != 1)
            return rf__err_set(RF_ERR_INVALID, "function '%s' (map) emitted %lld records for one record on rank %d (map emits exactly one; flatMap any number)",
                               g->f->name, (long long)g->emitted, g->c.rank);
        break;
    case RF_RDD_FLATMAPVALUES: {
        g->curkey = r.key;
        rf_rec v = { { NULL, 0 }, r.value };
        urc = g->f->f.map(&g->c, &v);
        break;
    }
    case RF_RDD_FILTER: {
        bool keep = false;
        urc = g->f->f.filter(&g->c, &r, &keep);
        if (!urc && !g->c.hook_rc && keep) return pass(s, k, r.key, r.value);
        break;
    }
    case RF_RDD_MAPVALUES: case RF_RDD_KEYBY: {
        rf_val o = { NULL, 0 };
        urc = g->f->f.value(&g->c, r.value, &o);
        if (!urc && (!o.n || !rf__val_valid(o.p, o.n))) urc = rf_fail(&g->c, "its result is not a value (build results with rf_int, rf_str, rf_tuple, ...)");
        if (!urc) return p->mode == RF_RDD_MAPVALUES ? pass(s, k, r.key, o) : pass(s, k, o, r.value);
        break;
    }
    case RF_RDD_VALUES: return pass(s, k, (rf_val){ NULL, 0 }, r.value);
    case RF_RDD_KEYS: return pass(s, k, (rf_val){ NULL, 0 }, r.key.n ? r.key : rf_none());
    case RF_RDD_TODF: return to_df(s, g, r);
    case RF_RDD_TOTEXT: {
        size_t nk = r.key.n ? rf_val_format(r.key, NULL, 0) + 1 : 0, nv = rf_val_format(r.value, NULL, 0);
        s->tmp.len = 0;
        if (rf_buf_reserve(&s->tmp, nk + nv + 2)) return rf__err_set(RF_ERR_NOMEM, "out of memory");
        char *t = (char *)s->tmp.data;
        if (nk) { rf_val_format(r.key, t, nk); t[nk - 1] = ','; }
        rf_val_format(r.value, t + nk, nv + 1);
        return rf_column_append_str(s->out[0], t, (int64_t)(nk + nv));
    }
    case RF_RDD_SAMPLE: {
        double frac = p->exprs[1]->lit.v.d;
        bool repl = p->exprs[0]->lit.v.b;
        int64_t times = 0;
        if (!repl) times = unit_hash((uint64_t)p->n, s->op->task, pos, 0) < frac;
        else {   /* Poisson(frac) by Knuth's product of uniforms */
            double l = exp(-frac), prod = unit_hash((uint64_t)p->n, s->op->task, pos, 1);
            while (prod > l && times < 1000000) { times++; prod *= unit_hash((uint64_t)p->n, s->op->task, pos, (int)times + 1); }
        }
        for (int64_t t = 0; t < times; t++) RF_TRY_RC(pass(s, k, r.key, r.value));
        return RF_OK;
    }
    case RF_RDD_ZIPINDEX: {
        const rf_value *bl = &p->exprs[1]->lit;
        int64_t start = 0;
        if ((s->op->task + 1) * 8 <= bl->v.s.len) memcpy(&start, bl->v.s.p + s->op->task * 8, 8);
        rf_val key = r.key.n ? rf_tuple(2, r.key, r.value) : r.value;
        if (!key.n) return rf__err_set(RF_ERR_NOMEM, "out of memory");
        return pass(s, k, key, rf_int(start + pos));
    }
    case RF_RDD_PARTID: {
        int64_t part = 0;
        if (g->f) {
            urc = g->f->f.partitioner(&g->c, r.key.n ? r.key : rf_none(), p->n, &part);
            if (urc) break;
            if (part < 0 || part >= p->n) return rf__err_set(RF_ERR_INVALID, "partitioner '%s' returned partition %lld of %lld on rank %d", g->f->name, (long long)part, (long long)p->n, g->c.rank);
        } else part = (int64_t)(rf_hash_bytes(r.key.p, r.key.n, 0) % (uint64_t)p->n);
        RF_TRY_RC(put_val(s->out[0], r.key));
        RF_TRY_RC(put_val(s->out[1], r.value));
        return rf_column_append_i64(s->out[2], part);
    }
    case RF_RDD_TASKCOUNT: return RF_OK;
    default: return rf__err_set(RF_ERR_INTERNAL, "RDD operation %d", p->mode);
    }
    if (urc || g->c.hook_rc) return call_fail(g, urc ? urc : g->c.hook_rc);
    return RF_OK;
}

/* Row i of an input batch into the first stage: a record, or (FROMDF, PARALLEL, PACK) what the first
 * stage makes of the row. */
static int row_in(rdd_op *s, const rf_batch *in, int64_t i)
{
    stage *g = &s->st[0];
    const rf_plan *p = g->plan;
    switch (p->mode) {
    case RF_RDD_FROMDF: {
        rf_val v;
        if (in->ncols == 1) v = df_val(s, in->cols[0], i);
        else {
            rf_val e[64];
            int n = in->ncols < 64 ? in->ncols : 64;
            for (int k = 0; k < n; k++) e[k] = df_val(s, in->cols[k], i);
            v = rf_tuplev(n, e);
        }
        if (!v.n) return rf__err_set(RF_ERR_NOMEM, "out of memory");
        g->pos++;
        return pass(s, 0, (rf_val){ NULL, 0 }, v);
    }
    case RF_RDD_PARALLEL: {
        int64_t id = rf_column_get_int(in->cols[0], i);
        if (id < 0 || id >= s->n_recs) return rf__err_set(RF_ERR_INTERNAL, "parallelize: record %lld of %lld", (long long)id, (long long)s->n_recs);
        rf_rec pr = blob_rec(p, s->offs[id]);
        g->pos++;
        return pass(s, 0, pr.key, pr.value);
    }
    case RF_RDD_PACK: {
        rf_val lk = col_val(in->cols[0], i), lv = col_val(in->cols[1], i), rk = col_val(in->cols[2], i), rv = col_val(in->cols[3], i);
        static const uint8_t empty_list = RF_V_LIST;
        rf_val miss = p->n == 1 ? (rf_val){ &empty_list, 1 } : rf_none();
        rf_val t = rf_tuple(2, lv.n ? lv : miss, rv.n ? rv : miss);
        if (!t.n) return rf__err_set(RF_ERR_NOMEM, "out of memory");
        g->pos++;
        return pass(s, 0, lk.n ? lk : rk, t);
    }
    default: return feed(s, 0, (rf_rec){ col_val(in->cols[0], i), col_val(in->cols[1], i) });
    }
}

static int run_partition(rdd_op *s)
{
    stage *g = &s->st[0];
    s->ran = true;
    int urc = g->f->f.part(&g->c);
    rf_batch_destroy(&s->in);
    rf__val_engine_reset();
    if (urc || g->c.hook_rc) return call_fail(g, urc ? urc : g->c.hook_rc);
    rf_batch *b = NULL;
    RF_TRY_RC(take_out(s, &b));
    if (b) RF_TRY_RC(rf_blist_push(&s->held, b));
    return RF_OK;
}

static int next(rf_op *op, rf_batch **out)
{
    rdd_op *s = op->st;
    const rf_plan *p = op->plan;
    *out = NULL;
    if (part_mode(p->mode)) {
        if (!s->ran) RF_TRY_RC(run_partition(s));
        if (s->held_i < s->held.n) { *out = s->held.b[s->held_i]; s->held.b[s->held_i++] = NULL; }
        return RF_OK;
    }
    for (;;) {
        rf_batch *in = NULL;
        if (s->eof) return RF_OK;
        RF_TRY_RC(rf__op_next(s->src, &in));
        if (!in) {
            s->eof = true;
            if (p->mode != RF_RDD_TASKCOUNT) return RF_OK;
            RF_TRY_RC(put_val(s->out[0], (rf_val){ NULL, 0 }));
            RF_TRY_RC(put_val(s->out[1], rf_tuple(2, rf_int(op->task), rf_int(s->st[s->n_st - 1].pos))));
            rf__val_engine_reset();
            return take_out(s, out);
        }
        int rc = RF_OK;
        for (int64_t i = 0; i < in->nrows && !rc; i++) {
            rc = row_in(s, in, i);
            if ((i & 255) == 255) rf__val_engine_reset();
        }
        rf__val_engine_reset();
        if (!rc && p->mode != RF_RDD_FOREACH && p->mode != RF_RDD_TASKCOUNT) rc = take_out(s, out);
        rf_batch_destroy(&in);
        if (rc || *out) return rc;
    }
}

static void close_(rf_op *op)
{
    rdd_op *s = op->st;
    if (!s) return;
    for (int k = 0; s->out && k < s->ncols; k++) rf_column_release(&s->out[k]);
    rf_free(s->out);
    rf_free(s->st);
    rf_blist_fini(&s->held);
    rf_batch_destroy(&s->in);
    rf_free(s->offs);
    rf_buf_fini(&s->tmp);
    rf_free(s);
    op->st = NULL;
}

const rf_op_vt rf__op_rdd_vt = { "RDD", open_, next, close_ };
