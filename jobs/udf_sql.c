/*
 * udf_sql.c — user functions in SQL run from C: a scalar UDF and an aggregate UDF registered by
 * name, DataFrames from C made into temporary views, and a query over them with rf_sql().
 *
 *   mpirun -np N jobs/udf_sql EVENTS.csv PRODUCTS.csv [--conf key=value]...
 *
 * (the seed's sample data: scripts/gen-clickstream DIR writes DIR/events.csv and DIR/products.csv).
 * Prints, per category and price band, the purchases and the geometric mean of their prices:
 *   price_band(price)  scalar UDF: 'under 10', '10-50', '50-100' or '100+' (vectorized: a batch a call)
 *   geomean(price)     aggregate UDF: exp(mean(ln price)), its state (sum of logs, count) merged
 *                      across threads, ranks and spill files by the engine
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "riffle/riffle.h"

static int price_band(rf_ctx *c, int nargs, const rf_vec *args, rf_vec_out *out)
{
    (void)c; (void)nargs;
    const rf_vec *p = &args[0];
    for (int64_t i = 0; i < p->n; i++) {
        if (rf_vec_is_null(p, i)) continue;   /* rows left unset are NULL */
        double v = rf_vec_double(p, i);
        const char *b = v < 10 ? "under 10" : v < 50 ? "10-50" : v < 100 ? "50-100" : "100+";
        int rc = rf_out_str(out, i, b, strlen(b));
        if (rc) return rc;
    }
    return 0;
}

typedef struct { double sum_log; int64_t n; } geo_state;

static int geo_update(rf_ctx *c, void *const *states, int nargs, const rf_vec *args)
{
    (void)nargs;
    for (int64_t i = 0; i < args[0].n; i++) {
        if (rf_vec_is_null(&args[0], i)) continue;
        double v = rf_vec_double(&args[0], i);
        if (v <= 0) return rf_fail(c, "geomean of %g: the values must be positive", v);
        geo_state *g = states[i];
        g->sum_log += log(v);
        g->n++;
    }
    return 0;
}

static int geo_merge(rf_ctx *c, void *state, const void *other)
{
    (void)c;
    geo_state *a = state;
    const geo_state *b = other;
    a->sum_log += b->sum_log;
    a->n += b->n;
    return 0;
}

static int geo_finalize(rf_ctx *c, const void *state, rf_vec_out *out, int64_t row)
{
    (void)c;
    const geo_state *g = state;
    return g->n ? rf_out_double(out, row, exp(g->sum_log / (double)g->n)) : rf_out_null(out, row);
}

int main(int argc, char **argv)
{
    rf_type dbl = RF_TYPE_DOUBLE;
    rf_register_udf("price_band", RF_TYPE_STRING, 1, &dbl, price_band);
    rf_udaf geo = { .result = RF_TYPE_DOUBLE, .nargs = 1, .arg_types = { RF_TYPE_DOUBLE }, .state_size = sizeof(geo_state),
                    .update = geo_update, .merge = geo_merge, .finalize = geo_finalize };
    rf_register_udaf("geomean", &geo);
    rf_session *s = NULL;
    if (rf_session_open(&argc, &argv, &s)) return 2;   /* executors never get past this line */
    if (argc != 3) {
        fprintf(stderr, "usage: %s EVENTS.csv PRODUCTS.csv [--conf key=value]...\n", argv[0]);
        return rf_session_close(&s, 2);
    }
    rf_df_create_temp_view(rf_read_csv(s, argv[1], "header=true,inferSchema=true,mode=FAILFAST"), "events");
    rf_df_create_temp_view(rf_read_csv(s, argv[2], "header=true,inferSchema=true,mode=FAILFAST"), "products");
    rf_df *q = rf_sql(s,
        "SELECT p.category, price_band(p.price) AS band, COUNT(*) AS purchases, geomean(p.price) AS geo_mean_price\n"
        "FROM events e JOIN products p ON e.product_id = p.product_id\n"
        "WHERE e.event_type = 'purchase'\n"
        "GROUP BY p.category, price_band(p.price)\n"
        "ORDER BY p.category, band");
    int rc = rf_df_show(q, 1000, stdout);
    if (rc) {
        fprintf(stderr, "udf_sql: %s\n", rf_df_error(q) ? rf_df_error(q) : rf_session_error(s));
        return rf_session_close(&s, 1);
    }
    return rf_session_close(&s, 0);
}
