/*
 * metrics.c — what a job measured, gathered to rank 0: each stage's totals, per-rank times, shuffle
 * matrix and partition skew (the progress lines, the event log), and the EXPLAIN ANALYZE report
 * (the plan as it ran with each operator's rows, time, memory and spill, and the stages).
 */
#include <stdio.h>
#include <stdlib.h>
#include "runtime/executor.h"

/* ---------------------------------------------------------------- EXPLAIN ANALYZE */
/* Rank 0: what each stage of the analyzed job did, and the report made from it and the operators'. */
typedef struct stage_stat { int id; int64_t tasks, rows, sent, spill, peak; double secs, tmin, tmax; } stage_stat;
static stage_stat *an_stages;
static int an_n, an_cap;
static rf_buf an_text;

const char *rf__job_analysis(void) { return an_text.len ? (const char *)an_text.data : NULL; }

void rf__analysis_reset(void)
{
    an_n = 0;
    an_text.len = 0;
}

int rf__plan_max_id(const rf_plan *p, int64_t m)
{
    if (!(p->id & RF_ADAPTIVE_ID) && (int64_t)p->id > m) m = p->id;
    for (int i = 0; i < p->n_child; i++) m = rf__plan_max_id(p->child[i], m);
    return (int)m;
}

typedef struct { const rf_opstats *s; const int64_t *rows, *nanos, *spill, *mem; double total; } note_ctx;

/* Seconds as "12.3 ms" below a second, else "1.23 s". */
static const char *dur(double s, char *buf, size_t cap)
{
    if (s < 1) snprintf(buf, cap, "%.1f ms", s * 1e3);
    else snprintf(buf, cap, "%.2f s", s);
    return buf;
}

static int64_t stat_of(const note_ctx *c, const int64_t *v, const rf_plan *p)
{
    int64_t k = rf__opstat_slot(c->s, p->id);
    return k >= 0 ? v[k] : 0;
}

/* An operator's rows and its own time (inclusive less its children's; an exchange read, its own). */
static int note_op(const rf_plan *p, rf_buf *b, void *arg)
{
    const note_ctx *c = arg;
    int64_t self = stat_of(c, c->nanos, p);
    if (p->kind != RF_P_EXCHANGE)
        for (int i = 0; i < p->n_child; i++) self -= stat_of(c, c->nanos, p->child[i]);
    if (self < 0) self = 0;
    char t[32], more[96] = "";
    int64_t mem = stat_of(c, c->mem, p), sp = stat_of(c, c->spill, p);
    if (mem || sp) snprintf(more, sizeof more, ", memory %.1f MB, %.1f MB spilled", (double)mem / 1e6, (double)sp / 1e6);
    return rf_buf_printf(b, "  [rows %lld, %s, %.0f%%%s]", (long long)stat_of(c, c->rows, p), dur((double)self / 1e9, t, sizeof t),
                         c->total > 0 ? 100.0 * (double)self / 1e9 / c->total : 0.0, more);
}

static double self_total(const note_ctx *c, const rf_plan *p)
{
    int64_t self = stat_of(c, c->nanos, p);
    if (p->kind != RF_P_EXCHANGE)
        for (int i = 0; i < p->n_child; i++) self -= stat_of(c, c->nanos, p->child[i]);
    double t = self > 0 ? (double)self / 1e9 : 0;
    for (int i = 0; i < p->n_child; i++) t += self_total(c, p->child[i]);
    return t;
}

/* Collective: the operators' statistics to rank 0, which writes the report (an_text). */
int rf__analysis_report(MPI_Comm comm, const rf_action *act, const rf_plan *plan, const rf_stages *st, const rf_opstats *s,
                           double secs)
{
    int rank = 0, nranks = 1, rc = RF_OK;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &nranks);
    int64_t n = 2 * s->n_ids, *mine = rf_malloc((size_t)(4 * n) * sizeof *mine), *all = rf_calloc((size_t)(4 * n), sizeof *all);
    if (!mine || !all) { rf_free(mine); rf_free(all); return rf__err_set(RF_ERR_NOMEM, "out of memory"); }
    for (int64_t i = 0; i < n; i++) {
        mine[i] = atomic_load(&s->rows[i]);
        mine[n + i] = atomic_load(&s->nanos[i]);
        mine[2 * n + i] = atomic_load(&s->spill[i]);
        mine[3 * n + i] = atomic_load(&s->mem[i]);
    }
    RF_MPI(MPI_Reduce(mine, all, (int)(3 * n), MPI_INT64_T, MPI_SUM, 0, comm));   /* rows, time, spill: summed */
    RF_MPI(MPI_Reduce(mine + 3 * n, all + 3 * n, (int)n, MPI_INT64_T, MPI_MAX, 0, comm));   /* memory: the largest task's */
    if (rank == 0) {
        note_ctx c = { s, all, all + n, all + 2 * n, all + 3 * n, 0 };
        c.total = self_total(&c, plan);
        an_text.len = 0;
        char t1[32], t2[32];
        rc = rf_buf_printf(&an_text, "== Analyzed Physical Plan: ran in %s on %d rank(s); per operator the rows it gave and its own time, "
                                     "summed over its tasks and ranks (%% of all operators' %s); for those that hold data, the most "
                                     "one task held and what they spilled ==\n", dur(secs, t1, sizeof t1), nranks,
                           dur(c.total, t2, sizeof t2));
        if (!rc) rc = rf__plan_explain_noted(plan, st, act->adaptive, note_op, &c, &an_text);
        if (!rc) rc = rf_buf_printf(&an_text, "== Stages (as run) ==\n");
        for (int i = 0; i < an_n && !rc; i++) {
            const stage_stat *g = &an_stages[i];
            char a[32], b1[32], c1[32];
            rc = rf_buf_printf(&an_text, "Stage %d: %lld task(s), %lld rows out, %.1f MB shuffled, %.1f MB spilled, peak memory %.1f MB (largest rank), "
                                         "%s (fastest rank %s, slowest rank %s)\n",
                               g->id, (long long)g->tasks, (long long)g->rows, (double)g->sent / 1e6, (double)g->spill / 1e6, (double)g->peak / 1e6,
                               dur(g->secs, a, sizeof a), dur(g->tmin, b1, sizeof b1), dur(g->tmax, c1, sizeof c1));
        }
        if (!rc) rc = rf_buf_put_u8(&an_text, 0);
        if (!rc) an_text.len--;   /* 0-terminated, not counted */
    }
done:
    rf_free(mine);
    rf_free(all);
    return rc;
}


static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Collective: where the stage's exchanges moved bytes (rank x rank, folded into at most 64 groups)
 * and the sizes of its own output's partitions, to rank 0 for the event log. */
enum { MATRIX_GROUPS = 64, MAX_SKEW_PARTS = 65536 };
static int shuffle_shape(MPI_Comm comm, const rf_shuffle_out *own, rf_stage_report *r, int64_t **matrix)
{
    int rank = 0, nranks = 1, rc = RF_OK, n = 0;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &nranks);
    int g = nranks < MATRIX_GROUPS ? nranks : MATRIX_GROUPS;
    int64_t fold[MATRIX_GROUPS] = { 0 }, *all = NULL, *psum = NULL;
    const int64_t *sent = rf__exchange_matrix(&n);
    for (int d = 0; d < n; d++) fold[(int64_t)d * g / nranks] += sent[d];
    if (rank == 0 && !(all = rf_calloc((size_t)nranks * (size_t)g, sizeof *all))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    if ((rc = rf__agree(comm, rc, NULL))) goto done;
    RF_MPI(MPI_Gather(fold, g, MPI_INT64_T, all, g, MPI_INT64_T, 0, comm));
    if (rank == 0 && all) *matrix = rf_calloc((size_t)g * (size_t)g, sizeof **matrix);   /* without room, the log goes without it */
    bool any = false;
    for (int i = 0; rank == 0 && *matrix && i < nranks; i++)
        for (int j = 0; j < g; j++) { (*matrix)[(int64_t)i * g / nranks * g + j] += all[(size_t)i * g + j]; any |= all[(size_t)i * g + j] != 0; }
    if (rank == 0 && !any) RF_FREE(*matrix);
    r->groups = g;
    /* the same on every rank: the plan is */
    int64_t parts = own && own->psize && !own->broadcast && own->nparts > 1 && own->nparts <= MAX_SKEW_PARTS ? own->nparts : 0;
    if (parts) {
        if (rank == 0 && !(psum = rf_calloc((size_t)parts, sizeof *psum))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
        if ((rc = rf__agree(comm, rc, NULL))) goto done;
        RF_MPI(MPI_Reduce(own->psize, psum, (int)parts, MPI_INT64_T, MPI_SUM, 0, comm));
        if (rank == 0 && psum) {
            qsort(psum, (size_t)parts, sizeof *psum, cmp_i64);
            r->parts = parts;
            r->part_max = psum[parts - 1];
            r->part_median = psum[parts / 2];
        }
    }
done:
    rf_free(all);
    rf_free(psum);
    return rc;
}

/* Collective: every rank's stage metrics to rank 0 (progress line, event log, EXPLAIN ANALYZE). */
int rf__stage_metrics(MPI_Comm comm, const rf_action *act, const rf_stages *st, int si, rank_stat me, int64_t sent, double t0,
                         bool say, const rf_shuffle_out *own)
{
    int rank = 0, nranks = 1, rc = RF_OK;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &nranks);
    rf_spill_stats sp;
    rf__spill_stats(&sp);
    int64_t mine[4 + RF_SPILL_OWNERS] = { (int64_t)me.rows, sent, sp.bytes, sp.files }, all[4 + RF_SPILL_OWNERS] = { 0 };
    for (int k = 0; k < RF_SPILL_OWNERS; k++) mine[4 + k] = sp.by_owner[k];
    double dt = rf_now() - t0, tmin = 0, tmax = 0, ssecs = 0, *ranks = NULL;
    int64_t *matrix = NULL;
    me.secs = dt;
    RF_MPI(MPI_Reduce(mine, all, 4 + RF_SPILL_OWNERS, MPI_INT64_T, MPI_SUM, 0, comm));
    RF_MPI(MPI_Reduce(&sp.secs, &ssecs, 1, MPI_DOUBLE, MPI_SUM, 0, comm));
    RF_MPI(MPI_Reduce(&dt, &tmin, 1, MPI_DOUBLE, MPI_MIN, 0, comm));
    RF_MPI(MPI_Reduce(&dt, &tmax, 1, MPI_DOUBLE, MPI_MAX, 0, comm));
    int64_t peak = rf__mem_reserved_peak(), peak_max = 0;
    RF_MPI(MPI_Reduce(&peak, &peak_max, 1, MPI_INT64_T, MPI_MAX, 0, comm));
    rf_stage_report r = { .nranks = nranks };
    if (act->evlog) {   /* the detail only the event log keeps (the same on every rank) */
        if (rank == 0 && !(ranks = rf_malloc((size_t)nranks * sizeof me))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
        if ((rc = rf__agree(comm, rc, NULL))) goto done;   /* rank 0 receives: it must have the room */
        RF_MPI(MPI_Gather(&me, RF_RANK_STATS, MPI_DOUBLE, ranks, RF_RANK_STATS, MPI_DOUBLE, 0, comm));
        if ((rc = shuffle_shape(comm, own, &r, &matrix))) goto done;
    }
    const rf_stage *s = &st->s[si];
    if (rank == 0 && act->analyze) {
        if (an_n >= an_cap) {
            stage_stat *v = rf_realloc(an_stages, (size_t)(an_n + 8) * sizeof *v);
            if (v) { an_stages = v; an_cap = an_n + 8; }
        }
        if (an_n < an_cap)
            an_stages[an_n++] = (stage_stat){ s->id, s->n_tasks, all[0], all[1], all[2], peak_max, rf_now() - t0, tmin, tmax };
    }
    if (rank == 0 && say) {
        char spill[96] = "";
        if (all[2]) snprintf(spill, sizeof spill, ", %.1f MB spilled", (double)all[2] / 1e6);
        fprintf(stderr, "riffle: stage %d/%d done: %lld task(s), %lld rows out, %.1f MB shuffled%s, %.2f s\n", si + 1, st->n,
                (long long)s->n_tasks, (long long)all[0], (double)all[1] / 1e6, spill, rf_now() - t0);
    }
    if (rank == 0) {
        r.job = act->job_id;
        r.stage = si;
        r.n_stages = st->n;
        r.tasks = s->n_tasks;
        r.rows = all[0];
        r.sent = all[1];
        r.secs = rf_now() - t0;
        r.rank_min = tmin;
        r.rank_max = tmax;
        r.spill_bytes = all[2];
        r.spill_files = all[3];
        r.spill_secs = ssecs;
        r.spill_by = all + 4;
        r.per_rank = ranks;
        r.matrix = matrix;
        rf__evlog_stage(&r);
    }
done:
    rf_free(ranks);
    rf_free(matrix);
    return rc;
}
