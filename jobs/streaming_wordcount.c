/*
 * streaming_wordcount.c — the seed's word count as a streaming query: text files arriving in a
 * landing directory, the running count of every word, the whole table rewritten (atomically) after
 * each batch (outputMode complete).
 *
 *   mpirun -np N jobs/streaming_wordcount LANDING_DIR OUTPUT_DIR CHECKPOINT_DIR [TRIGGER [MAX_FILES]] [--conf key=value]...
 *
 * Text files appear in LANDING_DIR by rename (write them as .name or _name, then rename). TRIGGER:
 * availableNow (default: every file there now, then exit), once, default (run until SIGTERM /
 * SIGINT / Slurm's --signal) or an interval such as "30 seconds". OUTPUT_DIR holds word,count
 * after every batch; stopped or killed at any moment and started again with the same
 * CHECKPOINT_DIR (at any rank count), the counts go on from the last committed batch.
 */
#include <stdio.h>
#include <stdlib.h>
#include "riffle/riffle.h"

int main(int argc, char **argv)
{
    rf_session *s = NULL;
    if (rf_session_open(&argc, &argv, &s)) return 2;   /* executors never get past this line */
    if (argc < 4 || argc > 6) {
        fprintf(stderr, "usage: %s LANDING_DIR OUTPUT_DIR CHECKPOINT_DIR [TRIGGER [MAX_FILES]] [--conf key=value]...\n", argv[0]);
        return rf_session_close(&s, 2);
    }
    char src_opts[4400], sink_opts[4400];
    snprintf(src_opts, sizeof src_opts, "path=%s%s%s", argv[1], argc > 5 ? ",maxFilesPerTrigger=" : "", argc > 5 ? argv[5] : "");
    snprintf(sink_opts, sizeof sink_opts, "checkpointLocation=%s,outputMode=complete,trigger=%s", argv[3], argc > 4 ? argv[4] : "availableNow");
    rf_df *lines = rf_read_stream(s, "text", src_opts);
    rf_df *words = rf_df_select(lines, 1, rf_as(rf_explode(rf_split(rf_col("value"), "\\s+")), "word"));
    rf_df *nonempty = rf_df_filter(words, rf_ne(rf_col("word"), rf_lit_str("")));
    rf_df *counts = rf_df_group_count(nonempty, 1, rf_col("word"));
    rf_stream *q = rf_df_write_stream(counts, argv[2], sink_opts);
    int rc = q && !rf_stream_error(q) ? rf_stream_await(q) : 1;
    if (rc) fprintf(stderr, "streaming_wordcount: %s\n", q ? rf_stream_error(q) : "out of memory");
    else fprintf(stderr, "streaming_wordcount: done; last batch %s\n", rf_stream_last_progress(q));
    rf_stream_close(&q);
    return rf_session_close(&s, rc ? 1 : 0);
}
