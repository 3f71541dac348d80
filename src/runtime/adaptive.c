/*
 * adaptive.c — re-planning between stages from what the stages measured (adaptive execution).
 *
 * Every rank holds the same plan and stages and learns the same agreed numbers (an Allreduce), so
 * every rank rewrites the part of the plan that has not run yet in the same way, in lockstep; no
 * plan travels again. What it decides today:
 *
 *   A broadcast that turns out too big. The planner broadcasts a join side estimated under
 *   riffle.autoBroadcastJoinThreshold; estimates of filtered or aggregated inputs can be far off.
 *   When the map side of a broadcast has run and its output, over all ranks, is more than one task
 *   may hold (the operator share of the execution pool) the join would copy it to every rank and
 *   have every task partition all of it to disk. Instead the broadcast becomes a hash exchange on
 *   the build keys (the map output already spooled is re-partitioned, nothing runs again), and a
 *   hash exchange on the probe keys is inserted under the join, as a new stage run next. The probe
 *   side's task count is the least number of partitions; it is also the most when the join sits in
 *   a union (whose branches number their tasks one after another), else riffle.shuffle.partitions is.
 */
#include <stdio.h>
#include "runtime/executor.h"
#include "core/comm.h"

/* Looks for exchange x among the leaves of stage tree p (not below other exchanges): its parent,
 * and whether a union stands between the stage root and it. */
static bool find_leaf(const rf_plan *p, const rf_plan *x, bool in_union, const rf_plan **parent, int *which, bool *under_union)
{
    for (int i = 0; i < p->n_child; i++) {
        const rf_plan *c = p->child[i];
        if (c == x) { *parent = p; *which = i; *under_union = in_union || p->kind == RF_P_UNION; return true; }
        if (c->kind != RF_P_EXCHANGE && find_leaf(c, x, in_union || p->kind == RF_P_UNION, parent, which, under_union)) return true;
    }
    return false;
}

/* The broadcast hash join fed by stage si's exchange, when it may be shuffled instead, or NULL;
 * *fixed: its task count must stay (a union numbers the tasks of its branches one after another). */
static rf_plan *shufflable_join(const rf_stages *st, int si, bool *fixed)
{
    const rf_plan *x = st->s[si].exchange, *j = NULL;
    if (!x || x->mode != RF_X_BROADCAST) return NULL;
    int which = -1;
    for (int i = si + 1; i < st->n && !j; i++) find_leaf(st->s[i].root, x, false, &j, &which, fixed);
    if (!j || which != 1 || j->kind != RF_P_HASH_JOIN || j->n_exprs < 1) return NULL;
    if (j->mode != RF_JOIN_INNER && j->mode != RF_JOIN_LEFT && j->mode != RF_JOIN_SEMI && j->mode != RF_JOIN_ANTI) return NULL;
    if (rf__plan_tasks(j->child[0]) < 1) return NULL;
    return (rf_plan *)j;
}

/* The broadcast map output in o (one spool of [task, partition, length, packed batches] records)
 * re-partitioned by x's (now hash) keys into o2. */
static int repartition(rf_shuffle_out *o, const rf_plan *x, rf_shuffle_out *o2)
{
    rf_spool *sp = &o->dest[0];
    rf_buf rec = { 0 };
    rf_mapout m = { 0 };
    int rc = rf__spool_seal(sp);
    for (int64_t off = 0; !rc && off < sp->len;) {
        int64_t hdr[3];
        if ((rc = rf__spool_read(sp, off, hdr, sizeof hdr))) break;
        off += (int64_t)sizeof hdr;
        rec.len = 0;
        if ((rc = rf_buf_reserve(&rec, (size_t)hdr[2]))) break;
        if ((rc = rf__spool_read(sp, off, rec.data, hdr[2]))) break;
        off += hdr[2];
        if ((rc = rf__mapout_init(&m, hdr[0], x->n))) break;
        rf_rd r = { rec.data, rec.data + hdr[2] };
        int64_t seen = 0;
        while (!rc && r.p < r.end) {
            rf_batch *b = NULL;
            int64_t *pid = NULL;
            rc = rf__unpack_batch(&r, &b);
            if (!rc) rc = rf__partition_ids(x, hdr[0], 1, b, &seen, &pid);
            if (!rc) rc = rf__mapout_add(&m, b, pid);
            rf_free(pid);
            rf_batch_destroy(&b);
            if (!rc && m.bytes > rf__map_flush_bytes()) rc = rf__shuffle_out_add(o2, &m);
        }
        if (!rc) rc = rf__shuffle_out_add(o2, &m);
        rf__mapout_fini(&m);
    }
    rf_buf_fini(&rec);
    return rc;
}

int rf__adapt_broadcast(MPI_Comm comm, const rf_action *act, rf_stages *st, int si, rf_shuffle_out *xo, rf_xdata **xd,
                        int64_t limit, int rc_in, rf_error *err)
{
    int rank, nranks, rc = rc_in;
    bool fixed = false;
    rf_plan *j = rc || !act->adaptive ? NULL : shufflable_join(st, si, &fixed);
    if (!j) return rc;   /* the same on every rank: the plan is */
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &nranks);
    int64_t mine = xo->dest[0].len, total = 0;
    RF_MPI(MPI_Allreduce(&mine, &total, 1, MPI_INT64_T, MPI_SUM, comm));
    if (total <= limit) return RF_OK;
    rf_plan *x = st->s[si].exchange, *xl = NULL;
    /* partitions: enough that a partition's build side fits half a task's memory, within the
     * probe side's task count and riffle.shuffle.partitions (the Grace join copes beyond) */
    int64_t n = rf__plan_tasks(j->child[0]);
    if (!fixed) {
        int64_t want = total / (limit / 2 > 0 ? limit / 2 : 1) + 1;
        if (want > act->shuffle_partitions) want = act->shuffle_partitions;
        if (want > n) n = want;
    }
    rf_shuffle_out o2 = { 0 };
    /* the new stage's exchange data first, so that xd always covers every stage id */
    rf_xdata *g = rf_realloc(*xd, (size_t)(st->n + 1) * sizeof **xd);
    int lrc = g ? RF_OK : rf__err_set(RF_ERR_NOMEM, "out of memory");
    if (g) { *xd = g; memset(&g[st->n], 0, sizeof *g); }
    if (!lrc) lrc = rf__plan_unbroadcast(j, n, &xl);
    if (!lrc) lrc = rf__stages_insert(st, si + 1, xl);
    if (!lrc) lrc = rf__shuffle_out_init(&o2, nranks, n, false, x->rank_offset);
    if (!lrc) lrc = repartition(xo, x, &o2);
    if (!lrc) {
        rf__shuffle_out_fini(xo);
        *xo = o2;
    } else if (o2.dest) rf__shuffle_out_fini(&o2);
    rc = rf__agree(comm, lrc, err);
    if (!rc && rank == 0 && act->progress)
        fprintf(stderr, "riffle: stage %d: the broadcast side is %.1f MB, more than a task's %.1f MB: the join shuffles both sides "
                "into %lld partitions instead\n", si + 1, (double)total / 1e6, (double)limit / 1e6, (long long)n);
    if (!rc && rank == 0) rf__evlog_adaptive(act->job_id, si, "broadcastToShuffle", total, n);
    return rc;
done:
    return rc;
}
