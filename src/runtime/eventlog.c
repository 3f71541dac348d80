/*
 * eventlog.c — the event log: what every job did, one JSON object per line, written by rank 0.
 *
 * `riffle.eventLog.path` (or `riffle run --event-log PATH`) turns it on. Like Spark's, the log is
 * written as PATH.inprogress and renamed to PATH when the session closes, so a reader never takes
 * a live log for a finished one. Events:
 *   {"event":"SessionStart","time":...,"ranks":N,"threads":T,"version":"..."}
 *   {"event":"JobStart","job":J,"action":"collect"|"write","time":...,"path":...,"plan":"...","stages":"..."}
 *   {"event":"StageCompleted","job":J,"stage":S,"stages":N,"tasks":T,"rows":R,"shuffleBytes":B,
 *    "seconds":s,"rankSecondsMin":a,"rankSecondsMax":b}
 *   {"event":"AdaptivePlan","job":J,"stage":S,"change":"broadcastToShuffle","bytes":B,"partitions":P}
 *    (stage S's broadcast of B bytes became a shuffle into P partitions: runtime/adaptive.c);
 *    "coalescePartitions": stage S reads its inputs' B bytes with P tasks; "skewJoinSplit": a skewed
 *    partition of B bytes is read by P tasks
 *   {"event":"AdaptivePlan","job":J,"final":true,"plan":"AdaptiveSparkPlan isFinalPlan=true\n...","stages":"..."}
 *    (after an adaptive job ran: the plan and stages as they ran)
 *   {"event":"JobEnd","job":J,"status":"ok"|"failed","seconds":s[,"error":"...","rank":r]}
 *   {"event":"SessionEnd","time":...,"jobs":n}
 * Rows are the rows a stage's tasks produced; shuffle bytes are what the exchanges it reads sent
 * between ranks as it started (a rank's data for itself is not counted); rank seconds
 * are the fastest and slowest rank's time in the stage (their gap is the skew).
 * Times are seconds since the epoch (UTC). The log never fails a job: a write error is reported
 * once on stderr and the log stops.
 */
#include <errno.h>
#include <omp.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "runtime/runtime.h"

static struct {
    FILE   *f;
    char   *path, *tmp;
    int64_t jobs;
    double  job_t0;
} ev;

bool rf__evlog_on(void) { return ev.f != NULL; }

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void emit(rf_buf *b)
{
    if (!ev.f) return;
    if (fwrite(b->data, 1, b->len, ev.f) != b->len || fputc('\n', ev.f) == EOF || fflush(ev.f)) {
        fprintf(stderr, "riffle: warning: event log %s: write failed (%s); logging stops\n", ev.tmp, strerror(errno));
        fclose(ev.f);
        ev.f = NULL;
    }
}

int rf__evlog_open(const char *path, int nranks)
{
    if (ev.f && !strcmp(ev.path, path)) return RF_OK;
    rf__evlog_close();
    size_t n = strlen(path) + 16;
    ev.path = rf_strdup(path);
    ev.tmp = rf_malloc(n);
    if (!ev.path || !ev.tmp) { rf__evlog_close(); return rf__err_set(RF_ERR_NOMEM, "out of memory"); }
    snprintf(ev.tmp, n, "%s.inprogress", path);
    if (!(ev.f = fopen(ev.tmp, "w"))) {
        int rc = rf__err_set(RF_ERR_IO, "event log %s: cannot create: %s", ev.tmp, strerror(errno));
        rf__evlog_close();
        return rc;
    }
    ev.jobs = 0;
    rf_buf b = { 0 };
    rf_buf_printf(&b, "{\"event\":\"SessionStart\",\"time\":%.3f,\"ranks\":%d,\"threads\":%d,\"version\":\"%s\"}",
                  wall(), nranks, omp_get_max_threads(), PACKAGE_VERSION);
    emit(&b);
    rf_buf_fini(&b);
    return RF_OK;
}

/* Ends event b with the plan and stages texts as JSON strings, writes it and frees all three. */
static void emit_plan(rf_buf *b, rf_buf *plan, rf_buf *stages)
{
    rf_buf_printf(b, ",\"plan\":");
    rf_buf_json_str(b, plan->data ? (const char *)plan->data : "", plan->len);
    rf_buf_printf(b, ",\"stages\":");
    rf_buf_json_str(b, stages->data ? (const char *)stages->data : "", stages->len);
    rf_buf_printf(b, "}");
    emit(b);
    rf_buf_fini(b);
    rf_buf_fini(plan);
    rf_buf_fini(stages);
}

void rf__evlog_job_start(const rf_action *act, const rf_plan *phys)
{
    if (!ev.f) return;
    rf_buf b = { 0 }, plan = { 0 }, stages = { 0 };
    rf_stages st = { 0 };
    ev.job_t0 = rf_now();
    ev.jobs++;
    if (!rf__stages_split((rf_plan *)phys, &st)) rf__stages_explain(&st, &stages);
    rf__plan_explain(phys, st.n ? &st : NULL, &plan);
    rf__stages_fini(&st);
    rf_buf_printf(&b, "{\"event\":\"JobStart\",\"job\":%lld,\"action\":\"%s\",\"time\":%.3f", (long long)act->job_id,
                  act->kind == RF_ACT_COLLECT ? "collect" : "write", wall());
    if (act->out.path) { rf_buf_printf(&b, ",\"path\":"); rf_buf_json_str(&b, act->out.path, strlen(act->out.path)); }
    emit_plan(&b, &plan, &stages);
}

void rf__evlog_stage(int64_t job, int stage, int n_stages, int64_t tasks, int64_t rows, int64_t sent, double secs,
                     double rank_min, double rank_max, int64_t spill_bytes, int64_t spill_files, double spill_secs,
                     const int64_t *by_owner)
{
    if (!ev.f) return;
    rf_buf b = { 0 };
    rf_buf_printf(&b, "{\"event\":\"StageCompleted\",\"job\":%lld,\"stage\":%d,\"stages\":%d,\"tasks\":%lld,\"rows\":%lld,"
                  "\"shuffleBytes\":%lld,\"seconds\":%.6f,\"rankSecondsMin\":%.6f,\"rankSecondsMax\":%.6f,"
                  "\"spillBytes\":%lld,\"spillFiles\":%lld,\"spillSeconds\":%.6f,\"spillBytesBy\":{",
                  (long long)job, stage, n_stages, (long long)tasks, (long long)rows, (long long)sent, secs, rank_min, rank_max,
                  (long long)spill_bytes, (long long)spill_files, spill_secs);
    for (int k = 0, n = 0; k < RF_SPILL_OWNERS; k++)
        if (by_owner[k]) rf_buf_printf(&b, "%s\"%s\":%lld", n++ ? "," : "", rf__spill_owner_name[k], (long long)by_owner[k]);
    rf_buf_printf(&b, "}}");
    emit(&b);
    rf_buf_fini(&b);
}

void rf__evlog_adaptive(int64_t job, int stage, const char *what, int64_t bytes, int64_t partitions)
{
    if (!ev.f) return;
    rf_buf b = { 0 };
    rf_buf_printf(&b, "{\"event\":\"AdaptivePlan\",\"job\":%lld,\"stage\":%d,\"change\":\"%s\",\"bytes\":%lld,\"partitions\":%lld}",
                  (long long)job, stage, what, (long long)bytes, (long long)partitions);
    emit(&b);
    rf_buf_fini(&b);
}

void rf__evlog_stream_progress(const char *fields)
{
    if (!ev.f) return;
    rf_buf b = { 0 };
    rf_buf_printf(&b, "{\"event\":\"StreamingQueryProgress\",%s", fields[0] == '{' ? fields + 1 : fields);
    emit(&b);
    rf_buf_fini(&b);
}

void rf__evlog_final_plan(int64_t job, const rf_plan *phys, const rf_stages *st)
{
    if (!ev.f) return;
    rf_buf b = { 0 }, plan = { 0 }, stages = { 0 };
    rf__plan_explain_adaptive(phys, st, true, &plan);
    rf__stages_explain(st, &stages);
    rf_buf_printf(&b, "{\"event\":\"AdaptivePlan\",\"job\":%lld,\"final\":true", (long long)job);
    emit_plan(&b, &plan, &stages);
}

void rf__evlog_job_end(int64_t job, int rc, const rf_error *err)
{
    if (!ev.f) return;
    rf_buf b = { 0 };
    rf_buf_printf(&b, "{\"event\":\"JobEnd\",\"job\":%lld,\"status\":\"%s\",\"seconds\":%.6f", (long long)job,
                  rc ? "failed" : "ok", rf_now() - ev.job_t0);
    if (rc && err) {
        rf_buf_printf(&b, ",\"error\":");
        rf_buf_json_str(&b, err->msg, strlen(err->msg));
        rf_buf_printf(&b, ",\"rank\":%d", err->rank);
    }
    rf_buf_printf(&b, "}");
    emit(&b);
    rf_buf_fini(&b);
}

void rf__evlog_close(void)
{
    if (ev.f) {
        rf_buf b = { 0 };
        rf_buf_printf(&b, "{\"event\":\"SessionEnd\",\"time\":%.3f,\"jobs\":%lld}", wall(), (long long)ev.jobs);
        emit(&b);
        rf_buf_fini(&b);
    }
    if (ev.f) {
        bool ok = fsync(fileno(ev.f)) == 0;
        ok &= fclose(ev.f) == 0;
        ev.f = NULL;
        if (!ok || rename(ev.tmp, ev.path))
            fprintf(stderr, "riffle: warning: event log %s: cannot finish: %s\n", ev.path, strerror(errno));
    }
    RF_FREE(ev.path);
    RF_FREE(ev.tmp);
}
