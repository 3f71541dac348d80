/*
 * main.c — the CUnit runner: one table of suites. Exit status is non-zero when any test failed.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include "unit.h"

int main(void)
{
    static const struct { const char *name; CU_TestInfo *tests; } suites[] = {
        { .name = "column", .tests = rf_test_column },
        { .name = "expr", .tests = rf_test_expr },
        { .name = "hash", .tests = rf_test_hash },
        { .name = "partition", .tests = rf_test_partition },
        { .name = "serialize", .tests = rf_test_serialize },
        { .name = "pack", .tests = rf_test_pack },
        { .name = "util", .tests = rf_test_util },
        { .name = "decimal", .tests = rf_test_decimal },
        { .name = "agg", .tests = rf_test_agg },
        { .name = "val", .tests = rf_test_val },
    };
    if (CU_initialize_registry() != CUE_SUCCESS) return 2;
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++) {
        CU_pSuite s = CU_add_suite(suites[i].name, NULL, NULL);
        for (CU_TestInfo *t = suites[i].tests; t->pName; t++) CU_add_test(s, t->pName, t->pTestFunc);
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_tests_failed(), run = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    return failed || run == 0 ? 1 : 0;
}
