/*
 * wordcount.c — the seed's word count on riffle's DataFrame API.
 *
 *   mpirun -np N jobs/wordcount INPUT OUTPUT_DIR [--conf key=value]...
 *
 * INPUT is a text file, a directory of them, or a glob. Lines are split on whitespace, exploded
 * into words, grouped and counted; the result is ordered by count descending then word ascending
 * and written as CSV (word,count) to OUTPUT_DIR (replacing a previous result atomically).
 */
#include <stdio.h>
#include <stdlib.h>
#include "riffle/riffle.h"

int main(int argc, char **argv)
{
    rf_session *s = NULL;
    if (rf_session_open(&argc, &argv, &s)) return 2;   /* executors never get past this line */
    if (argc != 3) {
        fprintf(stderr, "usage: %s INPUT OUTPUT_DIR [--conf key=value]...\n", argv[0]);
        return rf_session_close(&s, 2);
    }
    rf_df *lines = rf_read_text(s, argv[1]);
    rf_df *words = rf_df_select(lines, 1, rf_as(rf_explode(rf_split(rf_col("value"), "\\s+")), "word"));
    rf_df *nonempty = rf_df_filter(words, rf_ne(rf_col("word"), rf_lit_str("")));
    rf_df *counts = rf_df_group_count(nonempty, 1, rf_col("word"));
    rf_df *sorted = rf_df_order_by(counts, 2, rf_desc(rf_col("count")), rf_asc(rf_col("word")));
    int rc = rf_df_write_csv(sorted, argv[2], "header=true,mode=overwrite");
    if (rc) {
        fprintf(stderr, "wordcount: %s\n", rf_df_error(sorted) ? rf_df_error(sorted) : rf_session_error(s));
        return rf_session_close(&s, 1);
    }
    return rf_session_close(&s, 0);
}
