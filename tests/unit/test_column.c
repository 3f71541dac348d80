/* test_column.c — columns and batches: appending, NULLs, gather, concat, comparison. */
#include "unit.h"

static void t_append_and_nulls(void)
{
    rf_column *c = NULL;
    CU_ASSERT_EQUAL_FATAL(rf_column_create(RF_TYPE_INT32, 2, &c), RF_OK);
    for (int i = 0; i < 100; i++) {
        if (i % 7 == 0) rf_column_append_null(c);
        else rf_column_append_i64(c, i * 3);
    }
    CU_ASSERT_EQUAL(c->len, 100);
    int nulls = 0;
    for (int i = 0; i < 100; i++) {
        if (!rf_column_valid(c, i)) { nulls++; continue; }
        CU_ASSERT_EQUAL(rf_col_i32(c, i), i * 3);
    }
    CU_ASSERT_EQUAL(nulls, 15);   /* 0,7,...,98 */
    rf_column_release(&c);
    CU_ASSERT_PTR_NULL(c);
}

static void t_strings_gather(void)
{
    const char *v[] = { "alpha", NULL, "", "δέλτα", "e" };
    rf_batch *b = ut_batch_strs(5, v), *g = NULL;
    int64_t sel[] = { 4, 3, 1, 0 };
    CU_ASSERT_EQUAL_FATAL(rf_batch_gather(b, sel, 4, &g), RF_OK);
    int64_t len;
    CU_ASSERT_EQUAL(g->nrows, 4);
    CU_ASSERT_NSTRING_EQUAL(rf_col_str(g->cols[0], 0, &len), "e", 1);
    CU_ASSERT_EQUAL(len, 1);
    const char *d = rf_col_str(g->cols[0], 1, &len);
    CU_ASSERT_EQUAL(len, (int64_t)strlen("δέλτα"));
    CU_ASSERT_NSTRING_EQUAL(d, "δέλτα", len);
    CU_ASSERT_FALSE(rf_column_valid(g->cols[0], 2));
    CU_ASSERT_TRUE(rf_column_valid(g->cols[0], 3));
    rf_batch_destroy(&g);
    rf_batch_destroy(&b);
}

static void t_concat(void)
{
    int64_t a[] = { 1, 2, 3 }, b2[] = { 4, 5 };
    rf_batch *x = ut_batch_ints(3, a), *y = ut_batch_ints(2, b2), *z = NULL;
    rf_column_set_null(y->cols[0], 1);
    rf_batch *v[] = { x, y };
    CU_ASSERT_EQUAL_FATAL(rf_batch_concat(v, 2, NULL, &z), RF_OK);
    CU_ASSERT_EQUAL(z->nrows, 5);
    CU_ASSERT_EQUAL(rf_col_i64(z->cols[0], 3), 4);
    CU_ASSERT_FALSE(rf_column_valid(z->cols[0], 4));
    CU_ASSERT_TRUE(rf_column_valid(z->cols[0], 0));
    rf_batch_destroy(&x);
    rf_batch_destroy(&y);
    rf_batch_destroy(&z);
}

static void t_compare(void)
{
    const char *v[] = { "ab", "abc", NULL, "b" };
    rf_batch *b = ut_batch_strs(4, v);
    rf_column *c = b->cols[0];
    CU_ASSERT(rf_column_cmp(c, 0, c, 1) < 0);   /* prefix sorts first */
    CU_ASSERT(rf_column_cmp(c, 1, c, 3) < 0);
    CU_ASSERT(rf_column_cmp(c, 2, c, 0) < 0);   /* NULL first */
    CU_ASSERT_TRUE(rf_column_eq(c, 2, c, 2));
    CU_ASSERT_FALSE(rf_column_eq(c, 0, c, 1));
    rf_batch_destroy(&b);
}

static void t_oom_injection(void)
{
    rf_column *c = NULL;
    rf__mem_fail_after(0);
    CU_ASSERT_EQUAL(rf_column_create(RF_TYPE_INT64, 10, &c), RF_ERR_NOMEM);
    CU_ASSERT_PTR_NULL(c);
    rf__mem_fail_after(-1);
    CU_ASSERT_EQUAL(rf_column_create(RF_TYPE_INT64, 10, &c), RF_OK);
    rf_column_release(&c);
}

CU_TestInfo rf_test_column[] = {
    { "append and NULLs", t_append_and_nulls },
    { "string gather", t_strings_gather },
    { "concat", t_concat },
    { "compare", t_compare },
    { "out-of-memory injection", t_oom_injection },
    CU_TEST_INFO_NULL,
};
