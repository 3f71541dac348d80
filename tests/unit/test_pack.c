/* test_pack.c — shuffle packing round trip for every type, NULLs and constants. */
#include <stdlib.h>
#include "unit.h"
#include "shuffle/shuffle.h"

static void t_round_trip_all_types(void)
{
    rf_batch *b = NULL;
    rf_type types[] = { RF_TYPE_BOOL, RF_TYPE_INT32, RF_TYPE_INT64, RF_TYPE_DOUBLE, RF_TYPE_STRING, RF_TYPE_DATE, RF_TYPE_TIMESTAMP };
    int nt = 7;
    rf_batch_create(nt, 50, &b);
    for (int c = 0; c < nt; c++) {
        rf_column_create(types[c], 50, &b->cols[c]);
        for (int i = 0; i < 50; i++) {
            if ((i + c) % 9 == 0) { rf_column_append_null(b->cols[c]); continue; }
            if (types[c] == RF_TYPE_STRING) { char s[32]; int n = snprintf(s, sizeof s, "v%d-ü", i * c); rf_column_append_str(b->cols[c], s, n); }
            else if (types[c] == RF_TYPE_DOUBLE) rf_column_append_f64(b->cols[c], i * 0.25 - 3);
            else rf_column_append_i64(b->cols[c], (int64_t)i * 1000003 * (c + 1) % (types[c] == RF_TYPE_BOOL ? 2 : 100000));
        }
    }
    int64_t sel[] = { 49, 0, 9, 18, 3 };
    rf_buf buf = { 0 };
    CU_ASSERT_EQUAL_FATAL(rf__pack_batch(b, sel, 5, &buf), RF_OK);
    rf_rd r = { buf.data, buf.data + buf.len };
    rf_batch *o = NULL;
    CU_ASSERT_EQUAL_FATAL(rf__unpack_batch(&r, &o), RF_OK);
    CU_ASSERT_PTR_EQUAL(r.p, r.end);
    CU_ASSERT_EQUAL(o->nrows, 5);
    for (int c = 0; c < nt; c++)
        for (int k = 0; k < 5; k++) CU_ASSERT_TRUE(rf_column_eq(o->cols[c], k, b->cols[c], sel[k]));
    rf_batch_destroy(&o);
    /* truncated input fails cleanly */
    for (size_t cut = 0; cut < buf.len; cut += 7) {
        rf_rd t = { buf.data, buf.data + cut };
        CU_ASSERT_NOT_EQUAL(rf__unpack_batch(&t, &o), RF_OK);
        CU_ASSERT_PTR_NULL(o);
    }
    rf_buf_fini(&buf);
    rf_batch_destroy(&b);
}

static void t_const_and_array(void)
{
    rf_value v = { .type = RF_TYPE_STRING, .v.s = { "k", 1 } };
    rf_batch *b = NULL;
    rf_batch_create(1, 3, &b);
    rf_column_const(&v, 3, &b->cols[0]);
    rf_buf buf = { 0 };
    CU_ASSERT_EQUAL(rf__pack_batch(b, NULL, 3, &buf), RF_OK);
    rf_rd r = { buf.data, buf.data + buf.len };
    rf_batch *o = NULL;
    CU_ASSERT_EQUAL_FATAL(rf__unpack_batch(&r, &o), RF_OK);
    int64_t len;
    CU_ASSERT_EQUAL(o->nrows, 3);
    CU_ASSERT_NSTRING_EQUAL(rf_col_str(o->cols[0], 2, &len), "k", 1);
    rf_batch_destroy(&o);
    rf_batch_destroy(&b);
    rf_buf_fini(&buf);
}

CU_TestInfo rf_test_pack[] = {
    { "round trip of every type", t_round_trip_all_types },
    { "constants", t_const_and_array },
    CU_TEST_INFO_NULL,
};
