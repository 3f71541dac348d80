/* test_expr.c — analysis (names, types, errors) and vectorized evaluation. */
#include <stdlib.h>
#include "unit.h"

static rf_schema *schema_xys(void)
{
    const char *n[] = { "x", "y", "s", "d" };
    rf_type t[] = { RF_TYPE_INT32, RF_TYPE_DOUBLE, RF_TYPE_STRING, RF_TYPE_DATE };
    return ut_schema(4, n, t);
}

static rf_batch *batch_xys(void)
{
    rf_batch *b = NULL;
    rf_batch_create(4, 4, &b);
    rf_column_create(RF_TYPE_INT32, 4, &b->cols[0]);
    rf_column_create(RF_TYPE_DOUBLE, 4, &b->cols[1]);
    rf_column_create(RF_TYPE_STRING, 4, &b->cols[2]);
    rf_column_create(RF_TYPE_DATE, 4, &b->cols[3]);
    int32_t xs[] = { 1, 2, 0, -5 };
    double ys[] = { 0.5, 2.0, 3.0, 0.0 };
    const char *ss[] = { "Hello World", "ab", NULL, "añb" };
    const char *ds[] = { "2026-03-28", "2024-02-29", "1970-01-01", "2026-01-01" };
    for (int i = 0; i < 4; i++) {
        if (i == 2) rf_column_append_null(b->cols[0]); else rf_column_append_i64(b->cols[0], xs[i]);
        rf_column_append_f64(b->cols[1], ys[i]);
        if (ss[i]) rf_column_append_str(b->cols[2], ss[i], (int64_t)strlen(ss[i])); else rf_column_append_null(b->cols[2]);
        int32_t d;
        rf_parse_date(ds[i], 10, &d);
        rf_column_append_i64(b->cols[3], d);
    }
    return b;
}

static rf_column *eval(rf_expr *e, rf_schema *s, rf_batch *b)
{
    rf_column *c = NULL;
    CU_ASSERT_EQUAL_FATAL(rf__expr_resolve(e, s, false), RF_OK);
    CU_ASSERT_EQUAL_FATAL(rf__expr_eval(e, b, &c), RF_OK);
    return c;
}

static void t_arith_nulls(void)
{
    rf_schema *s = schema_xys();
    rf_batch *b = batch_xys();
    rf_expr *e = rf_add(rf_mul(rf_col("x"), rf_lit_int(10)), rf_col("y"));   /* x*10 + y: double */
    rf_column *c = eval(e, s, b);
    CU_ASSERT_EQUAL(e->type, RF_TYPE_DOUBLE);
    CU_ASSERT_DOUBLE_EQUAL(rf_col_f64(c, 0), 10.5, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(rf_col_f64(c, 1), 22.0, 1e-12);
    CU_ASSERT_FALSE(rf_column_valid(c, 2));   /* NULL x */
    CU_ASSERT_DOUBLE_EQUAL(rf_col_f64(c, 3), -50.0, 1e-12);
    rf_column_release(&c);
    rf_expr_destroy(&e);
    /* division by zero is NULL, as Spark */
    e = rf_div(rf_col("y"), rf_col("y"));
    c = eval(e, s, b);
    CU_ASSERT_FALSE(rf_column_valid(c, 3));
    CU_ASSERT_DOUBLE_EQUAL(rf_col_f64(c, 1), 1.0, 1e-12);
    rf_column_release(&c);
    rf_expr_destroy(&e);
    rf_batch_destroy(&b);
    rf_schema_destroy(&s);
}

static void t_three_valued_logic(void)
{
    rf_schema *s = schema_xys();
    rf_batch *b = batch_xys();
    /* (x > 0) OR (s IS NULL): row 2 has x NULL but s NULL -> true; AND with NULL stays NULL */
    rf_expr *e = rf_or(rf_gt(rf_col("x"), rf_lit_int(0)), rf_is_null(rf_col("s")));
    rf_column *c = eval(e, s, b);
    CU_ASSERT_TRUE(rf_col_bool(c, 0));
    CU_ASSERT_TRUE(rf_column_valid(c, 2) && rf_col_bool(c, 2));
    CU_ASSERT_TRUE(rf_column_valid(c, 3) && !rf_col_bool(c, 3));
    rf_column_release(&c);
    rf_expr_destroy(&e);
    e = rf_and(rf_gt(rf_col("x"), rf_lit_int(0)), rf_lit_bool(true));
    c = eval(e, s, b);
    CU_ASSERT_FALSE(rf_column_valid(c, 2));
    rf_column_release(&c);
    rf_expr_destroy(&e);
    rf_batch_destroy(&b);
    rf_schema_destroy(&s);
}

static void t_strings_dates(void)
{
    rf_schema *s = schema_xys();
    rf_batch *b = batch_xys();
    int64_t len;
    rf_expr *e = rf_upper(rf_substring(rf_col("s"), 1, 5));
    rf_column *c = eval(e, s, b);
    CU_ASSERT_NSTRING_EQUAL(rf_col_str(c, 0, &len), "HELLO", 5);
    CU_ASSERT_EQUAL(len, 5);
    CU_ASSERT_FALSE(rf_column_valid(c, 2));
    rf_column_release(&c);
    rf_expr_destroy(&e);
    e = rf_length(rf_col("s"));   /* characters, not bytes */
    c = eval(e, s, b);
    CU_ASSERT_EQUAL(rf_col_i32(c, 3), 3);
    rf_column_release(&c);
    rf_expr_destroy(&e);
    e = rf_datediff(rf_col("d"), rf_date_sub(rf_col("d"), rf_lit_int(30)));
    c = eval(e, s, b);
    CU_ASSERT_EQUAL(rf_col_i32(c, 0), 30);
    rf_column_release(&c);
    rf_expr_destroy(&e);
    e = rf_month(rf_date_add(rf_col("d"), rf_lit_int(1)));   /* 2024-02-29 + 1 = March */
    c = eval(e, s, b);
    CU_ASSERT_EQUAL(rf_col_i32(c, 1), 3);
    CU_ASSERT_EQUAL(rf_col_i32(c, 0), 3);
    rf_column_release(&c);
    rf_expr_destroy(&e);
    e = rf_concat(3, rf_col("s"), rf_lit_str("-"), rf_cast(rf_col("x"), RF_TYPE_STRING));
    c = eval(e, s, b);
    CU_ASSERT_NSTRING_EQUAL(rf_col_str(c, 1, &len), "ab-2", 4);
    CU_ASSERT_FALSE(rf_column_valid(c, 2));
    rf_column_release(&c);
    rf_expr_destroy(&e);
    rf_batch_destroy(&b);
    rf_schema_destroy(&s);
}

static void t_split_case_in(void)
{
    const char *v[] = { "  a b\tc ", "x" };
    rf_batch *b = ut_batch_strs(2, v);
    const char *n[] = { "v" };
    rf_type t[] = { RF_TYPE_STRING };
    rf_schema *s = ut_schema(1, n, t);
    rf_expr *e = rf_split(rf_col("v"), "\\s+");
    rf_column *c = eval(e, s, b);
    const int64_t *o = c->data;
    CU_ASSERT_EQUAL(o[1] - o[0], 5);   /* "", a, b, c, "" as Spark's split */
    CU_ASSERT_EQUAL(o[2] - o[1], 1);
    rf_column_release(&c);
    rf_expr_destroy(&e);
    e = rf_case(rf_lit_str("other"), 1, rf_in(rf_col("v"), 2, rf_lit_str("x"), rf_lit_str("y")), rf_lit_str("xy"));
    c = eval(e, s, b);
    int64_t len;
    CU_ASSERT_NSTRING_EQUAL(rf_col_str(c, 0, &len), "other", 5);
    CU_ASSERT_NSTRING_EQUAL(rf_col_str(c, 1, &len), "xy", 2);
    rf_column_release(&c);
    rf_expr_destroy(&e);
    rf_batch_destroy(&b);
    rf_schema_destroy(&s);
}

static void t_analysis_errors(void)
{
    rf_schema *s = schema_xys();
    rf_expr *e = rf_col("catgory");
    const char *n[] = { "category", "price" };
    rf_type t[] = { RF_TYPE_STRING, RF_TYPE_DOUBLE };
    rf_schema *s2 = ut_schema(2, n, t);
    CU_ASSERT_EQUAL(rf__expr_resolve(e, s2, false), RF_ERR_ANALYSIS);
    CU_ASSERT_PTR_NOT_NULL(strstr(rf__err_slot()->msg, "did you mean 'category'"));
    rf_expr_destroy(&e);
    e = rf_and(rf_col("x"), rf_lit_bool(true));   /* int AND bool */
    CU_ASSERT_EQUAL(rf__expr_resolve(e, s, false), RF_ERR_ANALYSIS);
    rf_expr_destroy(&e);
    e = rf_sum(rf_col("x"));   /* aggregate outside an aggregation */
    CU_ASSERT_EQUAL(rf__expr_resolve(e, s, false), RF_ERR_ANALYSIS);
    rf_expr_destroy(&e);
    e = rf_fn("nosuchfn", 1, rf_col("x"));
    CU_ASSERT_EQUAL(rf__expr_resolve(e, s, false), RF_ERR_ANALYSIS);
    rf_expr_destroy(&e);
    rf_schema_destroy(&s);
    rf_schema_destroy(&s2);
}

static void t_fold(void)
{
    rf_schema *s = schema_xys();
    rf_expr *e = rf_ge(rf_col("d"), rf_date_sub(rf_lit_date("2026-03-28"), rf_lit_int(30)));
    CU_ASSERT_EQUAL_FATAL(rf__expr_resolve(e, s, false), RF_OK);
    CU_ASSERT_EQUAL(rf__expr_fold(&e), RF_OK);
    CU_ASSERT_EQUAL(e->arg[1]->kind, RF_E_LIT);
    int32_t want;
    rf_parse_date("2026-02-26", 10, &want);
    CU_ASSERT_EQUAL(e->arg[1]->lit.v.i, want);
    rf_expr_destroy(&e);
    rf_schema_destroy(&s);
}

CU_TestInfo rf_test_expr[] = {
    { "arithmetic and NULLs", t_arith_nulls },
    { "three-valued logic", t_three_valued_logic },
    { "string and date functions", t_strings_dates },
    { "split, CASE, IN", t_split_case_in },
    { "analysis errors", t_analysis_errors },
    { "constant folding", t_fold },
    CU_TEST_INFO_NULL,
};
