/* test_serialize.c — the binary plan format: round trip, version check, truncation. */
#include <stdlib.h>
#include "unit.h"

static rf_plan *sample_plan(void)
{
    rf_plan *scan = NULL, *f = NULL;
    rf__plan_new(RF_P_SCAN, 0, &scan);
    const char *n[] = { "a", "b" };
    rf_type t[] = { RF_TYPE_INT64, RF_TYPE_STRING };
    scan->schema = ut_schema(2, n, t);
    rf_source *s = rf_calloc(1, sizeof *s);
    s->n_files = 1;
    s->files = rf_calloc(1, sizeof *s->files);
    s->files[0] = rf_strdup("/data/x.csv");
    s->sizes = rf_calloc(1, sizeof *s->sizes);
    s->sizes[0] = 1234;
    s->file_schema = ut_schema(2, n, t);
    s->n_read = 2;
    s->read = rf_calloc(2, sizeof *s->read);
    s->read[1] = 1;
    s->delim = ';';
    s->quote = '"';
    s->null_value = rf_strdup("NA");
    s->n_splits = 2;
    s->split_file = rf_calloc(2, sizeof *s->split_file);
    s->split_off = rf_calloc(2, sizeof *s->split_off);
    s->split_len = rf_calloc(2, sizeof *s->split_len);
    s->split_off[1] = 600;
    s->split_len[0] = 600;
    s->split_len[1] = 634;
    scan->src = s;
    rf__plan_new(RF_P_FILTER, 1, &f);
    f->child[0] = scan;
    rf_schema_copy(scan->schema, &f->schema);
    f->cond = rf_and(rf_eq(rf_col("b"), rf_lit_str("x'y")), rf_gt(rf_col("a"), rf_lit_double(2.5)));
    rf__expr_resolve(f->cond, scan->schema, false);
    rf__expr_bind(f->cond, scan->schema);
    f->id = 7;
    return f;
}

static void t_round_trip(void)
{
    rf_plan *p = sample_plan(), *q = NULL;
    rf_buf a = { 0 }, b = { 0 };
    CU_ASSERT_EQUAL_FATAL(rf__plan_encode(p, &a), RF_OK);
    rf_rd r = { a.data, a.data + a.len };
    CU_ASSERT_EQUAL_FATAL(rf__plan_decode(&r, &q), RF_OK);
    CU_ASSERT_PTR_EQUAL(r.p, r.end);
    CU_ASSERT_EQUAL_FATAL(rf__plan_encode(q, &b), RF_OK);
    CU_ASSERT_EQUAL(a.len, b.len);
    CU_ASSERT(memcmp(a.data, b.data, a.len) == 0);   /* encode(decode(x)) == x */
    CU_ASSERT_EQUAL(q->id, 7);
    CU_ASSERT_STRING_EQUAL(q->child[0]->src->files[0], "/data/x.csv");
    CU_ASSERT_EQUAL(q->child[0]->src->split_len[1], 634);
    CU_ASSERT_TRUE(rf__expr_equal(p->cond, q->cond));
    rf__plan_destroy(&q);
    /* every truncation is an error, never a crash */
    for (size_t cut = 0; cut < a.len; cut++) {
        rf_rd t = { a.data, a.data + cut };
        CU_ASSERT_NOT_EQUAL(rf__plan_decode(&t, &q), RF_OK);
        CU_ASSERT_PTR_NULL(q);
    }
    rf_buf_fini(&a);
    rf_buf_fini(&b);
    rf__plan_destroy(&p);
}

static void t_version_mismatch(void)
{
    rf_plan *p = sample_plan(), *q = NULL;
    rf_buf a = { 0 };
    rf__plan_encode(p, &a);
    int32_t v = RF_PLAN_VERSION + 1;
    memcpy(a.data + 4, &v, 4);
    rf_rd r = { a.data, a.data + a.len };
    CU_ASSERT_EQUAL(rf__plan_decode(&r, &q), RF_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(rf__err_slot()->msg, "version"));
    rf_buf_fini(&a);
    rf__plan_destroy(&p);
}

CU_TestInfo rf_test_serialize[] = {
    { "round trip", t_round_trip },
    { "version mismatch", t_version_mismatch },
    CU_TEST_INFO_NULL,
};
