/*
 * driver.c — rank 0's side of an action: optimize the logical plan, plan it physically, encode the
 * action and plan, broadcast them, run the job alongside the executors, and commit outputs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include "runtime/runtime.h"

int rf__session_send_run(rf_session *s, const rf_buf *payload);

int rf__action_encode(const rf_action *a, rf_buf *b)
{
    int rc = rf_buf_put_i32(b, a->kind);
    if (!rc) rc = rf_buf_put_str(b, a->out.path);
    if (!rc) rc = rf_buf_put_str(b, a->out.staging);
    if (!rc) rc = rf_buf_put_i32(b, a->out.write_mode);
    if (!rc) rc = rf_buf_put_u8(b, a->out.header);
    if (!rc) rc = rf_buf_put_u8(b, (uint8_t)a->out.delim);
    if (!rc) rc = rf_buf_put_i64(b, a->max_result);
    if (!rc) rc = rf_buf_put_i64(b, a->batch_rows);
    if (!rc) rc = rf_buf_put_i64(b, a->round_bytes);
    if (!rc) rc = rf_buf_put_i64(b, a->job_id);
    if (!rc) rc = rf_buf_put_u8(b, a->progress);
    if (!rc) rc = rf_buf_put_u8(b, a->live);
    if (!rc) rc = rf_buf_put_u8(b, a->live_tty);
    if (!rc) rc = rf_buf_put_i32(b, a->live_interval);
    if (!rc) rc = rf_buf_put_u8(b, a->metrics);
    if (!rc) rc = rf_buf_put_u8(b, a->evlog);
    if (!rc) rc = rf_buf_put_u8(b, a->analyze);
    if (!rc) rc = rf_buf_put_i64(b, a->rg_rows);
    if (!rc) rc = rf_buf_put_i32(b, a->deflate);
    if (!rc) rc = rf_buf_put_u8(b, a->collective);
    if (!rc) rc = rf_buf_put_u8(b, a->h5_mpio);
    if (!rc) rc = rf_buf_put_str(b, a->out.partition_by);
    if (!rc) rc = rf_buf_put_u8(b, a->out.single_file);
    if (!rc) rc = rf_buf_put_u8(b, a->checksum);
    if (!rc) rc = rf_buf_put_u8(b, a->out.dynamic);
    if (!rc) rc = rf_buf_put_i64(b, a->out.max_records);
    if (!rc) rc = rf_buf_put_i64(b, a->mem_budget);
    if (!rc) rc = rf_buf_put_str(b, a->local_dir);
    if (!rc) rc = rf_buf_put_str(b, a->checkpoint_dir);
    if (!rc) rc = rf_buf_put_i64(b, a->partial_groups);
    if (!rc) rc = rf_buf_put_i64(b, a->force_spill);
    if (!rc) rc = rf_buf_put_i64(b, a->shuffle_partitions);
    if (!rc) rc = rf_buf_put_u8(b, a->adaptive);
    if (!rc) rc = rf_buf_put_u8(b, (uint8_t)(a->aqe.coalesce | a->aqe.parallelism_first << 1 | a->aqe.skew << 2));
    if (!rc) rc = rf_buf_put_i64(b, a->aqe.advisory);
    if (!rc) rc = rf_buf_put_i64(b, a->aqe.min_part);
    if (!rc) rc = rf_buf_put_i64(b, a->aqe.skew_factor);
    if (!rc) rc = rf_buf_put_i64(b, a->aqe.skew_threshold);
    if (!rc) rc = rf_buf_put_i64(b, a->aqe.broadcast);
    if (!rc) rc = rf_buf_put_i64(b, a->n_uncached);
    for (int64_t i = 0; i < a->n_uncached && !rc; i++) rc = rf_buf_put_i64(b, a->uncached[i]);
    return rc;
}

int rf__action_decode(rf_rd *r, rf_action *a)
{
    int32_t k, m;
    uint8_t u;
    int rc = rf_rd_i32(r, &k);
    a->kind = (rf_action_kind)k;
    if (!rc) rc = rf_rd_str(r, &a->out.path);
    if (!rc) rc = rf_rd_str(r, &a->out.staging);
    if (!rc) rc = rf_rd_i32(r, &m);
    a->out.write_mode = m;
    if (!rc) rc = rf_rd_u8(r, &u);
    a->out.header = u;
    if (!rc) rc = rf_rd_u8(r, &u);
    a->out.delim = (char)u;
    if (!rc) rc = rf_rd_i64(r, &a->max_result);
    if (!rc) rc = rf_rd_i64(r, &a->batch_rows);
    if (!rc) rc = rf_rd_i64(r, &a->round_bytes);
    if (!rc) rc = rf_rd_i64(r, &a->job_id);
    if (!rc) rc = rf_rd_u8(r, &u);
    a->progress = u;
    if (!rc) rc = rf_rd_u8(r, &u);
    a->live = u;
    if (!rc) rc = rf_rd_u8(r, &u);
    a->live_tty = u;
    if (!rc) rc = rf_rd_i32(r, &a->live_interval);
    if (!rc) rc = rf_rd_u8(r, &u);
    a->metrics = u;
    if (!rc) rc = rf_rd_u8(r, &u);
    a->evlog = u;
    if (!rc) rc = rf_rd_u8(r, &u);
    a->analyze = u;
    if (!rc) rc = rf_rd_i64(r, &a->rg_rows);
    if (!rc) rc = rf_rd_i32(r, &m);
    a->deflate = m;
    if (!rc) rc = rf_rd_u8(r, &u);
    a->collective = u;
    if (!rc) rc = rf_rd_u8(r, &u);
    a->h5_mpio = u;
    if (!rc) rc = rf_rd_str(r, &a->out.partition_by);
    if (!rc) rc = rf_rd_u8(r, &u);
    a->out.single_file = u;
    if (!rc) rc = rf_rd_u8(r, &u);
    a->checksum = u;
    if (!rc) rc = rf_rd_u8(r, &u);
    a->out.dynamic = u;
    if (!rc) rc = rf_rd_i64(r, &a->out.max_records);
    if (!rc) rc = rf_rd_i64(r, &a->mem_budget);
    if (!rc) rc = rf_rd_str(r, &a->local_dir);
    if (!rc) rc = rf_rd_str(r, &a->checkpoint_dir);
    if (!rc) rc = rf_rd_i64(r, &a->partial_groups);
    if (!rc) rc = rf_rd_i64(r, &a->force_spill);
    if (!rc) rc = rf_rd_i64(r, &a->shuffle_partitions);
    if (!rc) rc = rf_rd_u8(r, &u);
    a->adaptive = u;
    if (!rc) rc = rf_rd_u8(r, &u);
    a->aqe.coalesce = u & 1;
    a->aqe.parallelism_first = u >> 1 & 1;
    a->aqe.skew = u >> 2 & 1;
    if (!rc) rc = rf_rd_i64(r, &a->aqe.advisory);
    if (!rc) rc = rf_rd_i64(r, &a->aqe.min_part);
    if (!rc) rc = rf_rd_i64(r, &a->aqe.skew_factor);
    if (!rc) rc = rf_rd_i64(r, &a->aqe.skew_threshold);
    if (!rc) rc = rf_rd_i64(r, &a->aqe.broadcast);
    if (!rc) rc = rf_rd_i64(r, &a->n_uncached);
    if (!rc && (a->n_uncached < 0 || a->n_uncached > (int64_t)(r->end - r->p) / 8)) rc = rf__err_set(RF_ERR_INTERNAL, "corrupt job description");
    if (!rc && !(a->uncached = rf_calloc((size_t)a->n_uncached + 1, sizeof *a->uncached))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int64_t i = 0; i < a->n_uncached && !rc; i++) rc = rf_rd_i64(r, &a->uncached[i]);
    return rc;
}

void rf__action_fini(rf_action *a)
{
    RF_FREE(a->out.path);
    RF_FREE(a->out.staging);
    RF_FREE(a->checkpoint_dir);
    RF_FREE(a->out.partition_by);
    RF_FREE(a->local_dir);
    RF_FREE(a->uncached);
    a->n_uncached = 0;
}

static int plan_all(rf_session *s, const rf_plan *logical, rf_plan **opt, rf_plan **phys)
{
    rf_optctx oc = { &s->next_attr, (int)rf__conf_size(&s->conf, "riffle.sql.joinReorder.dpThreshold") };
    bool clock = rf__clock_freeze();   /* a DataFrame action outside SQL: its own statement time */
    int rc = rf__optimize(logical, &oc, opt);
    if (clock) rf__clock_thaw();
    if (rc) return rc;
    int64_t parts = rf__conf_size(&s->conf, "riffle.shuffle.partitions");
    const int64_t *cids, *ctasks;
    int nc = rf__cache_list(&cids, &ctasks);
    rf_physctx pc = {
        .cached = cids, .n_cached = nc, .cached_tasks = ctasks,
        .uncached = s->uncached, .n_uncached = s->n_uncached,
        .shuffle_partitions = parts > 0 ? parts : 200,
        .broadcast_threshold = rf__conf_size(&s->conf, "riffle.autoBroadcastJoinThreshold"),
        .max_split_bytes = rf__conf_size(&s->conf, "riffle.files.maxPartitionBytes"),
        .next_attr = &s->next_attr,
        .reuse_exchanges = !strcasecmp(rf__conf_get(&s->conf, "riffle.sql.exchange.reuse"), "true"),
    };
    rc = rf__physical_plan(*opt, &pc, phys);
    return rc ? rc : rf__plan_check_limits(*phys);   /* what every executor's decoder accepts, at any rank count */
}

int rf__driver_run(rf_session *s, const rf_plan *logical, rf_action *act, rf_batch **result)
{
    rf_plan *opt = NULL, *phys = NULL;
    rf_buf payload = { 0 };
    int rc;
    rf__err_clear();
    if (rf__stop_requested()) { rc = rf__stop_error(); goto done; }
    if (rf__plan_has_stream(logical)) {
        rc = rf__err_set(RF_ERR_ANALYSIS, "Queries with streaming sources must be executed with rf_df_write_stream (Spark's writeStream.start(); in SQL, INSERT INTO DIRECTORY ... OPTIONS (checkpointLocation ...))");
        goto done;
    }
    RF_TRY(plan_all(s, logical, &opt, &phys));
    /* unique among jobs started in the same second from different processes on this host */
    act->job_id = ((int64_t)time(NULL) * 1000 + getpid() % 1000) * 1000 + s->next_job++ % 1000;
    act->max_result = rf__conf_size(&s->conf, "riffle.driver.maxResultSize");
    act->batch_rows = rf__conf_size(&s->conf, "riffle.batch.rows");
    act->round_bytes = rf__conf_size(&s->conf, "riffle.shuffle.roundBytes");
    const char *em = rf__conf_get(&s->conf, "riffle.executor.memory");
    act->mem_budget = strcasecmp(em, "auto") ? rf__conf_size(&s->conf, "riffle.executor.memory") : 0;
    act->partial_groups = rf__conf_size(&s->conf, "riffle.aggregate.partialGroups");
    act->force_spill = rf__conf_size(&s->conf, "riffle.spill.forceThreshold");
    act->shuffle_partitions = rf__conf_size(&s->conf, "riffle.shuffle.partitions");
    act->adaptive = strcasecmp(rf__conf_get(&s->conf, "riffle.sql.adaptive.enabled"), "true") == 0;
    act->aqe.coalesce = !strcasecmp(rf__conf_get(&s->conf, "riffle.sql.adaptive.coalescePartitions.enabled"), "true");
    act->aqe.parallelism_first = !strcasecmp(rf__conf_get(&s->conf, "riffle.sql.adaptive.coalescePartitions.parallelismFirst"), "true");
    act->aqe.skew = !strcasecmp(rf__conf_get(&s->conf, "riffle.sql.adaptive.skewJoin.enabled"), "true");
    act->aqe.advisory = rf__conf_size(&s->conf, "riffle.sql.adaptive.advisoryPartitionSizeInBytes");
    act->aqe.min_part = rf__conf_size(&s->conf, "riffle.sql.adaptive.coalescePartitions.minPartitionSize");
    act->aqe.skew_factor = rf__conf_size(&s->conf, "riffle.sql.adaptive.skewJoin.skewedPartitionFactor");
    act->aqe.skew_threshold = rf__conf_size(&s->conf, "riffle.sql.adaptive.skewJoin.skewedPartitionThresholdInBytes");
    act->aqe.broadcast = strcasecmp(rf__conf_get(&s->conf, "riffle.sql.adaptive.autoBroadcastJoinThreshold"), "auto")
                             ? rf__conf_size(&s->conf, "riffle.sql.adaptive.autoBroadcastJoinThreshold")
                             : rf__conf_size(&s->conf, "riffle.autoBroadcastJoinThreshold");
    RF_FREE(act->uncached);
    act->n_uncached = 0;
    if (s->n_uncached) {
        if (!(act->uncached = rf_malloc((size_t)s->n_uncached * sizeof *act->uncached))) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); goto done; }
        memcpy(act->uncached, s->uncached, (size_t)s->n_uncached * sizeof *act->uncached);
        act->n_uncached = s->n_uncached;
    }
    RF_FREE(act->local_dir);
    if (!(act->local_dir = rf_strdup(rf__conf_get(&s->conf, "riffle.local.dir")))) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); goto done; }
    RF_FREE(act->checkpoint_dir);
    if (!(act->checkpoint_dir = rf_strdup(rf__conf_get(&s->conf, "riffle.checkpoint.dir")))) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); goto done; }
    const char *pr = rf__conf_get(&s->conf, "riffle.progress");
    /* a terminal: rank 0's own stderr, or riffle submit's (the launcher makes rank 0's a pipe) */
    const char *tty = getenv("RIFFLE_PROGRESS_TTY");
    act->live_tty = isatty(2) || (tty && !strcmp(tty, "1"));
    act->progress = !strcasecmp(pr, "true") || (!strcasecmp(pr, "auto") && act->live_tty);
    act->live = strcasecmp(pr, "false") != 0;
    act->live_interval = (int32_t)rf__conf_size(&s->conf, "riffle.progress.interval");
    const char *evp = rf__conf_get(&s->conf, "riffle.eventLog.path");
    if (*evp) RF_TRY(rf__evlog_open(evp, s->nranks));
    else rf__evlog_close();
    act->evlog = rf__evlog_on();
    act->metrics = act->live || act->analyze || act->evlog;
    act->h5_mpio = strcasecmp(rf__conf_get(&s->conf, "riffle.hdf5.readDriver"), "posix") != 0;
    if (rf__action_writes(act)) RF_TRY(rf__output_prepare(&act->out, act->job_id));
    RF_TRY(rf__action_encode(act, &payload));
    RF_TRY(rf__plan_encode(phys, &payload));
    RF_TRY(rf__session_send_run(s, &payload));
    s->err.code = RF_OK;
    rf__evlog_job_start(act, phys, &s->conf);
    if ((rc = rf__agree(s->comm, RF_OK, &s->err))) goto failed;
    if ((rc = rf__job_run(s->comm, act, phys, result, &s->err))) goto failed;
    rf__job_rows(&act->rows_in, &act->rows_out);
    if (rf__action_writes(act) && rf__stop_requested()) {   /* no commit after a stop signal */
        rc = rf__stop_error();
        s->err = *rf__err_slot();
        s->err.rank = 0;
        goto failed;
    }
    if (rf__action_writes(act) && (rc = rf__output_commit(&act->out, act->job_id))) {
        s->err = *rf__err_slot();
        s->err.rank = 0;
        rf__output_abort(&act->out);
    }
    rf__evlog_job_end(act->job_id, rc, &s->err);
    goto out;
failed:
    if (rf__action_writes(act)) rf__output_abort(&act->out);
    rf__evlog_job_end(act->job_id, rc, &s->err);
    goto out;
done:
    s->err = *rf__err_slot();
    s->err.rank = -1;   /* a planning error: no rank ran anything */
    if (rf__action_writes(act) && act->out.staging) rf__output_abort(&act->out);
out:
    rf_buf_fini(&payload);
    rf__plan_destroy(&opt);
    rf__plan_destroy(&phys);
    return rc;
}

int rf__driver_explain(rf_session *s, const rf_plan *logical, rf_buf *out)
{
    rf_plan *opt = NULL, *phys = NULL;
    rf_stages st = { 0 };
    int rc;
    RF_TRY(plan_all(s, logical, &opt, &phys));
    RF_TRY(rf_buf_printf(out, "== Analyzed Logical Plan ==\n"));
    RF_TRY(rf__plan_explain(logical, NULL, out));
    RF_TRY(rf_buf_printf(out, "\n== Optimized Logical Plan ==\n"));
    RF_TRY(rf__plan_explain(opt, NULL, out));
    RF_TRY(rf__stages_split(phys, &st));
    RF_TRY(rf_buf_printf(out, "\n== Physical Plan ==\n"));
    if (strcasecmp(rf__conf_get(&s->conf, "riffle.sql.adaptive.enabled"), "true") == 0) RF_TRY(rf__plan_explain_adaptive(phys, &st, false, out));
    else RF_TRY(rf__plan_explain(phys, &st, out));
    RF_TRY(rf_buf_printf(out, "\n== Stages ==\n"));
    RF_TRY(rf__stages_explain(&st, out));
done:
    if (rc) s->err = *rf__err_slot();
    rf__stages_fini(&st);
    rf__plan_destroy(&opt);
    rf__plan_destroy(&phys);
    return rc;
}
