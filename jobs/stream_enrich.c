/*
 * stream_enrich.c — a streaming job: purchase events arriving as CSV files in a landing directory,
 * joined with the product table (static), appended to an output directory exactly once.
 *
 *   mpirun -np N jobs/stream_enrich LANDING_DIR PRODUCTS.csv OUTPUT_DIR CHECKPOINT_DIR [TRIGGER [MAX_FILES]] [--conf key=value]...
 *
 * Event files (user_id, product_id, event_type, ts, date, with a header) appear in LANDING_DIR by
 * rename (write them under a name starting with '.' or '_', then rename). TRIGGER: availableNow
 * (default: every file there now, then exit), once, default (run until SIGTERM / SIGINT) or an
 * interval such as "10 seconds". Killed or stopped at any moment, the job started again with the
 * same CHECKPOINT_DIR (at any rank count) continues where it stopped: every purchase is written once.
 */
#include <stdio.h>
#include <stdlib.h>
#include "riffle/riffle.h"

int main(int argc, char **argv)
{
    rf_session *s = NULL;
    if (rf_session_open(&argc, &argv, &s)) return 2;
    if (argc < 5 || argc > 7) {
        fprintf(stderr, "usage: %s LANDING_DIR PRODUCTS.csv OUTPUT_DIR CHECKPOINT_DIR [TRIGGER [MAX_FILES]] [--conf key=value]...\n", argv[0]);
        return rf_session_close(&s, 2);
    }
    char src_opts[4400], sink_opts[4400];
    snprintf(src_opts, sizeof src_opts, "path=%s,header=true,mode=FAILFAST,%s%s%s"
             "schema=user_id BIGINT; product_id BIGINT; event_type STRING; ts TIMESTAMP; date DATE",
             argv[1], argc > 6 ? "maxFilesPerTrigger=" : "", argc > 6 ? argv[6] : "", argc > 6 ? "," : "");
    snprintf(sink_opts, sizeof sink_opts, "checkpointLocation=%s,trigger=%s,header=true", argv[4], argc > 5 ? argv[5] : "availableNow");
    rf_df *events = rf_read_stream(s, "csv", src_opts);
    rf_df *products = rf_read_csv(s, argv[2], "header=true,mode=FAILFAST,schema=product_id BIGINT; category STRING; price DOUBLE");
    rf_df *bought = rf_df_filter(events, rf_eq(rf_col("event_type"), rf_lit_str("purchase")));
    rf_df *joined = rf_df_join(bought, products, "product_id", RF_JOIN_INNER);
    rf_df *out = rf_df_select(joined, 5, rf_col("user_id"), rf_col("product_id"), rf_col("category"), rf_col("price"), rf_col("ts"));
    rf_stream *q = rf_df_write_stream(out, argv[3], sink_opts);
    int rc = q && !rf_stream_error(q) ? rf_stream_await(q) : 1;
    if (rc) fprintf(stderr, "stream_enrich: %s\n", q ? rf_stream_error(q) : "out of memory");
    else fprintf(stderr, "stream_enrich: done; last batch %s\n", rf_stream_last_progress(q));
    rf_stream_close(&q);
    return rf_session_close(&s, rc ? 1 : 0);
}
