/* test_val.c — RDD values (core/val.c): bytes that sort as the values do, nested elements, text. */
#include <math.h>
#include <string.h>
#include "unit.h"
#include "riffle/udf.h"
#include "expr/udf.h"

static int sgn(int x) { return (x > 0) - (x < 0); }

static void t_numbers_sort_as_bytes(void)
{
    int64_t iv[] = { INT64_MIN, -1000000, -1, 0, 1, 255, 256, 1000000, INT64_MAX };
    for (size_t i = 0; i < sizeof iv / sizeof iv[0]; i++)
        for (size_t j = 0; j < sizeof iv / sizeof iv[0]; j++) {
            rf_val a = rf_int(iv[i]), b = rf_int(iv[j]);
            CU_ASSERT_EQUAL(sgn(rf_val_cmp(a, b)), (iv[i] > iv[j]) - (iv[i] < iv[j]));
            CU_ASSERT_EQUAL(rf_val_int(a), iv[i]);
        }
    double dv[] = { -INFINITY, -1e300, -2.5, -1e-300, 0.0, 1e-300, 1.0, 2.5, 1e300, INFINITY, NAN };
    for (size_t i = 0; i < sizeof dv / sizeof dv[0]; i++)
        for (size_t j = 0; j < sizeof dv / sizeof dv[0]; j++) {
            rf_val a = rf_double(dv[i]), b = rf_double(dv[j]);
            int want = isnan(dv[i]) ? (isnan(dv[j]) ? 0 : 1) : isnan(dv[j]) ? -1 : (dv[i] > dv[j]) - (dv[i] < dv[j]);
            CU_ASSERT_EQUAL(sgn(rf_val_cmp(a, b)), want);
        }
    CU_ASSERT(rf_val_eq(rf_double(-0.0), rf_double(0.0)));   /* -0 is written as 0 */
    CU_ASSERT_DOUBLE_EQUAL(rf_val_double(rf_double(-2.5)), -2.5, 0);
    CU_ASSERT_EQUAL(rf_val_kind(rf_none()), RF_V_NONE);
    CU_ASSERT(rf_val_cmp(rf_none(), rf_int(INT64_MIN)) < 0);
    rf_val_scratch_reset();
}

static void t_tuples_and_lists(void)
{
    /* strings with a 0 byte inside a tuple: escaped, read back whole, and ordered element by element */
    rf_val a = rf_tuple(2, rf_strn("a\0b", 3), rf_int(2)), b = rf_tuple(2, rf_strn("a", 1), rf_int(9)), c = rf_tuple(1, rf_strn("a\0b", 3));
    CU_ASSERT(rf__val_valid(a.p, a.n));
    CU_ASSERT_EQUAL(rf_val_count(a), 2);
    size_t l;
    const char *s = rf_val_str(rf_val_at(a, 0), &l);
    CU_ASSERT(s && l == 3 && !memcmp(s, "a\0b", 3));
    CU_ASSERT_EQUAL(rf_val_int(rf_val_at(a, 1)), 2);
    CU_ASSERT_EQUAL(rf_val_at(a, 2).n, 0);
    CU_ASSERT(rf_val_cmp(b, a) < 0);   /* "a" < "a\0b" */
    CU_ASSERT(rf_val_cmp(c, a) < 0);   /* a prefix first */
    /* nested: a list of tuples, appended one element at a time */
    rf_buf lb = { 0 };
    for (int i = 0; i < 3; i++) CU_ASSERT_EQUAL(rf__val_list_append(&lb, rf_tuple(2, rf_int(i), rf_str("x"))), RF_OK);
    rf_val lst = { lb.data, lb.len };
    CU_ASSERT_EQUAL(rf_val_kind(lst), RF_V_LIST);
    CU_ASSERT_EQUAL(rf_val_count(lst), 3);
    CU_ASSERT_EQUAL(rf_val_int(rf_val_at(rf_val_at(lst, 2), 0)), 2);
    char t[64];
    rf_val_format(lst, t, sizeof t);
    CU_ASSERT_STRING_EQUAL(t, "[(0,x),(1,x),(2,x)]");
    rf_val_format(rf_tuple(3, rf_str("w"), rf_int(3), rf_double(1.5)), t, sizeof t);
    CU_ASSERT_STRING_EQUAL(t, "w,3,1.5");
    CU_ASSERT_EQUAL(rf_val_format(rf_str("abcdef"), t, 4), 6);   /* the whole length, the text cut */
    CU_ASSERT_STRING_EQUAL(t, "abc");
    CU_ASSERT(!rf__val_valid((const uint8_t *)"\x10\x01", 2));     /* an int of one byte */
    CU_ASSERT(!rf__val_valid((const uint8_t *)"\x50\x30\x61", 3)); /* a string without its terminator */
    rf_buf_fini(&lb);
    rf_val_scratch_reset();
}

CU_TestInfo rf_test_val[] = {
    { "numbers sort as their bytes", t_numbers_sort_as_bytes },
    { "tuples, lists and text", t_tuples_and_lists },
    CU_TEST_INFO_NULL,
};
