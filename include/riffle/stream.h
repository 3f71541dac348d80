/*
 * riffle/stream.h — Structured Streaming: a directory of files read as an unbounded table, processed
 * in micro-batches, each batch's output committed exactly once (docs/ARCHITECTURE.md, "Streaming").
 *
 *   rf_df *lines = rf_read_stream(s, "csv", "path=/scratch/landing,header=true,schema=a BIGINT; b STRING");
 *   rf_df *q = rf_df_filter(lines, rf_gt(rf_col("a"), rf_lit_int(0)));
 *   rf_stream *st = rf_df_write_stream(q, "/scratch/out", "checkpointLocation=/scratch/ckpt,trigger=availableNow");
 *   int rc = rf_stream_await(st);   // runs the batches; 0 when the trigger ended them or a stop signal came
 *   rf_stream_close(&st);
 *
 * A streaming query may select, filter, add columns, explode, join static DataFrames (an inner
 * join, or an outer join that keeps the stream's side), drop duplicates (rf_df_drop_duplicates: a row
 * written the first time its key is seen) and aggregate once (groupBy + agg, with
 * window(ts, size[, slide]) keys and rf_df_with_watermark); what Spark forbids on streams (sorts and limits
 * except over an aggregation in complete mode, DISTINCT aggregates, a second aggregation) is an
 * error when the query starts. Everything here runs on rank 0 (the driver); every batch is a job of
 * all ranks.
 */
#ifndef RIFFLE_STREAM_H
#define RIFFLE_STREAM_H

#include "riffle/dataframe.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rf_stream rf_stream;

/* A streaming DataFrame over the files of a directory, picked up in arrival order (modification
 * time, then name). format: "csv", "text", "json" (JSON lines) or "hdf5". Options, comma-separated key=value:
 *   path=DIR                 the landing directory (required); files whose names start with '.' or
 *                            '_' are not read: write a file under such a name and rename it in place
 *   maxFilesPerTrigger=N     at most N new files a batch (default: all)
 *   maxBytesPerTrigger=SIZE  at most about SIZE bytes of new files a batch (at least one file)
 * and the reader options of rf_read_csv; csv needs schema=... (as Spark, a stream's schema is not
 * inferred); json needs schema=... too and parses each line with from_json (a line that is not an
 * object of the schema gives NULLs); hdf5 takes the schema of the files there when the stream is
 * made (*.h5 only).
 * format "rate" (Spark's, for tests and benchmarks): rows (timestamp, value), values 0, 1, 2, ...
 * at rowsPerSecond=N (required; numPartitions=N), the timestamp of value v the query's first start
 * (kept in the checkpoint) + v / N seconds; a batch takes the values due by its start, and a
 * restart goes on from the last batch's. format "socket": text lines (one column value) from a TCP
 * server at host=NAME (localhost), port=N, connected when the query starts; a batch takes the whole
 * lines received by its start (at most 100,000), kept in the checkpoint before it runs, so a
 * restart replays a stopped batch, but what the server sent while no query was connected is lost
 * (as Spark's, not a fault-tolerant source). */
rf_df *rf_read_stream(rf_session *s, const char *format, const char *options);

/* Spark's withWatermark: column (a timestamp) is the rows' event time, and rows may arrive up to
 * delay ("10 minutes") late. After each batch the watermark becomes max(watermark, the largest
 * event time seen - delay) (the epoch at first). An aggregation grouped by column or by
 * window(column, ...) then drops rows at or before the watermark as late, closes the groups whose
 * time (a window's end) the watermark has passed, emitting them in append mode, and forgets them.
 * A DataFrame that reads no stream is returned as it is. */
rf_df *rf_df_with_watermark(rf_df *df, const char *column, const char *delay);

/* Starts a streaming query writing df's rows to directory path; returns NULL only when out of
 * memory (else check rf_stream_error). Options, comma-separated key=value:
 *   checkpointLocation=DIR  (required) the query's offset and commit logs: a restarted query
 *                           resumes after the last committed batch, whatever the rank count
 *   format=F                csv (the default) or hdf5 files in directory path, or console:
 *                           each batch's rows shown on rank 0's stdout as Spark's show() (path
 *                           unused; not exactly-once, for looking), or memory: the rows kept on
 *                           rank 0 (rf_stream_memory; for tests: nothing survives the process)
 *   outputMode=M            append (the default): each batch's new rows are added as part files,
 *                           an aggregation's groups once the watermark has passed them (needs a
 *                           watermark on a grouping key); update: the directory holds the groups
 *                           the last batch changed; complete: every group (update and complete
 *                           replace the directory's content in one step each batch)
 *   trigger=T               default (a batch as soon as the previous ends, polling for new files),
 *                           once (one batch of everything there), availableNow (everything there
 *                           at the start, in batches of maxFilesPerTrigger), or an interval such
 *                           as "10 seconds" / "500ms" (processingTime)
 *   header=true|false, delimiter=C   the CSV files written */
rf_stream *rf_df_write_stream(rf_df *df, const char *path, const char *options);

/* foreachBatch: the query's rows of each batch as a DataFrame (valid during the call) with the
 * batch's id, on rank 0 (the driver), where the callback may run any action (a write, a collect).
 * Return 0, or non-zero to fail the query (rf_stream_error names the batch). A batch stopped before
 * its commit is given again, with the same id, after a restart: make the callback idempotent per id
 * (Spark's contract). */
typedef int (*rf_foreach_batch_fn)(rf_df *batch, int64_t batch_id, void *ctx);
/* Starts a streaming query whose sink is fn (options as rf_df_write_stream's, less format). */
rf_stream *rf_df_write_stream_foreach(rf_df *df, rf_foreach_batch_fn fn, void *ctx, const char *options);

/* Runs the query's batches until its trigger ends them, rf_stream_stop or a stop signal (SIGTERM,
 * SIGINT, SIGUSR1: the running batch is finished or abandoned, never half-committed); returns RF_OK then,
 * else the error of the batch that failed. */
int rf_stream_await(rf_stream *q);
/* Asks the query to stop before its next batch (from another thread or a signal handler). */
void rf_stream_stop(rf_stream *q);
/* The last batch's progress as one JSON object (batchId, timestamp: its start in seconds since the
 * epoch, numInputFiles, inputBytes, numInputRows, processedRowsPerSecond, durationMs, and watermark
 * and stateRows for a stateful query), or "" before the first; the event log
 * (riffle.eventLog.path) gets each batch's as a StreamingQueryProgress event. */
const char *rf_stream_last_progress(const rf_stream *q);
/* format=memory: the rows the query has written (complete mode: the last batch's; else every
 * batch's, in order), owned by q; NULL before the first batch. */
const rf_result *rf_stream_memory(const rf_stream *q);
/* NULL when the query is well, else why it is not. */
const char *rf_stream_error(const rf_stream *q);
void rf_stream_close(rf_stream **q);

#ifdef __cplusplus
}
#endif
#endif
