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
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    for (int i = 0; i < st->n_reused; i++)   /* another join reads it as a broadcast too */
        if (st->reused_as[i] == x) return NULL;
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

/* ---------------------------------------------------------------- a stage's inputs: coalesce, split */
/* Whether stage tree p reads only exchanges (no scan, values, cache or union numbering its tasks). */
static bool reads_only_exchanges(const rf_plan *p)
{
    if (p->kind == RF_P_EXCHANGE) return true;
    if (p->n_child == 0 || p->kind == RF_P_UNION || p->kind == RF_P_CACHE) return false;
    for (int i = 0; i < p->n_child; i++)
        if (!reads_only_exchanges(p->child[i])) return false;
    return true;
}

/* The hash join of stage tree p whose probe side is exchange a and build side exchange b, when a
 * skewed partition of a may be split (each split joins the whole of b's partition). */
static const rf_plan *splittable_join(const rf_plan *p, const rf_plan *a, const rf_plan *b)
{
    if (p->kind == RF_P_EXCHANGE) return NULL;
    if (p->kind == RF_P_HASH_JOIN && p->child[0] == a && p->child[1] == b &&
        (p->mode == RF_JOIN_INNER || p->mode == RF_JOIN_LEFT || p->mode == RF_JOIN_SEMI || p->mode == RF_JOIN_ANTI)) return p;
    for (int i = 0; i < p->n_child; i++) {
        const rf_plan *j = splittable_join(p->child[i], a, b);
        if (j) return j;
    }
    return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int stage_pos(const rf_stages *st, int id)
{
    for (int i = 0; i < st->n; i++)
        if (st->s[i].id == id) return i;
    return -1;
}

/* The plan for stage s's tasks from the agreed partition sizes size[k * P + p] of its n inputs:
 * tasks reading runs of small partitions (coalesced to the target size), and for a skewed partition
 * of input 0 (when `skew`) several tasks, each a run of map tasks (mtask[q * M + m]: bytes of
 * skewed partition q from map task m). Returns the task count in *n_tasks and the spec. */
typedef struct { int64_t p; int64_t k; int64_t *cut; } skewed;   /* partition, splits, map task bounds [k + 1] */

static int build_spec(int64_t P, int n, const int64_t *size, int64_t target, const skewed *sk, int nsk,
                      rf_taskspec **spec, int64_t *n_tasks)
{
    int64_t cap = 0, nt = 0, cur = 0, lo = 0;
    rf_taskspec *v = NULL;
    int rc = RF_OK, q = 0;
    for (int64_t p = 0; p <= P && !rc; p++) {
        int64_t sz = 0;
        for (int k = 0; k < n && p < P; k++) sz += size[k * P + p];
        bool split = q < nsk && sk[q].p == p;
        /* a run ends before a split partition, at the end, and where the next partition would pass the target */
        if (p > lo && (p == P || split || target <= 0 || (cur + sz > target && cur > 0))) {
            if ((rc = rf__grow((void **)&v, &cap, nt + 1, sizeof *v))) break;
            v[nt++] = (rf_taskspec){ lo, p, INT64_MIN, INT64_MAX };
            lo = p;
            cur = 0;
        }
        if (p == P) break;
        if (split) {
            for (int64_t i = 0; i < sk[q].k && !rc; i++) {
                if ((rc = rf__grow((void **)&v, &cap, nt + 1, sizeof *v))) break;
                v[nt++] = (rf_taskspec){ p, p + 1, i == 0 ? INT64_MIN : sk[q].cut[i], i == sk[q].k - 1 ? INT64_MAX : sk[q].cut[i + 1] };
            }
            q++;
            lo = p + 1;
            cur = 0;
            continue;
        }
        cur += sz;
    }
    if (rc) { rf_free(v); return rc; }
    if (nt == 0) {   /* no partitions at all: one task */
        if (!(v = rf_calloc(1, sizeof *v))) return rf__err_set(RF_ERR_NOMEM, "out of memory");
        v[nt++] = (rf_taskspec){ 0, P, INT64_MIN, INT64_MAX };
    }
    *spec = v;
    *n_tasks = nt;
    return RF_OK;
}

/* The route of input k: each partition to the rank of the task reading it (task t runs on rank t
 * mod nranks); a split partition's map ranges to their tasks (input 0), or all of it to each (the
 * other inputs). */
static int build_route(const rf_taskspec *spec, int64_t nt, int64_t P, const int *task_rank, bool split_side, rf_route *r)
{
    r->nparts = P;
    r->first = rf_calloc((size_t)P + 1, sizeof *r->first);
    r->seg = rf_calloc((size_t)(nt + P) + 1, sizeof *r->seg);
    if (!r->first || !r->seg) { rf__route_fini(r); return rf__err_set(RF_ERR_NOMEM, "out of memory"); }
    int64_t ns = 0, t = 0;
    for (int64_t p = 0; p < P; p++) {
        r->first[p] = ns;
        while (t < nt && spec[t].p_hi <= p) t++;
        for (int64_t u = t; u < nt && spec[u].p_lo <= p; u++) {
            bool whole = spec[u].m_lo == INT64_MIN && spec[u].m_hi == INT64_MAX;
            r->seg[ns++] = (rf_route_seg){ whole || !split_side ? INT64_MIN : spec[u].m_lo,
                                           whole || !split_side ? INT64_MAX : spec[u].m_hi, task_rank[u] };
        }
    }
    r->first[P] = ns;
    return RF_OK;
}

/* Each task's rank, biggest task first to the least loaded rank (Graham's LPT rule), so that a
 * skewed partition's task gets a rank of its own rather than its round-robin share of the rest.
 * Ties go to the lower index and rank: the same on every rank. */
static int balance(const rf_taskspec *spec, int64_t nt, int64_t P, int nin, const int64_t *size, int split_in, int nranks,
                   int **task_rank, int64_t **task_bytes)
{
    int64_t *by = rf_calloc((size_t)nt + 1, sizeof *by), *ord = rf_malloc((size_t)(nt + 1) * sizeof *ord);
    int64_t *load = rf_calloc((size_t)nranks, sizeof *load);
    int *tr = rf_malloc((size_t)(nt + 1) * sizeof *tr);
    if (!by || !ord || !load || !tr) {
        rf_free(by); rf_free(ord); rf_free(load); rf_free(tr);
        return rf__err_set(RF_ERR_NOMEM, "out of memory");
    }
    for (int64_t u = 0; u < nt; u++) {
        int64_t parts = 1;   /* a split partition's tasks share its bytes */
        for (int64_t v = u - 1; v >= 0 && spec[v].p_lo == spec[u].p_lo && spec[v].p_hi == spec[u].p_hi; v--) parts++;
        for (int64_t v = u + 1; v < nt && spec[v].p_lo == spec[u].p_lo && spec[v].p_hi == spec[u].p_hi; v++) parts++;
        for (int k = 0; k < nin; k++)
            for (int64_t p = spec[u].p_lo; p < spec[u].p_hi && p < P; p++) by[u] += k == split_in ? size[k * P + p] / parts : size[k * P + p];
        ord[u] = u;
    }
    for (int64_t i = 1; i < nt; i++) {   /* by bytes, descending; stable */
        int64_t x = ord[i], j = i;
        while (j > 0 && by[ord[j - 1]] < by[x]) { ord[j] = ord[j - 1]; j--; }
        ord[j] = x;
    }
    for (int64_t i = 0; i < nt; i++) {
        int r = 0;
        for (int q = 1; q < nranks; q++) if (load[q] < load[r]) r = q;
        tr[ord[i]] = r;
        load[r] += by[ord[i]] + 1;   /* + 1: empty tasks spread too */
    }
    rf_free(ord);
    rf_free(load);
    *task_rank = tr;
    *task_bytes = by;
    return RF_OK;
}

/* The route of a join turned into a broadcast join: the probe side's records stay where they are
 * (rank -1), the build side's go to every rank. */
static int build_route_bcast(int64_t P, int nranks, bool local, rf_route *r)
{
    int per = local ? 1 : nranks;
    r->nparts = P;
    r->first = rf_calloc((size_t)P + 1, sizeof *r->first);
    r->seg = rf_calloc((size_t)(P * per) + 1, sizeof *r->seg);
    if (!r->first || !r->seg) { rf__route_fini(r); return rf__err_set(RF_ERR_NOMEM, "out of memory"); }
    for (int64_t p = 0; p <= P; p++) r->first[p] = p * per;
    for (int64_t p = 0; p < P; p++)
        for (int k = 0; k < per; k++) r->seg[p * per + k] = (rf_route_seg){ INT64_MIN, INT64_MAX, local ? -1 : k };
    return RF_OK;
}

int rf__adapt_stage(MPI_Comm comm, const rf_action *act, rf_stages *st, int si, rf_shuffle_out *xos, bool *pending,
                    rf_xdata *xd, int64_t op_mem, int64_t *sent, rf_error *err)
{
    int rank, nranks, rc = RF_OK;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &nranks);
    rf_stage *s = &st->s[si];
    *sent = 0;
    /* which inputs may be re-planned: all of the stage's shuffled inputs, with the default count */
    int nin = 0, *in = rf_calloc((size_t)s->n_inputs + 1, sizeof *in);
    int64_t *size = NULL, total = 0, nt = 0;
    rf_taskspec *spec = NULL;
    skewed sk[64];
    int nsk = 0;
    int split_in = -1;   /* index into in[] of the split side */
    int bc_probe = -1;   /* index into in[] of the probe side of a join turned into a broadcast join */
    int64_t bc_bytes = 0, *task_bytes = NULL;
    int *task_rank = NULL;
    if (!in) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    if ((rc = rf__agree(comm, rc, err))) goto done;
    bool ok = act->adaptive && (act->aqe.coalesce || act->aqe.skew) && !s->spec && reads_only_exchanges(s->root);
    int64_t P = -1;
    for (int i = 0; i < s->n_inputs && ok; i++) {
        int pos = stage_pos(st, s->inputs[i]);
        const rf_plan *x = pos < 0 ? NULL : st->s[pos].exchange;
        /* an exchange that a later stage reads too (a reused one) keeps the planned partitioning */
        if (!x || !pending[s->inputs[i]] || rf__stage_readers(st, s->inputs[i], si)) { ok = false; break; }
        if (x->mode == RF_X_BROADCAST) continue;
        if ((x->mode != RF_X_HASH && x->mode != RF_X_RANGE) || !(x->flags & RF_XF_COALESCE) || x->rank_offset != 0 ||
            (P >= 0 && x->n != P)) { ok = false; break; }
        P = x->n;
        in[nin++] = s->inputs[i];
    }
    if (ok && (nin == 0 || P != s->n_tasks)) ok = false;
    if (ok) {
        if (!(size = rf_calloc((size_t)(nin * P), sizeof *size))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
        for (int k = 0; k < nin && !rc; k++) memcpy(size + k * P, xos[in[k]].psize, (size_t)P * sizeof *size);
        rc = rf__agree(comm, rc, err);
        if (!rc) RF_MPI(MPI_Allreduce(MPI_IN_PLACE, size, (int)(nin * P), MPI_INT64_T, MPI_SUM, comm));
        for (int64_t i = 0; !rc && i < nin * P; i++) total += size[i];
    }
    /* a shuffled join whose build side turned out small (within the threshold and what a task may hold)
     * becomes a broadcast join: the build side goes to every rank and the probe side, the bigger by
     * more than the rank count, is read where it was made; nothing of it moves */
    bool twins = nin == 2 && in[0] == in[1];   /* a self-join reading one reused exchange: coalescing only */
    if (ok && !rc && act->aqe.broadcast >= 0 && nin == 2 && !twins && nranks > 1) {
        int64_t lim = op_mem;
        RF_MPI(MPI_Allreduce(MPI_IN_PLACE, &lim, 1, MPI_INT64_T, MPI_MIN, comm));   /* budgets may differ by node */
        for (int a = 0; a < 2 && bc_probe < 0; a++) {
            const rf_plan *xa = st->s[stage_pos(st, in[a])].exchange, *xb = st->s[stage_pos(st, in[1 - a])].exchange;
            if (xa->mode != RF_X_HASH || xb->mode != RF_X_HASH || !splittable_join(s->root, xa, xb)) continue;
            int64_t pb = 0, bb = 0;
            for (int64_t p = 0; p < P; p++) { pb += size[a * P + p]; bb += size[(1 - a) * P + p]; }
            if (bb <= act->aqe.broadcast && bb <= lim && bb * nranks < pb) { bc_probe = a; bc_bytes = bb; }
        }
    }
    /* skew: a partition of a join's probe side over factor x the median and the threshold */
    if (ok && !rc && act->aqe.skew && nin == 2 && !twins && bc_probe < 0) {
        for (int a = 0; a < 2 && split_in < 0; a++) {
            const rf_plan *xa = st->s[stage_pos(st, in[a])].exchange, *xb = st->s[stage_pos(st, in[1 - a])].exchange;
            if (xa->mode == RF_X_HASH && xb->mode == RF_X_HASH && splittable_join(s->root, xa, xb)) split_in = a;
        }
        if (split_in >= 0) {
            int64_t *sorted = rf_malloc((size_t)P * sizeof *sorted), med;
            if (!sorted) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
            else {
                memcpy(sorted, size + split_in * P, (size_t)P * sizeof *sorted);
                qsort(sorted, (size_t)P, sizeof *sorted, cmp_i64);
                med = sorted[P / 2];
                rf_free(sorted);
                int64_t target = act->aqe.advisory;
                for (int64_t p = 0; p < P && nsk < (int)(sizeof sk / sizeof *sk); p++) {
                    int64_t z = size[split_in * P + p];
                    if (z > act->aqe.skew_threshold && z > act->aqe.skew_factor * (med > 0 ? med : 1) && z > target)
                        sk[nsk++] = (skewed){ p, 0, NULL };
                }
            }
        }
    }
    if (ok && (rc = rf__agree(comm, rc, err))) goto done;   /* the skewed partitions are the same on every rank */
    if (nsk > 0 && !rc) {   /* each skewed partition's bytes per map task, over all ranks, cut into runs near the target */
        const rf_stage *ms = &st->s[stage_pos(st, in[split_in])];
        int64_t M = ms->n_tasks;
        int64_t *mt = rf_calloc((size_t)(nsk * M) + 1, sizeof *mt);
        if (!mt) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
        const rf_shuffle_out *o = &xos[in[split_in]];
        for (int64_t i = 0; mt && i < o->n_rec; i++)
            for (int q = 0; q < nsk; q++)
                if (o->rec[i].part == sk[q].p && o->rec[i].task >= 0 && o->rec[i].task < M) mt[q * M + o->rec[i].task] += o->rec[i].len;
        rc = rf__agree(comm, rc, err);
        if (!rc) RF_MPI(MPI_Allreduce(MPI_IN_PLACE, mt, (int)(nsk * M), MPI_INT64_T, MPI_SUM, comm));
        for (int q = 0; q < nsk && !rc; q++) {
            int64_t z = size[split_in * P + sk[q].p], want = (z + act->aqe.advisory - 1) / act->aqe.advisory;
            if (want > M) want = M;
            if (!(sk[q].cut = rf_calloc((size_t)want + 2, sizeof *sk[q].cut))) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); break; }
            int64_t acc = 0, k = 0, per = z / (want > 0 ? want : 1);
            sk[q].cut[k++] = 0;
            for (int64_t m = 0; m < M; m++) {
                if (acc >= per && k < want) { sk[q].cut[k++] = m; acc = 0; }
                acc += mt[q * M + m];
            }
            sk[q].k = k;
            sk[q].cut[k] = M;
        }
        rf_free(mt);
        if ((rc = rf__agree(comm, rc, err))) goto done;
        int keep = 0;   /* a partition whose bytes come from one map task cannot be split */
        for (int q = 0; q < nsk; q++) {
            if (sk[q].k > 1) sk[keep++] = sk[q];
            else rf_free(sk[q].cut);
        }
        nsk = keep;
    }
    if (ok && !rc) {
        int64_t target = act->aqe.coalesce ? act->aqe.advisory : 0;   /* 0: every partition its own task */
        if (act->aqe.coalesce && act->aqe.parallelism_first) {   /* Spark's default: keep every core busy, runs of at least minPartitionSize */
            int64_t cores = omp_get_max_threads(), per;
            RF_MPI(MPI_Allreduce(MPI_IN_PLACE, &cores, 1, MPI_INT64_T, MPI_SUM, comm));   /* threads may differ by rank */
            per = total / (2 * (cores > 0 ? cores : 1));   /* two tasks a core: room to balance */
            if (per < act->aqe.min_part) per = act->aqe.min_part;
            if (per < target) target = per;
        }
        if (bc_probe < 0) rc = build_spec(P, nin, size, target, sk, nsk, &spec, &nt);
        else {   /* every rank runs every run of partitions over its own probe rows: the probe sizes count 1 / nranks */
            int64_t *eff = rf_malloc((size_t)P * sizeof *eff), g = 0;
            rf_taskspec *runs = NULL;
            if (!eff) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
            for (int64_t p = 0; eff && p < P; p++) eff[p] = size[bc_probe * P + p] / nranks + size[(1 - bc_probe) * P + p];
            if (!rc) rc = build_spec(P, 1, eff, target, NULL, 0, &runs, &g);
            if (!rc && !(spec = rf_malloc((size_t)(g * nranks) * sizeof *spec))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
            for (int64_t t = 0; !rc && t < g * nranks; t++) spec[t] = runs[t / nranks];   /* task t on rank t mod nranks */
            nt = g * nranks;
            rf_free(runs);
            rf_free(eff);
        }
    }
    if (!rc && spec && bc_probe < 0) rc = balance(spec, nt, P, nin, size, split_in, nranks, &task_rank, &task_bytes);
    rc = rf__agree(comm, rc, err);
    bool change = !rc && spec && (nt != s->n_tasks || nsk > 0 || bc_probe >= 0);
    /* the exchanges: with the routes of the new plan, or as planned */
    for (int i = 0; i < s->n_inputs && !rc; i++) {
        int id = s->inputs[i];
        if (!pending[id]) continue;
        rf_route route = { 0 };
        int k = -1;
        for (int j = 0; j < nin; j++) if (in[j] == id) k = j;
        int lrc = !change || k < 0 ? RF_OK : bc_probe >= 0 ? build_route_bcast(P, nranks, k == bc_probe, &route)
                                                            : build_route(spec, nt, P, task_rank, k == split_in, &route);
        int64_t b = 0;
        rc = rf__shuffle_exchange_routed(comm, lrc, &xos[id], route.first ? &route : NULL, act->round_bytes, &xd[id], &b, err);
        *sent += b;
        rf__route_fini(&route);
        rf__shuffle_out_fini(&xos[id]);
        pending[id] = false;
    }
    if (!rc && change) {
        if (rank == 0 && act->progress) {
            if (bc_probe >= 0)
                fprintf(stderr, "riffle: stage %d: adaptive: the join's build side is %.1f MB: broadcast to every rank, the probe side is read "
                        "where it was made (%lld tasks)\n", si + 1, (double)bc_bytes / 1e6, (long long)nt);
            else if (nt - nsk != s->n_tasks) fprintf(stderr, "riffle: stage %d: adaptive: %lld partitions of %.1f MB in all coalesced into %lld task(s)\n",
                                                si + 1, (long long)P, (double)total / 1e6, (long long)nt);
            for (int q = 0; q < nsk; q++)
                fprintf(stderr, "riffle: stage %d: adaptive: skewed partition %lld (%.1f MB) of the join split into %lld tasks\n", si + 1,
                        (long long)sk[q].p, (double)size[split_in * P + sk[q].p] / 1e6, (long long)sk[q].k);
        }
        if (rank == 0) {
            if (bc_probe >= 0) rf__evlog_adaptive(act->job_id, si, "shuffleToBroadcast", bc_bytes, nt);
            else rf__evlog_adaptive(act->job_id, si, "coalescePartitions", total, nt);
            for (int q = 0; q < nsk; q++) rf__evlog_adaptive(act->job_id, si, "skewJoinSplit", size[split_in * P + sk[q].p], sk[q].k);
        }
        s->spec = spec;
        s->n_tasks = nt;
        s->task_rank = task_rank;
        s->task_bytes = task_bytes;
        task_rank = NULL;
        task_bytes = NULL;
        s->split_x = nsk ? st->s[stage_pos(st, in[split_in])].exchange : NULL;
        s->local_x = bc_probe >= 0 ? st->s[stage_pos(st, in[bc_probe])].exchange : NULL;
        s->bcast_x = bc_probe >= 0 ? st->s[stage_pos(st, in[1 - bc_probe])].exchange : NULL;
        spec = NULL;
    }
done:
    for (int q = 0; q < nsk; q++) rf_free(sk[q].cut);
    rf_free(task_rank);
    rf_free(task_bytes);
    rf_free(spec);
    rf_free(size);
    rf_free(in);
    return rc;
}
