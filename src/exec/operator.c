/*
 * operator.c — building a task's operator tree from the physical plan, tearing it down, and the
 * shared helpers (drain).
 */
#include <stdlib.h>
#include <time.h>
#include "exec/exec.h"
#include "io/format.h"

static const rf_op_vt *vt_for(rf_nkind k)
{
    switch (k) {
    case RF_P_FILTER: return &rf__op_filter_vt;
    case RF_P_RDD: return &rf__op_rdd_vt;
    case RF_P_PROJECT: return &rf__op_project_vt;
    case RF_P_GENERATE: return &rf__op_generate_vt;
    case RF_P_HASH_AGG: return &rf__op_hashagg_vt;
    case RF_P_HASH_JOIN: return &rf__op_hashjoin_vt;
    case RF_P_NL_JOIN: return &rf__op_nljoin_vt;
    case RF_P_SORT: return &rf__op_sort_vt;
    case RF_P_TOPK: return &rf__op_topk_vt;
    case RF_P_LIMIT: return &rf__op_limit_vt;
    case RF_P_UNION: return &rf__op_union_vt;
    case RF_P_EXCHANGE: return &rf__op_xread_vt;
    case RF_P_WINDOW: return &rf__op_window_vt;
    case RF_P_VALUES: return &rf__op_values_vt;
    case RF_P_CACHE: return &rf__op_cache_vt;
    case RF_P_CACHE_READ: return &rf__op_cache_read_vt;
    default: return NULL;
    }
}

int rf__op_build(const rf_plan *p, int64_t task, rf_task_ctx *ctx, rf_op **out)
{
    rf_op *op = rf_calloc(1, sizeof *op);
    int rc = RF_OK;
    *out = NULL;
    if (!op) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    op->vt = p->kind == RF_P_SCAN ? rf__format_ops(p->src->format)->scan : vt_for(p->kind);
    op->plan = p;
    op->ctx = ctx;
    op->task = task;
    if (!op->vt) { rf_free(op); return rf__err_set(RF_ERR_INTERNAL, "no operator for %s", rf__plan_kind_name(p->kind)); }
    if (p->kind == RF_P_EXCHANGE) { *out = op; return RF_OK; }   /* a leaf: reads the exchange */
    if (p->kind == RF_P_UNION) {
        /* task t belongs to one branch: branches' tasks are numbered one after another */
        int64_t base = 0;
        op->child = rf_calloc(1, sizeof *op->child);
        if (!op->child) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); goto done; }
        for (int i = 0; i < p->n_child; i++) {
            int64_t n = rf__plan_tasks(p->child[i]);
            if (n < 0) n = 1;
            if (task < base + n) {
                op->n_child = 1;
                RF_TRY(rf__op_build(p->child[i], task - base, ctx, &op->child[0]));
                break;
            }
            base += n;
        }
        *out = op;
        return RF_OK;
    }
    if (p->n_child) {
        op->child = rf_calloc((size_t)p->n_child, sizeof *op->child);
        if (!op->child) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); goto done; }
        op->n_child = p->n_child;
        for (int i = 0; i < p->n_child; i++) RF_TRY(rf__op_build(p->child[i], task, ctx, &op->child[i]));
    }
    *out = op;
    return RF_OK;
done:
    rf__op_destroy(&op);
    return rc;
}

void rf__op_destroy(rf_op **pop)
{
    rf_op *op = *pop;
    *pop = NULL;
    if (!op) return;
    if (op->vt && op->vt->close) op->vt->close(op);
    if (op->ctx && op->ctx->stats) {   /* EXPLAIN ANALYZE */
        int64_t k = rf__opstat_slot(op->ctx->stats, op->plan->id);
        if (k >= 0) {
            atomic_fetch_add_explicit(&op->ctx->stats->rows[k], op->rows_out, memory_order_relaxed);
            atomic_fetch_add_explicit(&op->ctx->stats->nanos[k], op->nanos, memory_order_relaxed);
            atomic_fetch_add_explicit(&op->ctx->stats->spill[k], op->spilled, memory_order_relaxed);
            int64_t m = atomic_load(&op->ctx->stats->mem[k]);
            while (op->mem_peak > m && !atomic_compare_exchange_weak(&op->ctx->stats->mem[k], &m, op->mem_peak)) { }
        }
    }
    for (int i = 0; i < op->n_child; i++) rf__op_destroy(&op->child[i]);
    rf_free(op->child);
    rf_free(op);
}

static _Atomic int64_t scanned;   /* rows the rank's scans of streaming batches produced in this job (rf__scanned_rows) */

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static _Thread_local rf_op *cur_op;   /* EXPLAIN ANALYZE: the operator whose open / next runs on this thread */

int rf__op_next(rf_op *op, rf_batch **out)
{
    *out = NULL;
    int64_t t0 = op->ctx && op->ctx->stats ? now_ns() : 0;
    rf_op *was = NULL;
    int64_t *sink = NULL;
    if (t0) { was = cur_op; sink = rf__spill_sink; cur_op = op; rf__spill_sink = &op->spilled; }   /* EXPLAIN ANALYZE only */
    int rc = !op->st && op->vt->open ? op->vt->open(op) : RF_OK;
    if (!rc) rc = op->vt->next(op, out);
    if (t0) { cur_op = was; rf__spill_sink = sink; }
    if (rc) return rc;
    if (t0) op->nanos += now_ns() - t0;
    if (!rc && *out) {
        op->rows_out += (*out)->nrows;
        if (op->plan->kind == RF_P_SCAN && op->plan->src->stream_batch) atomic_fetch_add_explicit(&scanned, (*out)->nrows, memory_order_relaxed);
        if (op->ctx && op->ctx->progress && (op->plan->n_child == 0 || op->plan->kind == RF_P_EXCHANGE))   /* the stage's input */
            rf__progress_read(op->ctx->progress, (*out)->nrows);
    }
    return rc;
}

int64_t rf__scanned_rows(bool reset)
{
    return reset ? atomic_exchange(&scanned, 0) : atomic_load(&scanned);
}

int rf__op_drain(rf_op *op, const rf_schema *s, rf_batch **out)
{
    rf_blist l = { 0 };
    rf_batch *b = NULL;
    int rc;
    *out = NULL;
    for (;;) {
        RF_TRY(rf__op_next(op, &b));
        if (!b) break;
        if (b->nrows == 0) { rf_batch_destroy(&b); continue; }
        RF_TRY(rf_blist_push(&l, b));
    }
    rc = rf_batch_concat(l.b, (int)l.n, s, out);
done:
    rf_blist_fini(&l);
    return rc;
}

bool rf__op_must_spill(const rf_task_ctx *ctx, int64_t rows, int64_t need, int64_t *reserved)
{
    if (ctx->force_spill > 0 && rows >= ctx->force_spill) return true;
    if (ctx->op_mem > 0 && need > ctx->op_mem) return true;
    if (need <= *reserved) return false;
    int64_t more = need + need / 2 - *reserved;
    if (!rf__mem_reserve(more)) return true;
    *reserved += more;
    if (cur_op && *reserved > cur_op->mem_peak) cur_op->mem_peak = *reserved;
    return false;
}

int rf__emit_slice(rf_batch **all, int64_t *pos, int64_t rows, rf_batch **out)
{
    if (!*all || *pos >= (*all)->nrows) return RF_OK;
    int64_t n = (*all)->nrows - *pos;
    if (n > rows) n = rows;
    if (*pos == 0 && n == (*all)->nrows) {   /* the whole batch: hand it over */
        *out = *all;
        *all = NULL;
        return RF_OK;
    }
    int rc = rf_batch_slice(*all, *pos, n, out);
    *pos += n;
    return rc;
}
