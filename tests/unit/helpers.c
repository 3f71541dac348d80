/* helpers.c — builders for the unit tests. */
#include <stdlib.h>
#include "unit.h"

rf_batch *ut_batch_ints(int64_t n, const int64_t *vals)
{
    rf_batch *b = NULL;
    rf_batch_create(1, n, &b);
    rf_column_create(RF_TYPE_INT64, n, &b->cols[0]);
    for (int64_t i = 0; i < n; i++) rf_column_append_i64(b->cols[0], vals[i]);
    return b;
}

rf_batch *ut_batch_strs(int64_t n, const char *const *vals)
{
    rf_batch *b = NULL;
    rf_batch_create(1, n, &b);
    rf_column_create(RF_TYPE_STRING, n, &b->cols[0]);
    for (int64_t i = 0; i < n; i++) {
        if (vals[i]) rf_column_append_str(b->cols[0], vals[i], (int64_t)strlen(vals[i]));
        else rf_column_append_null(b->cols[0]);
    }
    return b;
}

rf_schema *ut_schema(int n, const char *const *names, const rf_type *types)
{
    rf_schema *s = NULL;
    rf_schema_create(n, &s);
    for (int i = 0; i < n; i++) s->f[i] = (rf_field){ .name = rf_strdup(names[i]), .type = types[i], .nullable = true, .id = 100 + i };
    return s;
}
