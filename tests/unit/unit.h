/* unit.h — the suites of the CUnit runner and small helpers shared by the unit tests. */
#ifndef RF_UNIT_H
#define RF_UNIT_H
#include <CUnit/CUnit.h>
#include "core/core.h"
#include "expr/expr.h"
#include "plan/plan.h"
#include "exec/exec.h"

extern CU_TestInfo rf_test_column[], rf_test_expr[], rf_test_hash[], rf_test_partition[], rf_test_serialize[],
    rf_test_pack[], rf_test_util[], rf_test_decimal[], rf_test_agg[], rf_test_val[];

/* A batch from a compact spec: columns of int64 (ints) and strings (strs), n rows. */
rf_batch *ut_batch_ints(int64_t n, const int64_t *vals);
rf_batch *ut_batch_strs(int64_t n, const char *const *vals);
rf_schema *ut_schema(int n, const char *const *names, const rf_type *types);
#endif
