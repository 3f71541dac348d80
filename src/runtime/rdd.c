/*
 * rdd.c — the RDD API (riffle/rdd.h) on the driver: each transformation is a plan over a DataFrame
 * of (key STRING, value STRING) encoded records (an rf_rdd is that rf_df), built from RDD nodes
 * (exec/op_rdd.c) and the DataFrame operators: by-key combining is an aggregation with the RDD
 * combiner (expr/udf.c), sorting a sort on the key's bytes (which sort as the values do), joins
 * joins on the key, then packed into (k, (v, w)).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "runtime/runtime.h"
#include "expr/udf.h"
#include "io/format.h"

#define DF(r) ((rf_df *)(r))
#define RDD(d) ((rf_rdd *)(d))

static rf_schema *kv_schema(rf_session *s, int extra)
{
    rf_schema *sc = NULL;
    if (rf_schema_create(2 + extra, &sc)) return NULL;
    static const char *nm[] = { "key", "value", "part" };
    for (int i = 0; i < 2 + extra; i++) {
        sc->f[i] = (rf_field){ .name = rf_strdup(nm[i]), .type = i < 2 ? RF_TYPE_STRING : RF_TYPE_INT64, .nullable = i == 0, .id = s->next_attr++ };
        if (!sc->f[i].name) { rf_schema_destroy(&sc); return NULL; }
    }
    return sc;
}

/* A literal expression, resolved. */
static rf_expr *lit_bytes(const void *p, size_t n)
{
    rf_value v = { .type = RF_TYPE_STRING, .v.s = { (char *)p, (int64_t)n } };
    return rf__expr_lit(&v);
}
static rf_expr *lit_name(const char *fn) { return fn ? lit_bytes(fn, strlen(fn)) : rf_lit_null(); }

/* An RDD node `op` over in; fn (of kind) checked here on the driver; exprs [a0 or fn's name, arg]
 * (consumed). schema NULL: (key, value). */
static rf_df *node2(rf_df *in, rf_rddop op, const char *fn, rf_fnkind kind, rf_expr *a0, rf_expr *arg, int64_t n, rf_schema *schema)
{
    rf_plan *p = NULL;
    const rf_regfn *f;
    int rc = RF_OK;
    if (!in) { rf_expr_destroy(&a0); rf_expr_destroy(&arg); rf_schema_destroy(&schema); return NULL; }
    if (in->err) {
        rf_expr_destroy(&a0);
        rf_expr_destroy(&arg);
        rf_schema_destroy(&schema);
        rf__err_set(in->err, "%s", in->msg);
        return rf__df_fail(in->s, in->err);
    }
    if (kind) RF_TRY(fn ? rf__fn_get(fn, kind, &f) : rf__err_set(RF_ERR_INVALID, "no function name given (NULL)"));
    RF_TRY(rf__df_unary(RF_L_RDD, in, &p));
    p->mode = op;
    p->n = n;
    if (!schema) RF_CHECK((schema = kv_schema(in->s, op == RF_RDD_PARTID)) != NULL, RF_ERR_NOMEM, "out of memory");
    p->schema = schema;
    schema = NULL;
    RF_CHECK((p->exprs = rf_calloc(2, sizeof *p->exprs)) != NULL, RF_ERR_NOMEM, "out of memory");
    p->n_exprs = 2;
    p->exprs[0] = a0 ? a0 : lit_name(kind ? fn : NULL);
    p->exprs[1] = arg;
    a0 = arg = NULL;
    for (int i = 0; i < 2; i++) {
        if (!p->exprs[i]) p->exprs[i] = rf_lit_null();
        RF_CHECK(p->exprs[i] != NULL, RF_ERR_NOMEM, "out of memory");
        RF_TRY(rf__expr_resolve(p->exprs[i], p->child[0]->schema, false));
    }
    return rf__df_make(in->s, p, RF_OK);
done:
    rf_expr_destroy(&a0);
    rf_expr_destroy(&arg);
    rf_schema_destroy(&schema);
    rf__plan_destroy(&p);
    return rf__df_fail(in->s, rc);
}

static rf_df *node(rf_df *in, rf_rddop op, const char *fn, rf_fnkind kind, rf_expr *arg, int64_t n, rf_schema *schema)
{
    return node2(in, op, fn, kind, NULL, arg, n, schema);
}

/* ---------------------------------------------------------------- creating */
rf_rdd *rf_df_rdd(rf_df *df) { return RDD(node(df, RF_RDD_FROMDF, NULL, 0, NULL, 0, NULL)); }

rf_rdd *rf_text_file(rf_session *s, const char *path) { return rf_df_rdd(rf_read_text(s, path)); }

rf_rdd *rf_parallelize(rf_session *s, int64_t n, const rf_rec *recs, int num_slices)
{
    rf_buf b = { 0 };
    int rc = RF_OK;
    if (!s) return NULL;
    RF_CHECK(n >= 0 && (n == 0 || recs), RF_ERR_INVALID, "parallelize: %lld records at %p", (long long)n, (const void *)recs);
    RF_CHECK(num_slices >= 0 && num_slices <= 1000000, RF_ERR_INVALID, "parallelize: %d slices (0 to 1000000; 0: one per rank)", num_slices);
    for (int64_t i = 0; i < n; i++) {
        rf_val part[2] = { recs[i].key, recs[i].value };
        for (int k = 0; k < 2; k++) {
            RF_CHECK(k == 0 || part[k].n, RF_ERR_INVALID, "parallelize: record %lld has no value", (long long)i);
            RF_CHECK(!part[k].n || rf__val_valid(part[k].p, part[k].n), RF_ERR_INVALID,
                     "parallelize: record %lld: its %s is not a value (build values with rf_int, rf_str, rf_tuple, ...)", (long long)i, k ? "value" : "key");
            RF_CHECK(part[k].n < UINT32_MAX, RF_ERR_LIMIT, "parallelize: record %lld is 4 GB or more", (long long)i);
            uint32_t l = part[k].n ? (uint32_t)part[k].n : UINT32_MAX;
            RF_CHECK(!rf_buf_put(&b, &l, 4) && !rf_buf_put(&b, part[k].p, part[k].n), RF_ERR_NOMEM, "out of memory");
        }
    }
    rf_df *ids = rf_range(s, 0, n, 1, num_slices ? num_slices : rf_session_nranks(s));
    rf_df *d = node(ids, RF_RDD_PARALLEL, NULL, 0, lit_bytes(b.data ? (const char *)b.data : "", b.len), 0, NULL);
    rf_buf_fini(&b);
    return RDD(d);
done:
    rf_buf_fini(&b);
    return RDD(rf__df_fail(s, rc));
}

rf_df *rf_rdd_to_df(rf_rdd *r, const char *schema)
{
    rf_schema *sc = NULL;
    if (!r) return NULL;
    if (!DF(r)->err) {
        int rc = schema ? rf__parse_schema_spec(schema, &sc) : rf__err_set(RF_ERR_INVALID, "rf_rdd_to_df: no schema given");
        if (rc) return rf__df_fail(DF(r)->s, rc);
        for (int i = 0; i < sc->n; i++) {
            sc->f[i].id = DF(r)->s->next_attr++;
            rf_type t = rf_type_base(sc->f[i].type);
            if (t != RF_TYPE_STRING && t != RF_TYPE_INT64 && t != RF_TYPE_INT32 && t != RF_TYPE_DOUBLE && t != RF_TYPE_BOOL &&
                t != RF_TYPE_DATE && t != RF_TYPE_TIMESTAMP) {
                rf__err_set(RF_ERR_INVALID, "rf_rdd_to_df: column '%s': type %s is not supported (string, int, bigint, double, boolean, date, timestamp)",
                            sc->f[i].name, rf_type_name(sc->f[i].type));
                rf_schema_destroy(&sc);
                return rf__df_fail(DF(r)->s, RF_ERR_INVALID);
            }
        }
    }
    return node(DF(r), RF_RDD_TODF, NULL, 0, NULL, 0, sc);
}

/* ---------------------------------------------------------------- narrow transformations */
rf_rdd *rf_rdd_map(rf_rdd *r, const char *fn) { return RDD(node(DF(r), RF_RDD_MAP, fn, RF_FN_MAP, NULL, 0, NULL)); }
rf_rdd *rf_rdd_flat_map(rf_rdd *r, const char *fn) { return RDD(node(DF(r), RF_RDD_FLATMAP, fn, RF_FN_MAP, NULL, 0, NULL)); }
rf_rdd *rf_rdd_filter(rf_rdd *r, const char *fn) { return RDD(node(DF(r), RF_RDD_FILTER, fn, RF_FN_FILTER, NULL, 0, NULL)); }
rf_rdd *rf_rdd_map_partitions(rf_rdd *r, const char *fn) { return RDD(node(DF(r), RF_RDD_MAPPART, fn, RF_FN_PARTITIONS, NULL, 0, NULL)); }
rf_rdd *rf_rdd_map_values(rf_rdd *r, const char *fn) { return RDD(node(DF(r), RF_RDD_MAPVALUES, fn, RF_FN_VALUE, NULL, 0, NULL)); }
rf_rdd *rf_rdd_flat_map_values(rf_rdd *r, const char *fn) { return RDD(node(DF(r), RF_RDD_FLATMAPVALUES, fn, RF_FN_MAP, NULL, 0, NULL)); }
rf_rdd *rf_rdd_key_by(rf_rdd *r, const char *fn) { return RDD(node(DF(r), RF_RDD_KEYBY, fn, RF_FN_VALUE, NULL, 0, NULL)); }
rf_rdd *rf_rdd_values(rf_rdd *r) { return RDD(node(DF(r), RF_RDD_VALUES, NULL, 0, NULL, 0, NULL)); }
rf_rdd *rf_rdd_keys(rf_rdd *r) { return RDD(node(DF(r), RF_RDD_KEYS, NULL, 0, NULL, 0, NULL)); }
rf_rdd *rf_rdd_union(rf_rdd *a, rf_rdd *b) { return RDD(rf_df_union_all(DF(a), DF(b))); }

rf_rdd *rf_rdd_sample(rf_rdd *r, bool with_replacement, double fraction, uint64_t seed)
{
    if (!r) return NULL;
    if (!DF(r)->err && !(fraction >= 0 && (with_replacement || fraction <= 1))) {
        rf__err_set(RF_ERR_INVALID, "sample: fraction %g must be in [0, 1] without replacement, >= 0 with", fraction);
        return RDD(rf__df_fail(DF(r)->s, RF_ERR_INVALID));
    }
    return RDD(node2(DF(r), RF_RDD_SAMPLE, NULL, 0, rf_lit_bool(with_replacement), rf_lit_double(fraction), (int64_t)seed, NULL));
}

/* ---------------------------------------------------------------- by key */
/* The RDD combiner call over the value column: qual "mode:f1:f2:f3", arg[1] the zero value. */
static rf_expr *combiner(char mode, const char *f1, const char *f2, const char *f3, rf_val zero)
{
    rf_buf q = { 0 };
    if (rf_buf_printf(&q, "%c:%s:%s:%s", mode, f1 ? f1 : "", f2 ? f2 : "", f3 ? f3 : "") || rf_buf_put_u8(&q, 0)) { rf_buf_fini(&q); return NULL; }
    rf_expr *args[2] = { rf_col("value"), zero.n ? lit_bytes(zero.p, zero.n) : rf_lit_null() };
    rf_expr *e = args[0] && args[1] ? rf__expr_new(RF_E_AGG, 2, args) : NULL;
    if (!e) { rf_expr_destroy(&args[0]); rf_expr_destroy(&args[1]); rf_buf_fini(&q); return NULL; }
    e->op = RF_A_RDD;
    e->qual = (char *)q.data;
    return rf_as(e, "value");
}

/* Checks the functions a combiner names (driver side: the error comes at the transformation). */
static int check_fns(char mode, const char *f1, const char *f2, const char *f3)
{
    const rf_regfn *f;
    switch (mode) {
    case 'r': return rf__fn_get(f1, RF_FN_REDUCE, &f);
    case 'f': { int rc = rf__fn_get(f1, RF_FN_REDUCE, &f); return rc ? rc : rf__fn_get(f2, RF_FN_REDUCE, &f); }
    case 'c': {
        int rc = rf__fn_get(f1, RF_FN_VALUE, &f);
        if (!rc) rc = rf__fn_get(f2, RF_FN_REDUCE, &f);
        return rc ? rc : rf__fn_get(f3, RF_FN_REDUCE, &f);
    }
    default: return RF_OK;
    }
}

/* groupBy(key).agg(combiner) in num_partitions partitions (0: the default). keyed false: one group. */
static rf_df *combine(rf_df *in, bool keyed, char mode, const char *f1, const char *f2, const char *f3, rf_val zero, int num_partitions)
{
    if (!in) return NULL;
    if (in->err) { rf__err_set(in->err, "%s", in->msg); return rf__df_fail(in->s, in->err); }
    int rc = check_fns(mode, f1, f2, f3);
    if (!rc && (num_partitions < 0 || num_partitions > 1000000)) rc = rf__err_set(RF_ERR_INVALID, "%d partitions (0 to 1000000; 0: the default)", num_partitions);
    if (!rc && zero.n && !rf__val_valid(zero.p, zero.n)) rc = rf__err_set(RF_ERR_INVALID, "the zero value is not a value (build it with rf_int, rf_str, rf_tuple, ...)");
    if (rc) return rf__df_fail(in->s, rc);
    rf_expr *keys[1] = { rf_col("key") }, *aggs[1] = { combiner(mode, f1, f2, f3, zero) };
    rf_df *d = rf_df_agg(in, keyed ? 1 : 0, keys, 1, aggs);
    if (!keyed) rf_expr_destroy(&keys[0]);
    if (d && !d->err && d->plan->kind == RF_L_AGG) d->plan->n = num_partitions;
    if (!keyed) d = rf_df_select(d, 2, rf_as(rf_cast(rf_lit_null(), RF_TYPE_STRING), "key"), rf_col("value"));   /* (no key, result) */
    return d;
}

rf_rdd *rf_rdd_reduce_by_key(rf_rdd *r, const char *fn, int np) { return RDD(combine(DF(r), true, 'r', fn, NULL, NULL, (rf_val){ 0 }, np)); }
rf_rdd *rf_rdd_fold_by_key(rf_rdd *r, rf_val zero, const char *fn, int np) { return RDD(combine(DF(r), true, 'f', fn, fn, NULL, zero, np)); }
rf_rdd *rf_rdd_aggregate_by_key(rf_rdd *r, rf_val zero, const char *seq, const char *comb, int np)
{
    return RDD(combine(DF(r), true, 'f', seq, comb, NULL, zero, np));
}
rf_rdd *rf_rdd_combine_by_key(rf_rdd *r, const char *create, const char *merge_value, const char *merge_combiners, int np)
{
    return RDD(combine(DF(r), true, 'c', create, merge_value, merge_combiners, (rf_val){ 0 }, np));
}
rf_rdd *rf_rdd_group_by_key(rf_rdd *r, int np) { return RDD(combine(DF(r), true, 'l', NULL, NULL, NULL, (rf_val){ 0 }, np)); }

rf_rdd *rf_rdd_sort_by_key(rf_rdd *r, bool ascending, int num_partitions)
{
    rf_expr *o[1] = { ascending ? rf_asc(rf_col("key")) : rf_desc(rf_col("key")) };
    rf_df *d = rf_df_order_byv(DF(r), 1, o);
    if (d && !d->err && d->plan->kind == RF_L_SORT && num_partitions > 0) d->plan->n = num_partitions;   /* its range partitions */
    return RDD(d);
}

rf_rdd *rf_rdd_sort_by(rf_rdd *r, const char *fn, bool ascending, int num_partitions)
{
    /* keyBy(f), sortByKey, then the values (the keys hold f(v) only) */
    return rf_rdd_values(rf_rdd_sort_by_key(rf_rdd_key_by(r, fn), ascending, num_partitions));
}

static rf_df *join_pack(rf_df *a, rf_df *b, rf_join_type type, int pack_mode)
{
    if (!a || !b) return NULL;
    rf_df *j = rf_df_join_on(a, b, rf_eq(rf_df_col(a, "key"), rf_df_col(b, "key")), type);
    return node(j, RF_RDD_PACK, NULL, 0, NULL, pack_mode, NULL);
}

rf_rdd *rf_rdd_join(rf_rdd *a, rf_rdd *b, int np) { (void)np; return RDD(join_pack(DF(a), DF(b), RF_JOIN_INNER, 0)); }
rf_rdd *rf_rdd_left_outer_join(rf_rdd *a, rf_rdd *b, int np) { (void)np; return RDD(join_pack(DF(a), DF(b), RF_JOIN_LEFT, 0)); }
rf_rdd *rf_rdd_right_outer_join(rf_rdd *a, rf_rdd *b, int np) { (void)np; return RDD(join_pack(DF(a), DF(b), RF_JOIN_RIGHT, 0)); }
rf_rdd *rf_rdd_full_outer_join(rf_rdd *a, rf_rdd *b, int np) { (void)np; return RDD(join_pack(DF(a), DF(b), RF_JOIN_FULL, 0)); }
rf_rdd *rf_rdd_cogroup(rf_rdd *a, rf_rdd *b, int np)
{
    return RDD(join_pack(DF(rf_rdd_group_by_key(a, np)), DF(rf_rdd_group_by_key(b, np)), RF_JOIN_FULL, 1));
}

rf_rdd *rf_rdd_distinct(rf_rdd *r, int np)
{
    rf_df *d = rf_df_distinct(DF(r));
    if (d && !d->err && d->plan->kind == RF_L_AGG && np > 0) d->plan->n = np;
    return RDD(d);
}
rf_rdd *rf_rdd_repartition(rf_rdd *r, int n) { return RDD(rf_df_repartition(DF(r), n)); }
rf_rdd *rf_rdd_coalesce(rf_rdd *r, int n) { return RDD(rf_df_coalesce(DF(r), n)); }

rf_rdd *rf_rdd_partition_by(rf_rdd *r, int n, const char *fn)
{
    if (!r) return NULL;
    if (!DF(r)->err && (n < 1 || n > 1000000)) {
        rf__err_set(RF_ERR_INVALID, "partitionBy: %d partitions (1 to 1000000)", n);
        return RDD(rf__df_fail(DF(r)->s, RF_ERR_INVALID));
    }
    rf_df *d = node(DF(r), RF_RDD_PARTID, fn, fn ? RF_FN_PARTITIONER : 0, NULL, n, NULL);
    rf_expr *k[1] = { rf_col("part") };
    d = rf_df_repartition_by(d, n, 1, k);
    if (d && !d->err && d->plan->kind == RF_L_REPART) d->plan->mode = 1;   /* into the partition `part` names */
    return RDD(rf_df_select(d, 2, rf_col("key"), rf_col("value")));
}

/* ---------------------------------------------------------------- persistence, lineage */
rf_rdd *rf_rdd_persist(rf_rdd *r, rf_storage_level level) { return RDD(rf_df_persist(DF(r), level)); }
rf_rdd *rf_rdd_cache(rf_rdd *r) { return RDD(rf_df_cache(DF(r))); }
rf_rdd *rf_rdd_unpersist(rf_rdd *r) { return RDD(rf_df_unpersist(DF(r))); }
const char *rf_rdd_error(const rf_rdd *r) { return rf_df_error((const rf_df *)r); }

char *rf_rdd_to_debug_string(rf_rdd *r)
{
    if (!r || DF(r)->err) return NULL;
    rf_buf b = { 0 };
    int rc = rf__driver_explain(DF(r)->s, DF(r)->plan, &b);
    char *s = NULL;
    if (!rc && b.data) {
        if ((s = malloc(b.len + 1))) { memcpy(s, b.data, b.len); s[b.len] = '\0'; }
    } else if (rc) DF(r)->s->err = *rf__err_slot();
    rf_buf_fini(&b);
    return s;
}

/* ---------------------------------------------------------------- zipWithIndex: counts first */
rf_rdd *rf_rdd_zip_with_index(rf_rdd *r)
{
    if (!r) return NULL;
    if (DF(r)->err) return RDD(node(DF(r), RF_RDD_ZIPINDEX, NULL, 0, NULL, 0, NULL));
    rf_records *cnt = NULL;
    rf_df *c = node(DF(r), RF_RDD_TASKCOUNT, NULL, 0, NULL, 0, NULL);
    int rc = rf_rdd_collect(RDD(c), &cnt);
    rf_df_release(&c);
    if (rc) return RDD(rf__df_fail(DF(r)->s, rc));
    int64_t n = rf_records_count(cnt), maxt = -1;
    for (int64_t i = 0; i < n; i++) { int64_t t = rf_val_int(rf_val_at(rf_records_get(cnt, i).value, 0)); if (t > maxt) maxt = t; }
    int64_t *start = rf_calloc((size_t)(maxt + 2), sizeof *start);
    if (!start) { rf_records_destroy(&cnt); rf__err_set(RF_ERR_NOMEM, "out of memory"); return RDD(rf__df_fail(DF(r)->s, RF_ERR_NOMEM)); }
    for (int64_t i = 0; i < n; i++) {
        rf_val v = rf_records_get(cnt, i).value;
        int64_t t = rf_val_int(rf_val_at(v, 0));
        if (t >= 0 && t <= maxt) start[t + 1] = rf_val_int(rf_val_at(v, 1));
    }
    for (int64_t t = 1; t <= maxt + 1; t++) start[t] += start[t - 1];   /* start[t]: records before task t */
    rf_records_destroy(&cnt);
    rf_df *d = node(DF(r), RF_RDD_ZIPINDEX, NULL, 0, lit_bytes(start, (size_t)(maxt + 1) * sizeof *start), 0, NULL);
    rf_free(start);
    return RDD(d);
}
