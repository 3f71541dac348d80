/*
 * eventlog.c — the event log: what every job did, one JSON object per line, written by rank 0.
 *
 * `riffle.eventLog.path` (or `riffle run --event-log PATH`) turns it on. Like Spark's, the log is
 * written as PATH.inprogress and renamed to PATH when the session closes, so a reader never takes
 * a live log for a finished one. Events:
 *   {"event":"SessionStart","time":...,"ranks":N,"threads":T,"version":"...","host":"..."[,"slurm":{"jobId":...,
 *    "jobName","partition","nodes","nodeList","tasks","cpusPerTask","memPerNode","restartCount","timeLimit","timeLeft"...}]}
 *   {"event":"JobStart","job":J,"action":"collect"|"write","time":...,"path":...,"conf":{key:value of the keys set},
 *    "plan":"...","stages":"..."}
 *   {"event":"StageCompleted","job":J,"stage":S,"stages":N,"start":t,"tasks":T,"rows":R,"shuffleBytes":B,
 *    "seconds":s,"rankSecondsMin":a,"rankSecondsMax":b,"spillBytes":..,"spillFiles":..,"spillSeconds":..,
 *    "spillBytesBy":{operator kind: bytes},"rankSeconds":[per rank],"rankTasks":[..],"rankTaskSeconds":[..],
 *    "rankLongestTask":[..],"rankRows":[..][,"shuffleMatrix":{"groups":G,"ranks":N,"bytes":[[from group i to j]]}]
 *    [,"partitions":{"count":P,"maxBytes":..,"medianBytes":..}]}
 *    (the matrix: what the exchanges read as the stage started moved, ranks folded into at most 64
 *    groups; partitions: the stage's own shuffle output over all ranks, its skew is max / median)
 *   {"event":"AdaptivePlan","job":J,"stage":S,"change":"broadcastToShuffle","bytes":B,"partitions":P}
 *    (stage S's broadcast of B bytes became a shuffle into P partitions: runtime/adaptive.c);
 *    "coalescePartitions": stage S reads its inputs' B bytes with P tasks; "skewJoinSplit": a skewed
 *    partition of B bytes is read by P tasks
 *   {"event":"AdaptivePlan","job":J,"final":true,"plan":"AdaptiveSparkPlan isFinalPlan=true\n...","stages":"..."}
 *    (after an adaptive job ran: the plan and stages as they ran)
 *   {"event":"CheckpointRestored","job":J,"dir":"...","stagesReadBack":[ids],"bytes":B,"stagesSkipped":k}
 *    (riffle.checkpoint.dir: the job resumed; those stages' outputs were read back, k stages did not run)
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

/* The Slurm job around the session, from its environment, and its time limit from squeue (once,
 * on rank 0, bounded by `timeout`). Nothing outside an allocation. */
static void put_slurm(rf_buf *b)
{
    static const char *const vars[][2] = {
        { "jobId", "SLURM_JOB_ID" }, { "jobName", "SLURM_JOB_NAME" }, { "partition", "SLURM_JOB_PARTITION" },
        { "nodes", "SLURM_JOB_NUM_NODES" }, { "nodeList", "SLURM_JOB_NODELIST" }, { "tasks", "SLURM_NTASKS" },
        { "cpusPerTask", "SLURM_CPUS_PER_TASK" }, { "memPerNode", "SLURM_MEM_PER_NODE" }, { "memPerCpu", "SLURM_MEM_PER_CPU" },
        { "restartCount", "SLURM_RESTART_COUNT" }, { "account", "SLURM_JOB_ACCOUNT" }, { "qos", "SLURM_JOB_QOS" },
    };
    const char *id = getenv("SLURM_JOB_ID");
    if (!id || !*id) return;
    rf_buf_printf(b, ",\"slurm\":{");
    int n = 0;
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i][1]);
        if (!v || !*v) continue;
        rf_buf_printf(b, "%s\"%s\":", n++ ? "," : "", vars[i][0]);
        rf_buf_json_str(b, v, strlen(v));
    }
    char cmd[128], line[128] = "";
    bool digits = strspn(id, "0123456789_") == strlen(id) && strlen(id) < 40;
    snprintf(cmd, sizeof cmd, "timeout 5 squeue -h -j %s -o '%%l %%L' 2>/dev/null", digits ? id : "0");
    FILE *p = digits ? popen(cmd, "r") : NULL;
    if (p) {
        if (fgets(line, sizeof line, p)) {
            char lim[64] = "", left[64] = "";
            if (sscanf(line, "%63s %63s", lim, left) == 2) {
                rf_buf_printf(b, "%s\"timeLimit\":", n++ ? "," : "");
                rf_buf_json_str(b, lim, strlen(lim));
                rf_buf_printf(b, ",\"timeLeft\":");
                rf_buf_json_str(b, left, strlen(left));
            }
        }
        pclose(p);
    }
    rf_buf_printf(b, "}");
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
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    rf_buf_printf(&b, "{\"event\":\"SessionStart\",\"time\":%.3f,\"ranks\":%d,\"threads\":%d,\"version\":\"%s\",\"host\":",
                  wall(), nranks, omp_get_max_threads(), PACKAGE_VERSION);
    rf_buf_json_str(&b, host, strlen(host));
    put_slurm(&b);
    rf_buf_printf(&b, "}");
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

void rf__evlog_job_start(const rf_action *act, const rf_plan *phys, const rf_conf *conf)
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
    rf_buf_printf(&b, ",\"conf\":{");   /* what the job was run with: the keys set, by their canonical names */
    for (int i = 0; conf && i < conf->n; i++) {
        rf_buf_printf(&b, "%s", i ? "," : "");
        rf_buf_json_str(&b, conf->key[i], strlen(conf->key[i]));
        rf_buf_printf(&b, ":");
        rf_buf_json_str(&b, conf->val[i], strlen(conf->val[i]));
    }
    rf_buf_printf(&b, "}");
    emit_plan(&b, &plan, &stages);
}

static void put_doubles(rf_buf *b, const char *name, const double *v, int n, int stride, const char *fmt)
{
    rf_buf_printf(b, ",\"%s\":[", name);
    for (int i = 0; i < n; i++) {
        if (i) rf_buf_printf(b, ",");
        rf_buf_printf(b, fmt, v[(size_t)i * stride]);
    }
    rf_buf_printf(b, "]");
}

void rf__evlog_stage(const rf_stage_report *r)
{
    if (!ev.f) return;
    rf_buf b = { 0 };
    rf_buf_printf(&b, "{\"event\":\"StageCompleted\",\"job\":%lld,\"stage\":%d,\"stages\":%d,\"start\":%.3f,\"tasks\":%lld,\"rows\":%lld,"
                  "\"shuffleBytes\":%lld,\"seconds\":%.6f,\"rankSecondsMin\":%.6f,\"rankSecondsMax\":%.6f,"
                  "\"spillBytes\":%lld,\"spillFiles\":%lld,\"spillSeconds\":%.6f,\"spillBytesBy\":{",
                  (long long)r->job, r->stage, r->n_stages, wall() - r->secs, (long long)r->tasks, (long long)r->rows, (long long)r->sent,
                  r->secs, r->rank_min, r->rank_max, (long long)r->spill_bytes, (long long)r->spill_files, r->spill_secs);
    for (int k = 0, n = 0; k < RF_SPILL_OWNERS; k++)
        if (r->spill_by[k]) rf_buf_printf(&b, "%s\"%s\":%lld", n++ ? "," : "", rf__spill_owner_name[k], (long long)r->spill_by[k]);
    rf_buf_printf(&b, "}");
    if (r->per_rank) {
        put_doubles(&b, "rankSeconds", r->per_rank, r->nranks, RF_RANK_STATS, "%.6f");
        put_doubles(&b, "rankTasks", r->per_rank + 1, r->nranks, RF_RANK_STATS, "%.0f");
        put_doubles(&b, "rankTaskSeconds", r->per_rank + 2, r->nranks, RF_RANK_STATS, "%.6f");
        put_doubles(&b, "rankLongestTask", r->per_rank + 3, r->nranks, RF_RANK_STATS, "%.6f");
        put_doubles(&b, "rankRows", r->per_rank + 4, r->nranks, RF_RANK_STATS, "%.0f");
    }
    if (r->matrix) {
        rf_buf_printf(&b, ",\"shuffleMatrix\":{\"groups\":%d,\"ranks\":%d,\"bytes\":[", r->groups, r->nranks);
        for (int i = 0; i < r->groups; i++) {
            rf_buf_printf(&b, "%s[", i ? "," : "");
            for (int j = 0; j < r->groups; j++) rf_buf_printf(&b, "%s%lld", j ? "," : "", (long long)r->matrix[(size_t)i * r->groups + j]);
            rf_buf_printf(&b, "]");
        }
        rf_buf_printf(&b, "]}");
    }
    if (r->parts > 0)
        rf_buf_printf(&b, ",\"partitions\":{\"count\":%lld,\"maxBytes\":%lld,\"medianBytes\":%lld}", (long long)r->parts,
                      (long long)r->part_max, (long long)r->part_median);
    rf_buf_printf(&b, "}");
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

void rf__evlog_resumed(int64_t job, const char *dir, const bool *restored, int n, int64_t bytes, int skipped)
{
    if (!ev.f) return;
    rf_buf b = { 0 };
    rf_buf_printf(&b, "{\"event\":\"CheckpointRestored\",\"job\":%lld,\"dir\":", (long long)job);
    rf_buf_json_str(&b, dir, strlen(dir));
    rf_buf_printf(&b, ",\"stagesReadBack\":[");
    for (int i = 0, k = 0; i < n; i++)
        if (restored[i]) rf_buf_printf(&b, "%s%d", k++ ? "," : "", i);
    rf_buf_printf(&b, "],\"bytes\":%lld,\"stagesSkipped\":%d}", (long long)bytes, skipped);
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
