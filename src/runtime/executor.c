/*
 * executor.c — runs a staged physical plan on this rank (every rank runs this for every job).
 *
 * For each stage, in order:
 *   1. pre-pass (collective) for CSV scans: per split, quote parity and line number at its start;
 *   2. local phase: the rank's tasks (task t runs on rank t mod nranks) run in an OpenMP loop, each
 *      with its own operator tree and its own output buffers (no locks in the hot path);
 *   3. agreement: an Allreduce of the status, so a failure anywhere stops every rank together;
 *   4. exchange (collective), or for the result stage: gather to rank 0 / write part files.
 * Exchanged data of a stage is freed once the stage reading it has run. The phases other than the
 * task runs live beside this file (executor.h: prepass.c, h5out.c, range.c, gather.c, caches.c,
 * metrics.c, progress.c, checkpoint.c). With riffle.checkpoint.dir, stages a checkpoint holds are
 * read back rather than run, and each shuffle stage that runs is checkpointed once its map output
 * is complete.
 */
#include <errno.h>
#include <limits.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <unistd.h>
#include "runtime/executor.h"
#include "expr/udf.h"
#include "io/h5.h"
#include "io/partition.h"

/* ---------------------------------------------------------------- map side */
static uint64_t part_hash(uint64_t h) { return rf_hash_u64(h ^ 0x2545f4914f6cdd1dULL); }

/* Partition ids of b's rows for exchange x (HASH / SINGLE / ROUNDROBIN / COALESCE / BROADCAST). */
int rf__partition_ids(const rf_plan *x, int64_t task, int64_t ntasks, const rf_batch *b, int64_t *seen, int64_t **pid)
{
    int64_t n = b->nrows, P = x->n;
    int rc = RF_OK;
    *pid = rf_malloc((size_t)(n ? n : 1) * sizeof **pid);
    if (!*pid) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    switch (x->mode) {
    case RF_X_HASH: {
        int nk = x->n_exprs;
        rf_column **k = rf_calloc((size_t)nk + 1, sizeof *k);
        uint64_t *h = NULL;
        if (!k) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
        for (int i = 0; i < nk && !rc; i++) rc = rf__expr_eval(x->exprs[i], b, &k[i]);
        if (!rc) rc = rf__hash_rows(k, nk, n, &h);
        for (int64_t i = 0; !rc && i < n; i++) (*pid)[i] = (int64_t)(part_hash(h[i]) % (uint64_t)P);
        rf_free(h);
        for (int i = 0; k && i < nk; i++) rf_column_release(&k[i]);
        rf_free(k);
        break;
    }
    case RF_X_DIRECT: {
        rf_column *k = NULL;
        rc = rf__expr_eval(x->exprs[0], b, &k);
        for (int64_t i = 0; !rc && i < n; i++) {
            int64_t v = rf_column_valid(k, i) ? rf_column_get_int(k, i) : 0;
            (*pid)[i] = (int64_t)((uint64_t)(v % P + P) % (uint64_t)P);
        }
        rf_column_release(&k);
        break;
    }
    case RF_X_ROUNDROBIN:
        for (int64_t i = 0; i < n; i++) (*pid)[i] = (int64_t)(((uint64_t)task * 2654435761u + (uint64_t)(*seen + i)) % (uint64_t)P);
        break;
    case RF_X_COALESCE:
        for (int64_t i = 0; i < n; i++) (*pid)[i] = ntasks > 0 ? task * P / ntasks : 0;
        break;
    default:
        memset(*pid, 0, (size_t)n * sizeof **pid);
        break;
    }
    *seen += n;
    if (rc) RF_FREE(*pid);
    return rc;
}


/* What a running task may hold of its map output before moving it into the rank's spools: a share
 * of the execution pool (1/16 over the threads), within [1 MB, 8 MB]. */
int64_t rf__map_flush_bytes(void)
{
    int64_t b = rf__mem_pool() / (16 * (int64_t)omp_get_max_threads());
    return b < (1 << 20) ? 1 << 20 : b > (8 << 20) ? 8 << 20 : b;
}

/* What one pipeline breaker of a task (aggregation, join build, sort, window) may hold before it
 * spills: half the execution pool over the threads, at least 256 KB. */
static int64_t op_mem_bytes(void)
{
    int64_t b = rf__mem_pool() / (2 * (int64_t)omp_get_max_threads());
    return b < (256 << 10) ? 256 << 10 : b;
}

static int run_task_(const rf_stage *st, int64_t t, rf_task_ctx *ctx, const rf_action *act, rf_shuffle_out *xo, task_out *o);
/* Runs task t; user callbacks in it build values in the engine's scratch area (expr/udf.h). */
static int run_task(const rf_stage *st, int64_t t, rf_task_ctx *ctx, const rf_action *act, rf_shuffle_out *xo, task_out *o)
{
    rf__val_engine_enter();
    int rc = run_task_(st, t, ctx, act, xo, o);
    rf__val_engine_leave();
    return rc;
}

static int run_task_(const rf_stage *st, int64_t t, rf_task_ctx *ctx, const rf_action *act, rf_shuffle_out *xo, task_out *o)
{
    rf_op *op = NULL;
    rf_batch *b = NULL;
    rf_mapout map = { 0 };
    rf_buf tmp = { 0 };
    int64_t seen = 0, flush_at = rf__map_flush_bytes();
    pw_state pw = { 0 };
    int rc = rf__op_build(st->root, t, ctx, &op);
    if (rc) return rc;
    const rf_plan *x = st->exchange;
    if (x && x->mode != RF_X_RANGE) RF_TRY(rf__mapout_init(&map, t, x->mode == RF_X_BROADCAST || x->mode == RF_X_SINGLE ? 1 : x->n));
    if (!x && (act->kind == RF_ACT_WRITE_CSV || act->kind == RF_ACT_WRITE_RFB)) {
        rc = (act->kind == RF_ACT_WRITE_CSV ? rf__csv_write_part : rf__rfb_write_part)(&act->out, t, op, st->root->schema, &o->nrows);
        goto done;
    }
    if (!x && act->kind == RF_ACT_WRITE_HDF5 && act->out.partition_by && *act->out.partition_by)
        RF_TRY(rf__pw_init(&pw, st->root->schema, act->out.partition_by, ctx));
    for (;;) {
        if (rf__stop_requested()) { rc = rf__stop_error(); goto done; }   /* a safe point between batches */
        if (ctx->cancel && rf__cancelled(ctx->cancel, t)) { rc = rf__err_set(RF_ERR_CANCELLED, "cancelled: another task failed first"); goto done; }
        RF_TRY(rf__op_next(op, &b));
        if (!b) break;
        if (b->nrows == 0) { rf_batch_destroy(&b); continue; }
        o->nrows += b->nrows;
        rf__progress_add(ctx->progress, b->nrows, 0, 0);
        if (!x && act->kind == RF_ACT_COLLECT) {
            RF_TRY(rf__pack_batch(b, NULL, b->nrows, &o->result));
        } else if (x && x->mode == RF_X_RANGE) {   /* kept (or spilled) until the bounds are known */
            RF_TRY(rf__spool_put_batch(&o->ranged, b, NULL, 0, &tmp));
        } else if (!x && pw.np) {   /* partitioned HDF5 write: sorted by partition key */
            rc = rf__pw_add(&pw, st->root->schema, b);
            b = NULL;
            if (rc) goto done;
            continue;
        } else if (!x) {   /* HDF5 write: spooled (or spilled) for the collective phase */
            RF_TRY(rf__h5out_note(o, b, st->root->schema->n));
            RF_TRY(rf__spool_put_batch(&o->ranged, b, NULL, 0, &tmp));
        } else if (x->mode == RF_X_BROADCAST || x->mode == RF_X_SINGLE) {
            RF_TRY(rf__mapout_add(&map, b, NULL));
        } else {
            int64_t *pid = NULL;
            RF_TRY(rf__partition_ids(x, t, st->n_tasks, b, &seen, &pid));
            rc = rf__mapout_add(&map, b, pid);
            rf_free(pid);
            if (rc) goto done;
        }
        if (map.bytes > flush_at) {
            rf__progress_add(ctx->progress, 0, map.bytes, 0);
            RF_TRY(rf__shuffle_out_add(xo, &map));
        }
        rf_batch_destroy(&b);
    }
    if (map.part) {
        rf__progress_add(ctx->progress, 0, map.bytes, 0);
        rc = rf__shuffle_out_add(xo, &map);
    }
    if (!rc && pw.np) rc = rf__pw_finish(&pw, o, &tmp);
done:
    rf__pw_fini(&pw);
    rf__mapout_fini(&map);
    rf_buf_fini(&tmp);
    rf_batch_destroy(&b);
    rf__op_destroy(&op);
    return rc;
}

/* The rank running task t of stage s: as adaptive execution placed it, else t mod nranks. */
static int task_rank_of(const rf_stage *s, int64_t t, int nranks) { return s->task_rank ? s->task_rank[t] : (int)(t % nranks); }

typedef struct { const int64_t *bytes; const int64_t *tasks; } bigger_ctx;
static int bigger_first(void *p, int64_t a, int64_t b)
{
    const bigger_ctx *c = p;
    int64_t x = c->bytes[c->tasks[a]], y = c->bytes[c->tasks[b]];
    return (x < y) - (x > y);
}

/* Whether MPI may be called from any thread, one at a time (HDF5's MPI-IO reads run in tasks). */
static bool mpi_serialized(void)
{
    int level = MPI_THREAD_SINGLE;
    MPI_Query_thread(&level);
    return level >= MPI_THREAD_SERIALIZED;
}

/* ---------------------------------------------------------------- the job */
/* Collective, before stage si: Slurm's warning (SIGUSR1) seen by any rank, with checkpoints on,
 * stops the job here: the stages before are done (and checkpointed when the job can be). */
static int wind_down(MPI_Comm comm, const rf_action *act, const rf_ckpt *ck, const rf_stages *st, int si, rf_error *err)
{
    if (!act->checkpoint_dir || !*act->checkpoint_dir) return RF_OK;   /* the same on every rank */
    int mine = rf__wind_down_requested(), any = 0, rc = RF_OK;
    RF_MPI(MPI_Allreduce(&mine, &any, 1, MPI_INT, MPI_MAX, comm));
    if (!any) return RF_OK;
    if (ck->on)
        rf__err_set(RF_ERR_PREEMPTED, "stopped by SIGUSR1 (the warning before the time limit) before stage %d of %d; the stages done are "
                    "checkpointed in %s: run the same job again to resume", si + 1, st->n, ck->dir);
    else
        rf__err_set(RF_ERR_PREEMPTED, "stopped by SIGUSR1 (the warning before the time limit) before stage %d of %d; this job cannot be "
                    "checkpointed (it reads a cache or a stream) and starts over when run again", si + 1, st->n);
    return rf__agree(comm, RF_ERR_PREEMPTED, err);
done:
    return rc;
}

static int64_t last_rows[2];   /* the last job's rows in and out, over every rank */

void rf__job_rows(int64_t *in, int64_t *out) { *in = last_rows[0]; *out = last_rows[1]; }

int rf__job_run(MPI_Comm comm, const rf_action *act, rf_plan *plan, rf_batch **result, rf_error *err)
{
    int rank, nranks, rc = RF_OK;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &nranks);
    rf_stages st = { 0 };
    rf_xdata *xd = NULL;
    rf_shuffle_out *xos = NULL;   /* by stage id: map output not exchanged yet (until the stage reading it starts) */
    bool *pending = NULL, *skip = NULL;
    int64_t n_ids = 0;
    rf_ckpt ck = { 0 };
    if (result) *result = NULL;
    rf_opstats stats = { 0 };
    double t_start = rf_now();
    if (act->analyze) {   /* EXPLAIN ANALYZE: counters per node (planned ids, then the ids adaptive nodes get) */
        stats.n_ids = (int64_t)rf__plan_max_id(plan, 0) + 1;
        stats.rows = rf_calloc((size_t)(2 * stats.n_ids), sizeof *stats.rows);
        stats.nanos = rf_calloc((size_t)(2 * stats.n_ids), sizeof *stats.nanos);
        stats.mem = rf_calloc((size_t)(2 * stats.n_ids), sizeof *stats.mem);
        stats.spill = rf_calloc((size_t)(2 * stats.n_ids), sizeof *stats.spill);
        if (!stats.rows || !stats.nanos || !stats.mem || !stats.spill) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
        rf__analysis_reset();
    }
    rf__forget_caches(act);
    rc = rf__stages_split(plan, &st);
    n_ids = 2 * (int64_t)st.n + 2;   /* adaptive execution adds at most a stage per planned one */
    if (!rc && !(xd = rf_calloc((size_t)(st.n ? st.n : 1), sizeof *xd))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    if (!rc && (!(xos = rf_calloc((size_t)n_ids, sizeof *xos)) || !(pending = rf_calloc((size_t)n_ids, sizeof *pending))))
        rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    /* the rank's memory budget and spill directory (core/spill.h); the first job also removes what
     * killed ranks left in the local directories */
    {
        static bool first = true;
        static int64_t said = -1;
        int64_t was = rf__mem_budget();
        rf__mem_budget_init(comm, act->mem_budget, "riffle.executor.memory");
        rf__spill_configure(act->local_dir);
        if (first) rf__spill_sweep();
        first = false;
        if (rank == 0 && act->progress && (said < 0 || was != rf__mem_budget())) {
            said = rf__mem_budget();
            fprintf(stderr, "riffle: memory budget %.0f MB per rank (%s), %.0f MB of it for execution; spilling to %s\n",
                    (double)rf__mem_budget() / 1048576.0, rf__mem_budget_why(), (double)rf__mem_pool() / 1048576.0,
                    act->local_dir && *act->local_dir ? act->local_dir : getenv("SLURM_TMPDIR") ? getenv("SLURM_TMPDIR") : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        }
    }
    if ((rc = rf__agree(comm, rc, err))) goto done;
    /* stages a checkpoint of an earlier attempt already did (checkpoint.c) */
    if (!(skip = rf_calloc((size_t)n_ids, sizeof *skip))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    if ((rc = rf__agree(comm, rc, err)) || (rc = rf__ckpt_begin(comm, act, plan, &st, xos, pending, skip, (int)n_ids, &ck, err))) goto done;
    double t_job = rf_now();
    bool heard = false;   /* rank 0 printed live progress in this job: stage and job lines follow */
    int64_t io_rows[2] = { 0, 0 };   /* rows scanned, rows the last stage gave */
    rf__scanned_rows(true);
    for (int si = 0; si < st.n; si++) {
        double t0 = rf_now();
        int64_t sent = 0;
        /* the map output this stage reads moves now, once every input's sizes are known: adaptive
         * execution may re-plan the stage's tasks from them first (adaptive.c) */
        if (st.s[si].id < n_ids && skip[st.s[si].id]) continue;
        if ((rc = wind_down(comm, act, &ck, &st, si, err))) goto done;
        rf__exchange_matrix_reset();
        if ((rc = rf__adapt_stage(comm, act, &st, si, xos, pending, xd, op_mem_bytes(), &sent, err))) goto done;
        rf_stage *s = &st.s[si];
        rf_cancel cancel;
        rf_task_ctx ctx = { .xdata = xd, .stages = &st, .stage = s, .batch_rows = act->batch_rows, .h5_mpio = act->h5_mpio && mpi_serialized(), .cancel = &cancel,
                            .stats = act->analyze ? &stats : NULL,
                            .partial_groups = act->partial_groups, .force_spill = act->force_spill, .op_mem = op_mem_bytes() };
        rf_scanprep *prep = NULL;
        int nprep = 0;
        rf_dynf *dynf = NULL;   /* top-n dynamic filters, shared by the stage's tasks on this rank */
        if (rf__dynf_find(s->root, &dynf, &ctx.n_dynf)) { ctx.n_dynf = 0; rf__err_clear(); }   /* none is no error: they only skip work */
        ctx.dynf = dynf;
        /* a safe point: a stop signal (SIGTERM, SIGINT) seen by any rank stops every rank here */
        int lrc = rf__stop_requested() ? rf__stop_error() : RF_OK;
        rc = rf__csv_prepass(comm, s, lrc, &prep, &nprep, err);
        if (rc) { rf__csv_prep_free(prep, nprep); rf__dynf_free(&dynf, ctx.n_dynf); goto done; }
        ctx.prep = prep;
        ctx.n_prep = nprep;
        int64_t nlocal = 0;
        for (int64_t t = 0; t < s->n_tasks; t++) nlocal += task_rank_of(s, t, nranks) == rank;
        rf_progress prog;
        rf__progress_begin(&prog, comm, act, si, st.n, s->n_tasks);
        ctx.progress = &prog;
        rf_shuffle_out xo = { 0 };
        rf__spill_stats_reset();
        rf__mem_peak_reset();
        if (!lrc && s->exchange) {
            const rf_plan *x = s->exchange;
            bool one = x->mode == RF_X_BROADCAST || x->mode == RF_X_SINGLE;
            lrc = rf__shuffle_out_init(&xo, nranks, one ? 1 : x->n, x->mode == RF_X_BROADCAST, x->rank_offset);
        }
        task_out *outs = rf_calloc((size_t)(nlocal ? nlocal : 1), sizeof *outs);
        int64_t *tasks = rf_calloc((size_t)(nlocal ? nlocal : 1), sizeof *tasks), bad_task = INT64_MAX;
        int64_t *order = rf_calloc((size_t)(nlocal ? nlocal : 1), sizeof *order);   /* the order tasks start in */
        if (!outs || !tasks || !order) lrc = rf__err_set(RF_ERR_NOMEM, "out of memory");
        for (int64_t k = 0; k < nlocal && outs; k++) {
            rf__spool_init(&outs[k].ranged);
            outs[k].ranged.owner = s->exchange ? RF_SPILL_EXCHANGE : RF_SPILL_WRITE;
        }
        for (int64_t t = 0, k = 0; t < s->n_tasks && !lrc; t++)
            if (task_rank_of(s, t, nranks) == rank) tasks[k++] = t;
        for (int64_t k = 0; k < nlocal && !lrc; k++) order[k] = k;
        if (!lrc && s->task_bytes) {   /* biggest first when adaptive execution knows the sizes (stable) */
            bigger_ctx bc = { s->task_bytes, tasks };
            lrc = rf_sort_idx(order, nlocal, bigger_first, &bc);
        }
        /* a task that fails cancels the tasks above it, here and on every rank (rf_cancel); the
         * messages of the stage are drained before the agreement */
        int crc = rf__cancel_begin(&cancel, comm);
        if (!lrc && !crc) {
            #pragma omp parallel for schedule(dynamic, 1)
            for (int64_t i = 0; i < nlocal; i++) {
                int64_t k = order[i];
                rf__err_clear();
                if (rf__stop_requested()) outs[k].rc = rf__stop_error();
                else if (rf__cancelled(&cancel, tasks[k])) outs[k].rc = rf__err_set(RF_ERR_CANCELLED, "cancelled: another task failed first");
                else {
                    double ts = rf_now();
                    outs[k].rc = run_task(s, tasks[k], &ctx, act, &xo, &outs[k]);
                    outs[k].secs = rf_now() - ts;
                }
                rf__progress_add(&prog, 0, 0, 1);
                rf__mem_trim();   /* between tasks: freed memory back to the system when near the budget */
                if (outs[k].rc) {
                    outs[k].err = *rf__err_slot();
                    if (outs[k].rc != RF_ERR_CANCELLED) rf__cancel_raise(&cancel, outs[k].rc == RF_ERR_STOPPED ? -1 : tasks[k]);
                }
            }
            for (int64_t k = 0; k < nlocal; k++)
                if (outs[k].rc && outs[k].rc != RF_ERR_CANCELLED) {   /* the lowest failing task speaks for the rank */
                    lrc = outs[k].rc;
                    *rf__err_slot() = outs[k].err;
                    bad_task = tasks[k];
                    break;
                }
            for (int64_t k = 0; k < nlocal && !lrc; k++)
                if (outs[k].rc) { lrc = outs[k].rc; *rf__err_slot() = outs[k].err; }   /* only cancelled here */
        }
        int prc = rf__progress_end(&prog, crc ? NULL : &cancel);   /* every rank, even one that failed */
        if (!lrc) lrc = prc;
        if (rf__stop_requested() && (!lrc || lrc == RF_ERR_CANCELLED)) lrc = rf__stop_error();
        int erc = rf__cancel_end(&cancel);
        if (!lrc) lrc = crc ? crc : erc;
        /* the lowest failing task of all speaks for the job: the first bad record in file order is
         * the one reported, at any rank count */
        rc = rf__agree_key(comm, lrc, bad_task == INT64_MAX ? 0 : bad_task, err);
        int64_t rows = 0;
        double busy = 0, longest = 0;
        for (int64_t k = 0; k < nlocal && outs; k++) {
            rows += outs[k].nrows;
            busy += outs[k].secs;
            if (outs[k].secs > longest) longest = outs[k].secs;
        }
        if (!s->exchange) io_rows[1] += rows;
        /* each collective step below agrees on the status it is given before it communicates, and
         * returns an agreed status: every rank takes the same branches */
        if (s->exchange && s->exchange->mode == RF_X_RANGE) rc = rf__range_partition(comm, s, outs, tasks, nlocal, &xo, rc, err);
        if (s->exchange && s->exchange->mode == RF_X_BROADCAST) {
            rc = rf__adapt_broadcast(comm, act, &st, si, &xo, &xd, ctx.op_mem, rc, err);
            s = &st.s[si];   /* the stages may have grown */
        }
        if (s->exchange) {   /* kept until the stage reading it starts (rc is agreed: the same on every rank) */
            if (!rc && s->id < n_ids) {
                xos[s->id] = xo;
                memset(&xo, 0, sizeof xo);
                pending[s->id] = true;
                rc = rf__agree(comm, rf__ckpt_stage(comm, &ck, act, s, &xos[s->id]), err);
            } else if (!rc) rc = rf__agree(comm, rf__err_set(RF_ERR_INTERNAL, "too many stages"), err);
        } else if (act->kind == RF_ACT_COLLECT) {
            rc = rf__gather_result(comm, rc, act, s->root->schema, outs, tasks, nlocal, result, err);
        } else if (act->kind == RF_ACT_WRITE_HDF5) {
            rc = rf__write_hdf5(comm, rc, act, s, outs, tasks, nlocal, err);
        }
        rf__shuffle_out_fini(&xo);
        for (int64_t k = 0; k < nlocal && outs; k++) {
            rf__spool_fini(&outs[k].ranged);
            rf_batch_destroy(&outs[k].cur);
            for (int64_t i = 0; i < outs[k].n_pk; i++) { rf_free(outs[k].pk[i].key); rf_free(outs[k].pk[i].sbytes); rf_free(outs[k].pk[i].anynull); }
            rf_free(outs[k].pk);
            rf_free(outs[k].sbytes);
            rf_free(outs[k].anynull);
            rf_buf_fini(&outs[k].result);
        }
        rf_free(outs);
        rf_free(tasks);
        rf_free(order);
        rf__csv_prep_free(prep, nprep);
        rf__dynf_free(&dynf, ctx.n_dynf);
        for (int i = 0; i < s->n_inputs; i++)   /* a reused exchange's output stays for its last reader */
            if (!rf__stage_readers(&st, s->inputs[i], si)) rf__xdata_fini(&xd[s->inputs[i]]);
        heard |= prog.shown;
        if (!rc && act->metrics) {
            rank_stat me = { 0, (double)nlocal, busy, longest, (double)rows };
            const rf_shuffle_out *own = s->exchange && s->id < n_ids && pending[s->id] ? &xos[s->id] : NULL;
            rc = rf__agree(comm, rf__stage_metrics(comm, act, &st, si, me, sent, t0, act->progress || heard, own), err);
        }
        if (rc) goto done;
    }
    io_rows[0] = rf__scanned_rows(false);
    last_rows[0] = last_rows[1] = 0;
    if (MPI_Allreduce(MPI_IN_PLACE, io_rows, 2, MPI_INT64_T, MPI_SUM, comm) == MPI_SUCCESS) { last_rows[0] = io_rows[0]; last_rows[1] = io_rows[1]; }
    if ((act->progress || heard) && rank == 0) fprintf(stderr, "riffle: job %lld done in %.2f s\n", (long long)act->job_id, rf_now() - t_job);
    if (rank == 0 && act->adaptive) rf__evlog_final_plan(act->job_id, plan, &st);
    if (act->analyze) rc = rf__agree(comm, rf__analysis_report(comm, act, plan, &st, &stats, rf_now() - t_start), err);
done:
    rf_free(stats.rows);
    rf_free(stats.nanos);
    rf_free(stats.mem);
    rf_free(stats.spill);
    rf_free(skip);
    rf__ckpt_fini(&ck);
    rf__settle_caches(comm, plan, rc);
    rf__evict_caches(comm, act->progress);
    rf__spill_cleanup();   /* the rank's spill directory goes with the job, whatever its outcome (open spill
                            * files, as caches keep them, were unlinked when made and live on) */
    for (int i = 0; xd && i < st.n; i++) rf__xdata_fini(&xd[i]);
    rf_free(xd);
    for (int64_t i = 0; xos && pending && i < n_ids; i++) if (pending[i]) rf__shuffle_out_fini(&xos[i]);
    rf_free(xos);
    rf_free(pending);
    rf__stages_fini(&st);
    return rc;
}

