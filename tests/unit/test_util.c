/* test_util.c — dates, number parsing and Spark-style formatting, the stable sort. */
#include <stdlib.h>
#include "unit.h"

static void t_dates(void)
{
    int32_t d;
    CU_ASSERT_TRUE(rf_parse_date("1970-01-01", 10, &d));
    CU_ASSERT_EQUAL(d, 0);
    CU_ASSERT_TRUE(rf_parse_date("2000-03-01", 10, &d));
    CU_ASSERT_EQUAL(d, 11017);   /* date -d 2000-03-01 +%s / 86400 */
    CU_ASSERT_FALSE(rf_parse_date("2023-02-29", 10, &d));
    CU_ASSERT_FALSE(rf_parse_date("2023-13-01", 10, &d));
    char buf[32];
    rf_format_date(-1, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "1969-12-31");
    int64_t us;
    CU_ASSERT_TRUE(rf_parse_timestamp("2026-03-28 12:34:56.5", 21, &us));
    rf_format_timestamp(us, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "2026-03-28 12:34:56.5");
}

static void t_numbers(void)
{
    int64_t v;
    CU_ASSERT_TRUE(rf_parse_int64("-9223372036854775808", 20, &v));
    CU_ASSERT_EQUAL(v, INT64_MIN);
    CU_ASSERT_FALSE(rf_parse_int64("9223372036854775808", 19, &v));
    CU_ASSERT_FALSE(rf_parse_int64("12a", 3, &v));
    char buf[64];
    struct { double d; const char *s; } cases[] = {
        { 1.0, "1.0" }, { 0.1, "0.1" }, { 1e7, "1.0E7" }, { 123456.789, "123456.789" },
        { 1e-4, "1.0E-4" }, { -2.5, "-2.5" }, { 0.001, "0.001" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rf_format_double(cases[i].d, buf, sizeof buf);
        CU_ASSERT_STRING_EQUAL(buf, cases[i].s);
    }
    CU_ASSERT_EQUAL(rf_parse_size("10m"), 10 << 20);
    CU_ASSERT_EQUAL(rf_parse_size("1g"), 1 << 30);
    CU_ASSERT_EQUAL(rf_parse_size("x"), -1);
}

static int cmp_mod(void *ctx, int64_t a, int64_t b) { (void)ctx; return (int)(a % 10) - (int)(b % 10); }

static void t_stable_sort(void)
{
    int64_t idx[1000];
    for (int i = 0; i < 1000; i++) idx[i] = 999 - i;
    CU_ASSERT_EQUAL(rf_sort_idx(idx, 1000, cmp_mod, NULL), RF_OK);
    for (int i = 1; i < 1000; i++) {
        CU_ASSERT(idx[i - 1] % 10 <= idx[i] % 10);
        if (idx[i - 1] % 10 == idx[i] % 10) CU_ASSERT(idx[i - 1] > idx[i]);   /* input order kept */
    }
}

CU_TestInfo rf_test_util[] = {
    { "dates and timestamps", t_dates },
    { "numbers and formatting", t_numbers },
    { "stable sort", t_stable_sort },
    CU_TEST_INFO_NULL,
};
