/*
 * stream_int.h — what runtime/stream.c (the query loop, the checkpoint logs, the sink) and
 * runtime/stream_state.c (the aggregation state kept between batches) share.
 */
#ifndef RF_STREAM_INT_H
#define RF_STREAM_INT_H

#include "runtime/runtime.h"

typedef enum { RF_OUT_APPEND = 0, RF_OUT_UPDATE, RF_OUT_COMPLETE } rf_outmode;
#define RF_NO_WM INT64_MIN   /* no watermark, no event time */

/* The stateful part of a streaming query. */
typedef struct rf_sstate {
    const rf_plan *agg;     /* the streaming aggregation, in the query's plan; NULL: a stateless query */
    const rf_plan *wm;      /* the withWatermark node below it; NULL: none */
    rf_outmode     mode;
    int            ev_key;  /* the aggregation key that carries event time (the watermark's column or a
                             * window() of it), -1: none; late rows and state are judged by it */
    bool           ev_window;   /* that key is a time window: its end counts */
    bool           dedup;       /* the aggregation is dropDuplicates: its state is the keys seen, and a
                                 * batch writes its rows whose keys are new (rf__sstate_dedup_output) */
} rf_sstate;

/* The streaming scans of p (up to max in out), or their count. */
int rf__stream_leaves(rf_plan *p, rf_plan **out, int max);

/* Finds the query's aggregation and watermark and checks Spark's rules for output mode `mode`
 * (the operations a stream allows, which queries may use append / update / complete). */
int rf__sstate_plan(const rf_plan *plan, rf_outmode mode, rf_sstate *st);

/* Batch `id` of a stateful query: the state after it, <ckpt>/state/<id>, from the state before
 * (<ckpt>/state/<id-1>, less what the watermark w_prev evicted) and the batch's rows (batch: a copy
 * of query over the batch's files; NULL for a batch without data), rows older than w_late
 * dropped; *max_event: the largest event time of the batch's rows (RF_NO_WM: none or no watermark);
 * *rows_in: the batch's rows; *state_rows: the groups in the new state. */
int rf__sstate_update(rf_session *s, const rf_sstate *st, const rf_plan *query, rf_plan *batch, const char *ckpt, int64_t id,
                      int64_t w_prev, int64_t w_late, int64_t *max_event, int64_t *rows_in, int64_t *state_rows);
/* The plan that writes batch id's output: the query above the aggregation, over the state
 * <ckpt>/state/<id> as its mode says (complete: every group; update: the groups this batch changed;
 * append: the groups the watermark w_evict closes). *out returned-owned. */
int rf__sstate_output(rf_session *s, const rf_sstate *st, const rf_plan *query, const char *ckpt, int64_t id,
                      int64_t w_evict, rf_plan **out);
/* The largest event time batch id saw, as rf__sstate_update kept it beside the state (RF_NO_WM: none). */
int64_t rf__sstate_max_event(const char *ckpt, int64_t id);
/* dropDuplicates: the plan that writes batch id's new rows — the query over the batch (a copy of
 * query over its files) with the deduplication anti-joined with the keys of <ckpt>/state/<id-1>
 * (less those the watermark w_late evicted; rows at or before it dropped as late). *out owned. */
int rf__sstate_dedup_output(rf_session *s, const rf_sstate *st, const rf_plan *query, const rf_plan *batch, const char *ckpt,
                            int64_t id, int64_t w_late, rf_plan **out);
/* Removes the state versions older than id - 1 (a replay of batch id + 1 needs id's). */
void rf__sstate_prune(const char *ckpt, int64_t id);

#endif
