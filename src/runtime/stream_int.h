/*
 * stream_int.h — what runtime/stream.c (the query loop, the checkpoint logs, the sink) and
 * runtime/stream_state.c (the aggregation state kept between batches) share.
 */
#ifndef RF_STREAM_INT_H
#define RF_STREAM_INT_H

#include "runtime/runtime.h"
#include "riffle/stream.h"

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
                      int64_t w_prev, int64_t w_evict, rf_plan **out);
/* The largest event time batch id saw, as rf__sstate_update kept it beside the state (RF_NO_WM: none). */
int64_t rf__sstate_max_event(const char *ckpt, int64_t id);
/* dropDuplicates: the plan that writes batch id's new rows — the query over the batch (a copy of
 * query over its files) with the deduplication anti-joined with the keys of <ckpt>/state/<id-1>
 * (less those the watermark w_late evicted; rows at or before it dropped as late). *out owned. */
int rf__sstate_dedup_output(rf_session *s, const rf_sstate *st, const rf_plan *query, const rf_plan *batch, const char *ckpt,
                            int64_t id, int64_t w_late, rf_plan **out);
/* Removes the state versions the state after batch id does not need (a replay of batch id + 1
 * reads it: the latest snapshot at or before id and the deltas after it). */
void rf__sstate_prune(const char *ckpt, int64_t id);

/* ---- the query (stream.c) */
typedef enum { TRIG_DEFAULT = 0, TRIG_ONCE, TRIG_AVAILABLE_NOW, TRIG_INTERVAL } trig_kind;

typedef struct { char *path; int64_t size, mtime; } sfile;   /* a landing file as a batch read it */
typedef struct {
    sfile   *f;
    int64_t  n, cap;
    int64_t *slot, nslots;   /* when indexed (the files read so far): open addressing by path, -1 empty */
} sfiles;

struct rf_stream {
    rf_session *s;
    rf_plan    *plan;          /* the query (a copy), its one streaming scan below */
    rf_plan    *leaf;          /* borrowed: that scan */
    char       *out, *ckpt;
    bool        header;
    char        delim;
    bool        h5;            /* the sink writes HDF5 (format=hdf5), else CSV */
    enum { SINK_DIR = 0, SINK_CONSOLE, SINK_FOREACH, SINK_MEMORY } sink;   /* files in out; show() on stdout; a C callback; rows kept */
    rf_result  *mem;           /* SINK_MEMORY: the rows so far (rf_stream_memory) */
    rf_foreach_batch_fn fn;    /* SINK_FOREACH */
    void       *fn_ctx;
    trig_kind   trig;
    double      interval;      /* TRIG_INTERVAL: seconds */
    volatile int stop;
    int         err;
    char        msg[1024];
    char        progress[512];
    sfiles      seen;          /* every file an offset log names */
    int64_t     next;          /* the next batch id */
    rf_sstate   st;            /* the aggregation and watermark, if any (stream_state.c) */
    int64_t     wm;            /* the next batch's watermark (µs; RF_NO_WM: the query has none) */
    int64_t     wm_last;       /* the last batch's: the next one's for late rows */
    bool        nodata;        /* the watermark moved: a batch without data is due to close groups */
    int64_t     rate_base;     /* a rate source: the first start (µs since the epoch), -1 before it */
    int64_t     rate_next;     /* ... the next value; rate_s..rate_e the running batch's values */
    int64_t     rate_s, rate_e;
    int         sock;          /* a socket source: the connection (-1: none) */
    rf_buf      sockbuf;       /* ... bytes received, not yet a whole line */
    char      **lines;         /* ... the running batch's lines */
    int64_t     n_lines;
};

int  rf__stream_read_text(const char *path, rf_buf *b);   /* a whole small file, NUL-terminated */
int  rf__stream_write_log(const rf_stream *q, const char *kind, int64_t id, const rf_buf *body);   /* <ckpt>/<kind>/<id>, atomically */

/* ---- what a stream reads (stream_source.c) */
int  rf__abs_path(char **path);                  /* *path made absolute (it exists) */
bool rf__is_socket(const rf_source *src);
int  rf__sock_connect(rf_stream *q);             /* to the socket source's host:port */
int  rf__sock_take(rf_stream *q);                /* the whole lines received so far into q->lines */
void rf__lines_free(rf_stream *q);
int  rf__lines_save(const rf_stream *q, int64_t id);   /* <ckpt>/socket/<id>: a replay reads them back */
int  rf__lines_load(rf_stream *q, int64_t id);
/* A batch of a socket or rate source: its rows in place of the source's scan `leaf` in a copy of the
 * query (a VALUES node of q->lines; range(rate_s, rate_e) projected to (timestamp, value)). */
int  rf__socket_rows(rf_stream *q, rf_plan *leaf);
int  rf__rate_rows(rf_stream *q, rf_plan *leaf);

#endif
