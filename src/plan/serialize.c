/*
 * serialize.c — the versioned binary plan format broadcast from the driver to the executors.
 *
 * Layout: magic "RFLP", version (int32), then the root node. A node is its kind, id, schema,
 * scalar fields, expression lists and source (if any), then its children. Every decoder read is
 * bounds-checked: a truncated or foreign message fails with RF_ERR_INVALID, never a crash. A
 * version mismatch is reported as such, so a rank running another riffle build says so clearly.
 */
#include <stdlib.h>
#include "plan/plan.h"


int rf__schema_encode(const rf_schema *s, rf_buf *b)
{
    int rc = rf_buf_put_i32(b, s ? s->n : -1);
    for (int i = 0; s && i < s->n && !rc; i++) {
        const rf_field *f = &s->f[i];
        rc = rf_buf_put_str(b, f->name);
        if (!rc) rc = rf_buf_put_str(b, f->qual);
        if (!rc) rc = rf_buf_put_type(b, f->type);
        if (!rc) rc = rf_buf_put_u8(b, f->nullable);
        if (!rc) rc = rf_buf_put_i64(b, f->id);
    }
    return rc;
}

int rf__schema_decode(rf_rd *r, rf_schema **out)
{
    int32_t n;
    rf_type t = RF_TYPE_NULL;
    uint8_t nl;
    int rc;
    *out = NULL;
    if ((rc = rf_rd_i32(r, &n))) return rc;
    if (n < 0) return RF_OK;
    if (n > 100000) return rf__err_set(RF_ERR_INVALID, "plan message: schema with %d columns", n);
    if ((rc = rf_schema_create(n, out))) return rc;
    for (int i = 0; i < n; i++) {
        rf_field *f = &(*out)->f[i];
        RF_TRY(rf_rd_str(r, &f->name));
        RF_TRY(rf_rd_str(r, &f->qual));
        RF_TRY(rf_rd_type(r, &t));
        RF_TRY(rf_rd_u8(r, &nl));
        RF_TRY(rf_rd_i64(r, &f->id));
        RF_CHECK(rf_type_valid((rf_type)t) && f->name, RF_ERR_INVALID, "plan message: bad field");
        f->type = (rf_type)t;
        f->nullable = nl;
    }
    return RF_OK;
done:
    rf_schema_destroy(out);
    return rc;
}

static int value_encode(const rf_value *v, rf_buf *b)
{
    int rc = rf_buf_put_type(b, v->type);
    if (!rc) rc = rf_buf_put_u8(b, v->null);
    if (rc || v->null) return rc;
    switch (rf_type_base(v->type)) {
    case RF_TYPE_DECIMAL: return rf_buf_put(b, &v->v.x, 16);
    case RF_TYPE_STRING:
        rc = rf_buf_put_i64(b, v->v.s.len);
        return rc ? rc : rf_buf_put(b, v->v.s.p, (size_t)v->v.s.len);
    case RF_TYPE_DOUBLE: return rf_buf_put_f64(b, v->v.d);
    case RF_TYPE_BOOL: return rf_buf_put_u8(b, v->v.b);
    default: return rf_buf_put_i64(b, v->v.i);
    }
}

static int value_decode(rf_rd *r, rf_value *v)
{
    rf_type t;
    uint8_t u;
    int rc;
    memset(v, 0, sizeof *v);
    if ((rc = rf_rd_type(r, &t)) || (rc = rf_rd_u8(r, &u))) return rc;
    if (rf_type_is_nested(t) && !u) return rf__err_set(RF_ERR_INVALID, "plan message: bad literal type");   /* only a NULL is nested */
    v->type = (rf_type)t;
    v->null = u;
    if (v->null) return RF_OK;
    switch (rf_type_base(v->type)) {
    case RF_TYPE_DECIMAL: return rf_rd_get(r, &v->v.x, 16);
    case RF_TYPE_STRING: {
        int64_t n;
        if ((rc = rf_rd_i64(r, &n))) return rc;
        if (n < 0 || n > r->end - r->p) return rf__err_set(RF_ERR_INVALID, "plan message: bad string literal");
        v->v.s.p = rf_strndup((const char *)r->p, (size_t)n);
        if (!v->v.s.p) return rf__err_set(RF_ERR_NOMEM, "out of memory");
        v->v.s.len = n;
        r->p += n;
        return RF_OK;
    }
    case RF_TYPE_DOUBLE: return rf_rd_f64(r, &v->v.d);
    case RF_TYPE_BOOL: rc = rf_rd_u8(r, &u); v->v.b = u; return rc;
    default: return rf_rd_i64(r, &v->v.i);
    }
}

int rf__expr_encode(const rf_expr *e, rf_buf *b)
{
    int rc = rf_buf_put_i32(b, (int32_t)e->kind);
    if (!rc) rc = rf_buf_put_type(b, e->type);
    if (!rc) rc = rf_buf_put_i32(b, e->op);
    if (!rc) rc = rf_buf_put_u8(b, (uint8_t)(e->nullable | e->distinct << 1 | e->desc << 2 | e->nulls_first << 3 | e->resolved << 4));
    if (!rc) rc = rf_buf_put_str(b, e->name);
    if (!rc) rc = rf_buf_put_str(b, e->qual);
    if (!rc) rc = rf_buf_put_i64(b, e->attr);
    if (!rc) rc = rf_buf_put_i32(b, e->index);
    if (!rc && e->kind == RF_E_LIT) rc = value_encode(&e->lit, b);
    if (!rc && e->kind == RF_E_WINDOW) {
        rc = rf_buf_put_i32(b, e->n_part);
        if (!rc) rc = rf_buf_put_i32(b, e->n_order);
        if (!rc) rc = rf_buf_put_i32(b, e->frame);
        if (!rc) rc = rf_buf_put_i64(b, e->frame_lo);
        if (!rc) rc = rf_buf_put_i64(b, e->frame_hi);
    }
    if (!rc) rc = rf_buf_put_i32(b, e->n_arg);
    for (int i = 0; i < e->n_arg && !rc; i++) rc = rf__expr_encode(e->arg[i], b);
    return rc;
}

static int expr_decode(rf_rd *r, rf_expr **out, int depth)
{
    int32_t k, op, idx, n;
    rf_type t;
    uint8_t fl;
    int rc;
    rf_expr *e = NULL;
    *out = NULL;
    if (depth > RF_MAX_WIRE_EXPR_DEPTH) return rf__err_set(RF_ERR_INVALID, "plan message: expression nested too deeply");
    if ((rc = rf__stack_check("a plan message"))) return rc;
    if ((rc = rf_rd_i32(r, &k)) || (rc = rf_rd_type(r, &t)) || (rc = rf_rd_i32(r, &op)) || (rc = rf_rd_u8(r, &fl))) return rc;
    if (k < 0 || k >= RF_E_KIND_COUNT_)
        return rf__err_set(RF_ERR_INVALID, "plan message: bad expression kind %d", k);
    if (!(e = rf__expr_new((rf_ekind)k, 0, NULL))) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    e->type = (rf_type)t;
    e->op = op;
    e->nullable = fl & 1; e->distinct = fl >> 1 & 1; e->desc = fl >> 2 & 1; e->nulls_first = fl >> 3 & 1; e->resolved = fl >> 4 & 1;
    RF_TRY(rf_rd_str(r, &e->name));
    RF_TRY(rf_rd_str(r, &e->qual));
    RF_TRY(rf_rd_i64(r, &e->attr));
    RF_TRY(rf_rd_i32(r, &idx));
    e->index = idx;
    if (e->kind == RF_E_LIT) RF_TRY(value_decode(r, &e->lit));
    if (e->kind == RF_E_WINDOW) {
        int32_t np_, no, fr;
        RF_TRY(rf_rd_i32(r, &np_));
        RF_TRY(rf_rd_i32(r, &no));
        RF_TRY(rf_rd_i32(r, &fr));
        RF_TRY(rf_rd_i64(r, &e->frame_lo));
        RF_TRY(rf_rd_i64(r, &e->frame_hi));
        e->n_part = np_;
        e->n_order = no;
        e->frame = fr;
    }
    RF_TRY(rf_rd_i32(r, &n));
    RF_CHECK(n >= 0 && n <= RF_MAX_EXPR_ARGS && e->n_part >= 0 && e->n_order >= 0 && e->n_part + e->n_order <= n, RF_ERR_INVALID, "plan message: bad argument count");
    if (n) {
        RF_CHECK((e->arg = rf_calloc((size_t)n, sizeof *e->arg)) != NULL, RF_ERR_NOMEM, "out of memory");
        for (int i = 0; i < n; i++) {
            RF_TRY(expr_decode(r, &e->arg[i], depth + 1));
            e->n_arg = i + 1;
        }
    }
    *out = e;
    return RF_OK;
done:
    rf_expr_destroy(&e);
    return rc;
}

int rf__expr_decode(rf_rd *r, rf_expr **out) { return expr_decode(r, out, 1); }

static int exprs_encode(rf_expr *const *v, int n, rf_buf *b)
{
    int rc = rf_buf_put_i32(b, n);
    for (int i = 0; i < n && !rc; i++) rc = rf__expr_encode(v[i], b);
    return rc;
}

static int exprs_decode(rf_rd *r, rf_expr ***v, int *n)
{
    int32_t k;
    int rc = rf_rd_i32(r, &k);
    if (rc) return rc;
    if (k < 0 || k > RF_MAX_NODE_EXPRS) return rf__err_set(RF_ERR_INVALID, "plan message: bad expression count");
    if (!k) return RF_OK;
    if (!(*v = rf_calloc((size_t)k, sizeof **v))) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int i = 0; i < k; i++) {
        if ((rc = rf__expr_decode(r, &(*v)[i]))) return rc;
        *n = i + 1;
    }
    return RF_OK;
}

static int source_encode(const rf_source *s, rf_buf *b)
{
    int rc = rf_buf_put_u8(b, s != NULL);
    if (!s || rc) return rc;
    rc = rf_buf_put_i32(b, s->format);
    if (!rc) rc = rf_buf_put_i32(b, s->n_files);
    for (int i = 0; i < s->n_files && !rc; i++) {
        rc = rf_buf_put_str(b, s->files[i]);
        if (!rc) rc = rf_buf_put_i64(b, s->sizes[i]);
    }
    if (!rc) rc = rf__schema_encode(s->file_schema, b);
    if (!rc) rc = rf_buf_put_i32(b, s->n_read);
    for (int i = 0; i < s->n_read && !rc; i++) rc = rf_buf_put_i32(b, s->read[i]);
    if (!rc) rc = rf_buf_put_u8(b, s->header);
    if (!rc) rc = rf_buf_put_u8(b, (uint8_t)s->delim);
    if (!rc) rc = rf_buf_put_u8(b, (uint8_t)s->quote);
    if (!rc) rc = rf_buf_put_str(b, s->null_value);
    if (!rc) rc = rf_buf_put_i32(b, s->mode);
    if (!rc) rc = rf_buf_put_u8(b, s->stream_batch);
    if (!rc) rc = rf_buf_put_i64(b, s->n_splits);
    for (int64_t i = 0; i < s->n_splits && !rc; i++) {
        rc = rf_buf_put_i32(b, s->split_file[i]);
        if (!rc) rc = rf_buf_put_i64(b, s->split_off[i]);
        if (!rc) rc = rf_buf_put_i64(b, s->split_len[i]);
    }
    if (!rc) rc = rf_buf_put_i32(b, s->n_part);
    for (int64_t i = 0; i < (int64_t)s->n_files * s->n_part && !rc; i++) rc = rf_buf_put_str(b, s->part_vals[i]);
    return rc;
}

static int source_decode(rf_rd *r, rf_source **out)
{
    uint8_t has, u;
    int32_t i32;
    int rc = rf_rd_u8(r, &has);
    rf_source *s = NULL;
    *out = NULL;
    if (rc || !has) return rc;
    if (!(s = rf_calloc(1, sizeof *s))) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    RF_TRY(rf_rd_i32(r, &i32));
    s->format = (rf_format)i32;
    RF_TRY(rf_rd_i32(r, &i32));
    RF_CHECK(i32 >= 0 && i32 < 10000000, RF_ERR_INVALID, "plan message: bad file count");
    s->files = rf_calloc((size_t)i32 + 1, sizeof *s->files);
    s->sizes = rf_calloc((size_t)i32 + 1, sizeof *s->sizes);
    RF_CHECK(s->files && s->sizes, RF_ERR_NOMEM, "out of memory");
    for (int i = 0; i < i32; i++) {
        RF_TRY(rf_rd_str(r, &s->files[i]));
        s->n_files = i + 1;
        RF_TRY(rf_rd_i64(r, &s->sizes[i]));
    }
    RF_TRY(rf__schema_decode(r, &s->file_schema));
    RF_TRY(rf_rd_i32(r, &i32));
    RF_CHECK(i32 >= 0 && i32 < 100000, RF_ERR_INVALID, "plan message: bad column count");
    s->n_read = i32;
    RF_CHECK((s->read = rf_calloc((size_t)i32 + 1, sizeof *s->read)) != NULL, RF_ERR_NOMEM, "out of memory");
    for (int i = 0; i < s->n_read; i++) RF_TRY(rf_rd_i32(r, &s->read[i]));
    RF_TRY(rf_rd_u8(r, &u)); s->header = u;
    RF_TRY(rf_rd_u8(r, &u)); s->delim = (char)u;
    RF_TRY(rf_rd_u8(r, &u)); s->quote = (char)u;
    RF_TRY(rf_rd_str(r, &s->null_value));
    RF_TRY(rf_rd_i32(r, &i32)); s->mode = (rf_csvmode)i32;
    RF_TRY(rf_rd_u8(r, &u)); s->stream_batch = u;
    RF_TRY(rf_rd_i64(r, &s->n_splits));
    RF_CHECK(s->n_splits >= 0 && s->n_splits < (int64_t)1 << 40, RF_ERR_INVALID, "plan message: bad split count");
    s->split_file = rf_calloc((size_t)s->n_splits + 1, sizeof *s->split_file);
    s->split_off = rf_calloc((size_t)s->n_splits + 1, sizeof *s->split_off);
    s->split_len = rf_calloc((size_t)s->n_splits + 1, sizeof *s->split_len);
    RF_CHECK(s->split_file && s->split_off && s->split_len, RF_ERR_NOMEM, "out of memory");
    for (int64_t i = 0; i < s->n_splits; i++) {
        RF_TRY(rf_rd_i32(r, &s->split_file[i]));
        RF_TRY(rf_rd_i64(r, &s->split_off[i]));
        RF_TRY(rf_rd_i64(r, &s->split_len[i]));
    }
    RF_TRY(rf_rd_i32(r, &i32));
    RF_CHECK(i32 >= 0 && i32 <= (s->file_schema ? s->file_schema->n : 0), RF_ERR_INVALID, "plan message: bad partition column count");
    s->n_part = i32;
    if (s->n_part) {
        int64_t nv = (int64_t)s->n_files * s->n_part;
        RF_CHECK((s->part_vals = rf_calloc((size_t)nv + 1, sizeof *s->part_vals)) != NULL, RF_ERR_NOMEM, "out of memory");
        for (int64_t i = 0; i < nv; i++) RF_TRY(rf_rd_str(r, &s->part_vals[i]));
    }
    *out = s;
    return RF_OK;
done:
    rf__source_destroy(&s);
    return rc;
}

static int node_encode(const rf_plan *p, rf_buf *b)
{
    int rc = rf_buf_put_i32(b, p->kind);
    if (!rc) rc = rf_buf_put_i32(b, (int32_t)p->id);
    if (!rc) rc = rf__schema_encode(p->schema, b);
    if (!rc) rc = rf_buf_put_i64(b, p->n);
    if (!rc) rc = rf_buf_put_i32(b, p->mode);
    if (!rc) rc = rf_buf_put_f64(b, p->est_bytes);
    if (!rc) rc = rf_buf_put_i64(b, p->rank_offset);
    if (!rc) rc = rf_buf_put_i32(b, p->flags);
    if (!rc) rc = rf_buf_put_i32(b, (int32_t)p->reuses);
    if (!rc) rc = exprs_encode(p->exprs, p->n_exprs, b);
    if (!rc) rc = exprs_encode(p->exprs2, p->n_exprs2, b);
    if (!rc) rc = rf_buf_put_u8(b, p->cond != NULL);
    if (!rc && p->cond) rc = rf__expr_encode(p->cond, b);
    if (!rc) rc = source_encode(p->src, b);
    if (!rc) rc = rf_buf_put_i32(b, p->n_child);
    for (int i = 0; i < p->n_child && !rc; i++) rc = node_encode(p->child[i], b);
    return rc;
}

static int node_decode(rf_rd *r, rf_plan **out, int depth)
{
    int32_t k, id, mode, nc;
    uint8_t has;
    rf_plan *p = NULL;
    int rc;
    *out = NULL;
    if (depth > RF_MAX_PLAN_DEPTH) return rf__err_set(RF_ERR_INVALID, "plan message: plan nested too deeply");
    if ((rc = rf__stack_check("a plan message"))) return rc;
    if ((rc = rf_rd_i32(r, &k)) || (rc = rf_rd_i32(r, &id))) return rc;
    if (k < 0 || k >= RF_NKIND_COUNT_) return rf__err_set(RF_ERR_INVALID, "plan message: bad node kind %d", k);
    if ((rc = rf__plan_new((rf_nkind)k, 0, &p))) return rc;
    p->id = (uint32_t)id;
    RF_TRY(rf__schema_decode(r, &p->schema));
    RF_TRY(rf_rd_i64(r, &p->n));
    RF_TRY(rf_rd_i32(r, &mode));
    p->mode = mode;
    RF_TRY(rf_rd_f64(r, &p->est_bytes));
    RF_TRY(rf_rd_i64(r, &p->rank_offset));
    RF_TRY(rf_rd_i32(r, &mode));
    p->flags = mode;
    RF_TRY(rf_rd_i32(r, &mode));
    p->reuses = (uint32_t)mode;
    RF_TRY(exprs_decode(r, &p->exprs, &p->n_exprs));
    RF_TRY(exprs_decode(r, &p->exprs2, &p->n_exprs2));
    RF_TRY(rf_rd_u8(r, &has));
    if (has) RF_TRY(rf__expr_decode(r, &p->cond));
    RF_TRY(source_decode(r, &p->src));
    RF_TRY(rf_rd_i32(r, &nc));
    RF_CHECK(nc >= 0 && nc <= RF_MAX_PLAN_CHILDREN, RF_ERR_INVALID, "plan message: bad child count");
    if (nc) {
        RF_CHECK((p->child = rf_calloc((size_t)nc, sizeof *p->child)) != NULL, RF_ERR_NOMEM, "out of memory");
        for (int i = 0; i < nc; i++) {
            RF_TRY(node_decode(r, &p->child[i], depth + 1));
            p->n_child = i + 1;
        }
    }
    RF_CHECK(p->schema != NULL, RF_ERR_INVALID, "plan message: node without schema");
    RF_CHECK(p->kind != RF_P_SCAN || p->src, RF_ERR_INVALID, "plan message: scan without source");
    *out = p;
    return RF_OK;
done:
    rf__plan_destroy(&p);
    return rc;
}

int rf__plan_encode(const rf_plan *p, rf_buf *b)
{
    int rc = rf_buf_put_i32(b, (int32_t)RF_PLAN_MAGIC);
    if (!rc) rc = rf_buf_put_i32(b, RF_PLAN_VERSION);
    return rc ? rc : node_encode(p, b);
}

int rf__plan_decode(rf_rd *r, rf_plan **out)
{
    int32_t magic, version;
    int rc;
    *out = NULL;
    if ((rc = rf_rd_i32(r, &magic)) || (rc = rf_rd_i32(r, &version))) return rc;
    if ((uint32_t)magic != RF_PLAN_MAGIC) return rf__err_set(RF_ERR_INVALID, "not a riffle plan message (bad magic)");
    if (version != RF_PLAN_VERSION)
        return rf__err_set(RF_ERR_INVALID, "plan format version %d, this riffle reads version %d: are all ranks running the same riffle build?",
                           version, RF_PLAN_VERSION);
    return node_decode(r, out, 1);
}
