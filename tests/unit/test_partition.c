/* test_partition.c — map-side partitioning: every row lands in exactly its partition's buffer. */
#include <stdlib.h>
#include "unit.h"
#include "shuffle/shuffle.h"

static void t_rows_land_in_their_partition(void)
{
    enum { N = 1000, P = 7 };
    int64_t vals[N], pid[N];
    for (int i = 0; i < N; i++) { vals[i] = i; pid[i] = (i * 31 + 3) % P; }
    rf_batch *b = ut_batch_ints(N, vals);
    rf_mapout m;
    CU_ASSERT_EQUAL_FATAL(rf__mapout_init(&m, 5, P), RF_OK);
    CU_ASSERT_EQUAL_FATAL(rf__mapout_add(&m, b, pid), RF_OK);
    int64_t seen = 0;
    for (int p = 0; p < P; p++) {
        rf_rd r = { m.part[p].data, m.part[p].data + m.part[p].len };
        int64_t last = -1;
        while (r.p < r.end) {
            rf_batch *o = NULL;
            CU_ASSERT_EQUAL_FATAL(rf__unpack_batch(&r, &o), RF_OK);
            for (int64_t i = 0; i < o->nrows; i++) {
                int64_t v = rf_col_i64(o->cols[0], i);
                CU_ASSERT_EQUAL(pid[v], p);
                CU_ASSERT(v > last);   /* order within a partition is input order */
                last = v;
                seen++;
            }
            rf_batch_destroy(&o);
        }
    }
    CU_ASSERT_EQUAL(seen, N);
    rf__mapout_fini(&m);
    rf_batch_destroy(&b);
}

static void t_empty_batch(void)
{
    rf_batch *b = ut_batch_ints(0, NULL);
    rf_mapout m;
    rf__mapout_init(&m, 0, 3);
    CU_ASSERT_EQUAL(rf__mapout_add(&m, b, NULL), RF_OK);
    for (int p = 0; p < 3; p++) CU_ASSERT_EQUAL(m.part[p].len, 0);
    rf__mapout_fini(&m);
    rf_batch_destroy(&b);
}

CU_TestInfo rf_test_partition[] = {
    { "rows land in their partition", t_rows_land_in_their_partition },
    { "empty batch", t_empty_batch },
    CU_TEST_INFO_NULL,
};
