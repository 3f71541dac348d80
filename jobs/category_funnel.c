/*
 * category_funnel.c — the seed's flagship job: add-to-cart events per product category over the
 * last 30 days of data.
 *
 *   mpirun -np N jobs/category_funnel EVENTS.csv PRODUCTS.csv OUTPUT_DIR [--conf key=value]...
 *
 * events(user_id, product_id, event_type, ts, date), products(product_id, category, price), both CSV
 * with a header. Keeps event_type = 'add_to_cart' and date >= (latest date in the data - 30 days),
 * joins products on product_id, counts per category, orders by the count descending then category,
 * writes CSV to OUTPUT_DIR and prints the table on rank 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include "riffle/riffle.h"

static int fail(rf_session **s, rf_df *df, const char *what)
{
    const char *msg = df && rf_df_error(df) ? rf_df_error(df) : rf_session_error(*s);
    fprintf(stderr, "category_funnel: %s: %s\n", what, msg);
    return rf_session_close(s, 1);
}

int main(int argc, char **argv)
{
    rf_session *s = NULL;
    if (rf_session_open(&argc, &argv, &s)) return 2;
    if (argc != 4) {
        fprintf(stderr, "usage: %s EVENTS.csv PRODUCTS.csv OUTPUT_DIR [--conf key=value]...\n", argv[0]);
        return rf_session_close(&s, 2);
    }
    const char *ev_schema = "header=true,mode=FAILFAST,schema=user_id BIGINT; product_id BIGINT; event_type STRING; ts TIMESTAMP; date DATE";
    const char *pr_schema = "header=true,mode=FAILFAST,schema=product_id BIGINT; category STRING; price DOUBLE";
    /* the job reads events twice (latest date, then the funnel): parse the CSV once and keep the
     * columns it needs in the executors' memory */
    rf_df *events = rf_df_cache(rf_df_select(rf_read_csv(s, argv[1], ev_schema), 3, rf_col("product_id"),
                                             rf_col("event_type"), rf_col("date")));
    rf_df *products = rf_read_csv(s, argv[2], pr_schema);

    /* the latest date in the data: a first, small job */
    rf_expr *mx[1] = { rf_as(rf_max(rf_col("date")), "max_date") };
    rf_df *latest = rf_df_agg(events, 0, NULL, 1, mx);
    rf_result *r = NULL;
    if (rf_df_collect(latest, &r)) return fail(&s, latest, "latest date");
    if (rf_result_is_null(r, 0, 0)) {
        fprintf(stderr, "category_funnel: %s has no events\n", argv[1]);
        rf_result_destroy(&r);
        return rf_session_close(&s, 1);
    }
    char maxdate[32];
    rf_result_format(r, 0, 0, maxdate, sizeof maxdate);
    rf_result_destroy(&r);

    rf_df *recent = rf_df_filter(events, rf_and(rf_eq(rf_col("event_type"), rf_lit_str("add_to_cart")),
                                                rf_ge(rf_col("date"), rf_date_sub(rf_lit_date(maxdate), rf_lit_int(30)))));
    rf_df *joined = rf_df_join(recent, products, "product_id", RF_JOIN_INNER);
    rf_expr *keys[1] = { rf_col("category") };
    rf_expr *aggs[1] = { rf_as(rf_count(NULL), "add_to_cart_events") };
    rf_df *per_cat = rf_df_agg(joined, 1, keys, 1, aggs);
    rf_df *sorted = rf_df_order_by(per_cat, 2, rf_desc(rf_col("add_to_cart_events")), rf_asc(rf_col("category")));
    if (rf_df_write_csv(sorted, argv[3], "header=true,mode=overwrite")) return fail(&s, sorted, "write");
    /* show the table from what was written (a few rows) rather than running the whole job again */
    rf_df *written = rf_read_csv(s, argv[3], "header=true,schema=category STRING; add_to_cart_events BIGINT");
    if (rf_df_show(written, 20, stdout)) return fail(&s, written, "show");
    return rf_session_close(&s, 0);
}
