/* test_decimal.c — exact decimals: parsing, formatting, rescaling, and the 256-bit multiply/divide
 * checked against plain 128-bit arithmetic where that suffices, and against hand-worked values. */
#include <stdlib.h>
#include "unit.h"

static const char *fmt(rf_dec v, int s)
{
    static char buf[64];
    rf_dec_format(v, s, buf, sizeof buf);
    return buf;
}

static void t_parse_format(void)
{
    rf_dec v;
    CU_ASSERT_TRUE(rf_dec_parse("12.345", 6, 10, 2, &v));
    CU_ASSERT_STRING_EQUAL(fmt(v, 2), "12.35");             /* HALF_UP */
    CU_ASSERT_TRUE(rf_dec_parse("-0.005", 6, 10, 2, &v));
    CU_ASSERT_STRING_EQUAL(fmt(v, 2), "-0.01");              /* away from zero */
    CU_ASSERT_TRUE(rf_dec_parse(" 7 ", 3, 3, 0, &v));
    CU_ASSERT_STRING_EQUAL(fmt(v, 0), "7");
    CU_ASSERT_TRUE(rf_dec_parse("1.5e3", 5, 10, 1, &v));
    CU_ASSERT_STRING_EQUAL(fmt(v, 1), "1500.0");
    CU_ASSERT_TRUE(rf_dec_parse(".5", 2, 3, 3, &v));
    CU_ASSERT_STRING_EQUAL(fmt(v, 3), "0.500");
    CU_ASSERT_FALSE(rf_dec_parse("123456", 6, 5, 2, &v));     /* 6 integer digits in decimal(5,2) */
    CU_ASSERT_FALSE(rf_dec_parse("1.2.3", 5, 10, 2, &v));
    CU_ASSERT_FALSE(rf_dec_parse("", 0, 10, 2, &v));
    CU_ASSERT_FALSE(rf_dec_parse("-", 1, 10, 2, &v));
    CU_ASSERT_FALSE(rf_dec_parse("1e", 2, 10, 2, &v));
    const char *max38 = "99999999999999999999999999999999999999";
    CU_ASSERT_TRUE(rf_dec_parse(max38, 38, 38, 0, &v));
    CU_ASSERT_STRING_EQUAL(fmt(v, 0), max38);
    CU_ASSERT_STRING_EQUAL(fmt(-v, 0) + 1, max38);
    CU_ASSERT_FALSE(rf_dec_parse("999999999999999999999999999999999999999", 39, 38, 0, &v));
    CU_ASSERT_STRING_EQUAL(fmt(5, 3), "0.005");
    CU_ASSERT_STRING_EQUAL(fmt(-5, 3), "-0.005");
    CU_ASSERT_STRING_EQUAL(fmt(0, 2), "0.00");
    char name[32];
    snprintf(name, sizeof name, "%s", rf_type_name(rf_type_decimal(10, 2)));
    CU_ASSERT_STRING_EQUAL(name, "decimal(10,2)");
    rf_type t;
    CU_ASSERT_EQUAL(rf_type_parse("decimal(12, 3)", &t), RF_OK);
    CU_ASSERT_EQUAL(t, rf_type_decimal(12, 3));
    CU_ASSERT_EQUAL(rf_type_parse("decimal", &t), RF_OK);
    CU_ASSERT_EQUAL(t, rf_type_decimal(10, 0));
    CU_ASSERT_NOT_EQUAL(rf_type_parse("decimal(39,2)", &t), RF_OK);
    CU_ASSERT_NOT_EQUAL(rf_type_parse("decimal(5,6)", &t), RF_OK);
    CU_ASSERT_TRUE(rf_type_valid(rf_type_decimal(38, 38)));
    CU_ASSERT_FALSE(rf_type_valid((rf_type)(RF_TYPE_DECIMAL | 39 << 8)));
}

/* round-half-up of n / d for d > 0, in 128 bits */
static rf_dec div_ref(rf_dec n, rf_dec d)
{
    rf_dec a = n < 0 ? -n : n, q = a / d, r = a % d;
    if (2 * r >= d) q++;
    return n < 0 ? -q : q;
}

static void t_arith_vs_int128(void)
{
    srand(12345);
    for (int it = 0; it < 20000; it++) {
        int64_t x = ((int64_t)rand() << 20 ^ rand()) % 1000000000000000LL - 500000000000000LL;
        int64_t y = ((int64_t)rand() << 10 ^ rand()) % 10000000LL - 5000000LL;
        if (y == 0) y = 7;
        int sx = rand() % 5, sy = rand() % 5, s = rand() % 8;
        rf_dec z;
        /* x/10^sx * y/10^sy at scale s = x*y*10^(s-sx-sy) */
        rf_dec prod = (rf_dec)x * y;
        int k = s - sx - sy;
        rf_dec want = k >= 0 ? prod * rf_dec_pow10(k) : div_ref(prod, rf_dec_pow10(-k));
        CU_ASSERT_TRUE(rf_dec_mul(x, sx, y, sy, 38, s, &z));
        CU_ASSERT(z == want);
        /* division at scale s: x * 10^(s - sx + sy) / y */
        int kd = s - sx + sy;
        rf_dec num = kd >= 0 ? (rf_dec)x * rf_dec_pow10(kd) : (rf_dec)x, den = kd >= 0 ? (rf_dec)y : (rf_dec)y * rf_dec_pow10(-kd);
        rf_dec wq = den < 0 ? div_ref(-num, -den) : div_ref(num, den);
        CU_ASSERT_TRUE(rf_dec_div(x, sx, y, sy, 38, s, &z));
        CU_ASSERT(z == wq);
        /* rescale down rounds HALF_UP, up is exact */
        CU_ASSERT_TRUE(rf_dec_rescale(x, sx + 2, sx, 38, &z));
        CU_ASSERT(z == div_ref(x, 100));
        CU_ASSERT_TRUE(rf_dec_rescale(x, 0, 3, 38, &z));
        CU_ASSERT(z == (rf_dec)x * 1000);
    }
}

static void t_wide(void)
{
    rf_dec a, b, z;
    /* 10^15 (scale 10) squared: 10^50 at scale 20 is past 128 bits before rounding to scale 6 */
    a = rf_dec_pow10(25);   /* 10^15 at scale 10 */
    CU_ASSERT_TRUE(rf_dec_mul(a, 10, a, 10, 38, 6, &z));
    CU_ASSERT_STRING_EQUAL(fmt(z, 6), "1000000000000000000000000000000.000000");
    /* 1/3 at scale 30 */
    CU_ASSERT_TRUE(rf_dec_div(1, 0, 3, 0, 38, 30, &z));
    CU_ASSERT_STRING_EQUAL(fmt(z, 30), "0.333333333333333333333333333333");
    /* 2/3 rounds up */
    CU_ASSERT_TRUE(rf_dec_div(-2, 0, 3, 0, 38, 37, &z));
    CU_ASSERT_STRING_EQUAL(fmt(z, 37), "-0.6666666666666666666666666666666666667");
    /* overflow: 38 nines * 10 */
    CU_ASSERT_TRUE(rf_dec_parse("99999999999999999999999999999999999999", 38, 38, 0, &b));
    CU_ASSERT_FALSE(rf_dec_mul(b, 0, 10, 0, 38, 0, &z));
    CU_ASSERT_FALSE(rf_dec_div(b, 0, 1, 0, 38, 1, &z));
    CU_ASSERT_FALSE(rf_dec_div(1, 0, 0, 0, 38, 1, &z));
    CU_ASSERT_TRUE(rf_dec_rescale(b, 0, 0, 38, &z));
    CU_ASSERT_FALSE(rf_dec_rescale(b, 0, 0, 37, &z));
    /* Spark's result types */
    CU_ASSERT_EQUAL(rf_dec_bounded(77, 36), rf_type_decimal(38, 6));
    CU_ASSERT_EQUAL(rf_dec_bounded(40, 2), rf_type_decimal(38, 2)); /* int digits 38, min scale 2 */
    CU_ASSERT_EQUAL(rf_dec_wider(rf_type_decimal(10, 2), rf_type_decimal(5, 4)), rf_type_decimal(12, 4));
    CU_ASSERT_EQUAL(rf_type_numeric_wider(RF_TYPE_INT32, rf_type_decimal(5, 2)), rf_type_decimal(12, 2));
    CU_ASSERT_EQUAL(rf_type_numeric_wider(RF_TYPE_DOUBLE, rf_type_decimal(5, 2)), RF_TYPE_DOUBLE);
    /* conversions */
    CU_ASSERT_TRUE(rf_dec_from_double(2.675, 10, 2, &z));   /* the double's shortest spelling, then HALF_UP */
    CU_ASSERT_STRING_EQUAL(fmt(z, 2), "2.68");
    CU_ASSERT_DOUBLE_EQUAL(rf_dec_to_double(1234567, 3), 1234.567, 0);
    CU_ASSERT_DOUBLE_EQUAL(rf_dec_to_double(b, 2), 1e36, 1e21);
}

CU_TestInfo rf_test_decimal[] = {
    { "parse and format", t_parse_format },
    { "multiply and divide vs 128-bit", t_arith_vs_int128 },
    { "wide values and type rules", t_wide },
    CU_TEST_INFO_NULL,
};
