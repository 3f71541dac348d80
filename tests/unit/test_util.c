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

/* CRC-32C: the published check value, streaming in pieces, and sizes/alignments around the 8-byte
 * steps of the hardware path checked against a bitwise reference written here */
static uint32_t crc_ref(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    }
    return ~c;
}

static void t_crc32c(void)
{
    CU_ASSERT_EQUAL(rf_crc32c(0, "123456789", 9), 0xE3069283u);
    CU_ASSERT_EQUAL(rf_crc32c(0, "", 0), 0u);
    CU_ASSERT_EQUAL(rf_crc32c(rf_crc32c(0, "1234", 4), "56789", 5), 0xE3069283u);
    uint8_t buf[300];
    for (int i = 0; i < 300; i++) buf[i] = (uint8_t)(i * 131 + 7);
    for (size_t off = 0; off < 9; off++)
        for (size_t n = 0; n + off <= 300; n += 7) {
            CU_ASSERT_EQUAL(rf_crc32c(0, buf + off, n), crc_ref(buf + off, n));
            size_t h = n / 3;
            CU_ASSERT_EQUAL(rf_crc32c(rf_crc32c(0, buf + off, h), buf + off + h, n - h), crc_ref(buf + off, n));
        }
    uint32_t before = rf_crc32c(0, buf, 300);
    buf[100] ^= 1;   /* one flipped bit changes it */
    CU_ASSERT_NOT_EQUAL(rf_crc32c(0, buf, 300), before);
    buf[100] ^= 1;
    buf[40] = buf[41] = 0;   /* the damage Fletcher-32 misses: a 16-bit word of zeros turned to ones */
    before = rf_crc32c(0, buf, 300);
    buf[40] = buf[41] = 0xFF;
    CU_ASSERT_NOT_EQUAL(rf_crc32c(0, buf, 300), before);
}

CU_TestInfo rf_test_util[] = {
    { "crc32c", t_crc32c },
    { "dates and timestamps", t_dates },
    { "numbers and formatting", t_numbers },
    { "stable sort", t_stable_sort },
    CU_TEST_INFO_NULL,
};
