/*
 * op_window.c — Window: evaluates window functions over one task's partition of the data.
 *
 * The input arrives hash-partitioned on the PARTITION BY keys (or all in one partition). The
 * operator sorts it by (partition keys, ORDER BY keys) — a stable sort, so ties keep their
 * deterministic input order — and then, per window partition, computes row_number, rank,
 * dense_rank, lag, lead, and count/sum/avg/min/max over the frame of each row:
 *   default frame: with ORDER BY, RANGE UNBOUNDED PRECEDING .. CURRENT ROW (peers included);
 *                  without, the whole partition (as Spark);
 *   ROWS BETWEEN n PRECEDING / UNBOUNDED .. n FOLLOWING / UNBOUNDED / CURRENT ROW;
 *   RANGE with UNBOUNDED / CURRENT ROW bounds.
 * Output: the sorted input rows with one column per window expression.
 *
 * Frames that start at the partition's first row (the default with ORDER BY, UNBOUNDED PRECEDING)
 * keep one running aggregate per partition (values fold in row order, as a fresh loop would),
 * whole-partition frames one total, frames that end at the partition's last row one aggregate
 * folded from the last row back (a floating-point sum adds in that order), and a peer group's frame
 * (RANGE CURRENT ROW .. CURRENT ROW) is aggregated once per group, so they cost O(rows); bounded
 * ROWS frames are aggregated afresh per row.
 *
 * Bounded memory: the sort is an rf_sorter (external when the input outgrows the operator's share),
 * and rows come out of it in order, so the operator holds one window partition at a time (plus the
 * batch it is reading): when a batch starts a new partition, the partitions before it are complete
 * and are computed and emitted. A partition that outgrows the operator's share goes to a spill file
 * (to_spool) and is streamed back a chunk of batch rows at a time (big_chunk), holding only the rows
 * the chunk's frames reach: ROWS offsets and lag / lead distances before and after it. ROWS
 * frames from the partition's start carry their aggregate from chunk to chunk; whole-partition
 * frames take a first read of the file for their totals; frames to the partition's end and frames
 * bounded by peer groups (the default with ORDER BY, RANGE ... CURRENT ROW) are precomputed per row
 * by a read of the file backwards (suffixes(): the value for rows x .. end; a peer group's own
 * value; the running value at the group's last row, from a forward read first) into a second
 * spill file read alongside, so no peer group has to fit in memory either.
 */
#include <stdlib.h>
#include "exec/exec.h"
#include "shuffle/shuffle.h"

/* A frame's running aggregate: fold rows in order (acc_add), read the result (acc_out). min / max
 * remember the best row (bv, bi); acc_own copies it when its column is about to go. */
typedef struct {
    int64_t cnt, isum;
    double  dsum;
    rf_dec  xsum;
    bool    xover;      /* the decimal sum overflowed 128 bits: NULL */
    const rf_column *bv;
    int64_t bi;
    rf_column *own;
    bool    rev;        /* rows are folded last to first (suffix frames): first_value keeps the latest row */
} wacc;

/* How an aggregate's frame is computed over a window partition too big for memory. */
typedef enum { F_TOTAL, F_RUNNING, F_FRESH, F_SUFFIX, F_NONE,
               /* over a partition streamed from disk, frames bounded by peer groups (ORDER BY ... RANGE /
                * the default) are precomputed per row like suffixes, so no peer group need fit: */
               F_PEERRUN,   /* partition start .. end of the row's peer group */
               F_PEER,      /* the row's peer group */
               F_PEERSUF    /* start of the row's peer group .. partition end */
} fclass;

/* A window partition too big for memory: its rows in a spool, read again in order and emitted a
 * chunk at a time, holding only the rows the chunk's frames reach (see the file comment). */
typedef struct {
    rf_spool   sp;
    int64_t    n;          /* rows */
    int64_t    roff;       /* read offset in sp */
    rf_batch  *buf;        /* rows [off, off + buf->nrows) of the partition */
    int64_t    off;
    int64_t    next;       /* the next row to emit */
    int64_t    gs, dense;  /* the peer group of row next - 1: its start, its dense rank */
    int64_t    back, ahead;/* rows a chunk's frames reach before its first and after its last row */
    int        npr;        /* F_PEERRUN expressions */
    rf_column **gv;        /* per expression: F_PEER / F_PEERSUF value of the current peer group */
    fclass    *fc;         /* per window expression */
    wacc      *acc;        /* per expression: the running or total aggregate */
    int64_t   *upto;       /* per expression: rows folded into acc */
    int64_t   *boff;       /* where each spooled batch starts in sp */
    int64_t    nb, cap_b;
    /* suffix frames (from a later row to the partition's end): a reverse read computes, for every
     * row x, the frame value of rows x .. n - 1; those columns (one per suffix expression, batch by
     * batch in sp's batching) wait in rsp and are read alongside the rows into rbuf */
    int        nsuf;
    int       *suf;        /* per expression: its column in rbuf, or -1 */
    rf_schema *rschema;
    rf_spool   rsp;
    int64_t   *roffs;      /* [nb] where batch k's suffix columns start in rsp */
    int64_t    rk;         /* the next batch to read */
    rf_batch  *rbuf;       /* suffix columns of rows [off, off + buf->nrows) */
} bigpart;

typedef struct {
    rf_sorter *sorter;
    rf_expr  **orders;     /* partition keys (ascending) then the window's orders */
    int        np_, no;
    rf_blist   pend;       /* rows of the last, maybe incomplete, partition */
    rf_column **pend_keys; /* sort keys of pend's last batch */
    rf_batch  *out;        /* computed rows being emitted */
    int64_t    pos;
    bool       eof;
    int64_t    pend_bytes, reserved;
    bigpart   *big;        /* the partition being spooled (big->n grows) or streamed (streaming) */
    bool       streaming;
    rf_column **big_keys;  /* the spooled partition's keys (partition keys of its first row) */
    rf_batch  *carry;      /* sorted rows read but not yet placed (after the spooled partition ended) */
    rf_buf     tmp_buf;
} window_st;

static bool same_keys(rf_column **c, int n, int64_t a, int64_t b)
{
    for (int k = 0; k < n; k++) if (!rf_column_eq(c[k], a, c[k], b)) return false;
    return true;
}

static bool same_keys2(rf_column **c, int64_t a, rf_column **d, int64_t b, int n)
{
    for (int k = 0; k < n; k++) if (!rf_column_eq(c[k], a, d[k], b)) return false;
    return true;
}

/* Frame [*lo, *hi] of row i in partition [ps, pe) with peer group [gs, ge). */
static void frame_of(const rf_expr *w, int64_t i, int64_t ps, int64_t pe, int64_t gs, int64_t ge, int64_t *lo, int64_t *hi)
{
    if (w->frame == RF_FRAME_DEFAULT) {
        *lo = ps;
        *hi = w->n_order ? ge - 1 : pe - 1;
        return;
    }
    if (w->frame == RF_FRAME_RANGE) {
        *lo = w->frame_lo == RF_UNBOUNDED ? ps : gs;
        *hi = w->frame_hi == INT64_MAX ? pe - 1 : ge - 1;
        return;
    }
    *lo = w->frame_lo == RF_UNBOUNDED ? ps : (i + w->frame_lo < ps ? ps : i + w->frame_lo);
    *hi = w->frame_hi == INT64_MAX ? pe - 1 : (i + w->frame_hi > pe - 1 ? pe - 1 : i + w->frame_hi);
}

static void acc_add(wacc *a, const rf_expr *w, const rf_column *v, int64_t j)
{
    if (RF_W_VALUE_FN(w->op)) {   /* a row's value, NULL or not */
        a->cnt++;
        bool take = w->op == RF_W_NTH_VALUE ? a->cnt == w->arg[1]->lit.v.i
                  : (w->op == RF_W_FIRST_VALUE) != a->rev ? a->cnt == 1 : true;
        if (take) { a->bv = v; a->bi = j; }
        return;
    }
    if (v && !rf_column_valid(v, j)) return;
    a->cnt++;
    if (!v) return;
    if (w->op == RF_A_SUM || w->op == RF_A_AVG) {
        if (v->type == RF_TYPE_DOUBLE) a->dsum += rf_col_f64(v, j);
        else if (rf_type_is_decimal(v->type)) a->xover |= __builtin_add_overflow(a->xsum, rf_col_dec(v, j), &a->xsum);
        else a->isum = (int64_t)((uint64_t)a->isum + (uint64_t)rf_column_get_int(v, j));
    } else if (w->op == RF_A_MIN || w->op == RF_A_MAX) {
        int c = a->bv ? rf_column_cmp(v, j, a->bv, a->bi) : 0;
        if (!a->bv || (w->op == RF_A_MIN ? c < 0 : c > 0)) { a->bv = v; a->bi = j; }
    }
}

static int acc_out(const wacc *a, const rf_expr *w, const rf_column *v, rf_column *out)
{
    switch (w->op) {
    case RF_A_COUNT: return rf_column_append_i64(out, a->cnt);
    case RF_A_SUM:
        if (!a->cnt) return rf_column_append_null(out);
        if (rf_type_is_decimal(out->type))
            return a->xover || !rf_dec_fits(a->xsum, rf_type_precision(out->type)) ? rf_column_append_null(out) : rf_column_append_dec(out, a->xsum);
        return out->type == RF_TYPE_DOUBLE ? rf_column_append_f64(out, v->type == RF_TYPE_DOUBLE ? a->dsum : (double)a->isum) : rf_column_append_i64(out, a->isum);
    case RF_A_AVG:
        if (!a->cnt) return rf_column_append_null(out);
        if (rf_type_is_decimal(out->type)) {
            rf_dec q;
            bool ok = !a->xover && rf_dec_div(a->xsum, rf_type_scale(v->type), a->cnt, 0, rf_type_precision(out->type), rf_type_scale(out->type), &q);
            return ok ? rf_column_append_dec(out, q) : rf_column_append_null(out);
        }
        return rf_column_append_f64(out, (v->type == RF_TYPE_DOUBLE ? a->dsum : (double)a->isum) / (double)a->cnt);
    default:
        return !a->bv ? rf_column_append_null(out) : rf_column_append_from(out, a->bv, a->bi);
    }
}

static int acc_own(wacc *a)
{
    if (!a->bv || a->bv == a->own) return RF_OK;
    rf_column *c = NULL;
    int rc = rf_column_create(a->bv->type, 1, &c);
    if (!rc) rc = rf_column_append_from(c, a->bv, a->bi);
    if (rc) { rf_column_release(&c); return rc; }
    rf_column_release(&a->own);
    a->own = c;
    a->bv = c;
    a->bi = 0;
    return RF_OK;
}

static int aggregate(const rf_expr *w, const rf_column *v, int64_t lo, int64_t hi, rf_column *out)
{
    wacc a = { 0 };
    for (int64_t j = lo; j <= hi; j++) acc_add(&a, w, v, j);
    return acc_out(&a, w, v, out);
}

static fclass frame_class(const rf_expr *w);

/* Sign of dir * (key[j] - key[i]) - off for RANGE frames by value: off in the key's units. */
static int vcmp(const rf_column *k, int64_t j, int64_t i, int64_t off, int dir)
{
    switch (rf_type_base(k->type)) {
    case RF_TYPE_DOUBLE: {   /* NaN sorts above every number and equals itself, as Spark orders doubles */
        double x = rf_col_f64(k, j), y = rf_col_f64(k, i);
        if (x != x || y != y) {
            int c = (x != x) - (y != y);   /* NaN against a number: apart by any offset */
            return dir * c != 0 ? dir * c : (off > 0 ? -1 : off < 0 ? 1 : 0);
        }
        double b = y + dir * (double)off;   /* the bound, then x against it: inf - inf never arises */
        return dir * ((x > b) - (x < b));
    }
    case RF_TYPE_DECIMAL: {
        __int128 d = dir * (rf_col_dec(k, j) - rf_col_dec(k, i)) - (__int128)off * rf_dec_pow10(rf_type_scale(k->type));
        return (d > 0) - (d < 0);
    }
    default: {
        __int128 d = (__int128)dir * ((__int128)rf_column_get_int(k, j) - rf_column_get_int(k, i)) - off;
        return (d > 0) - (d < 0);
    }
    }
}

/* Frame [*lo, *hi] of row i of a RANGE frame by value over partition [ps, pe), peer group [gs, ge):
 * the rows whose key is within the offsets (a NULL key's frame is its peers), found by moving *lp /
 * *hp, which only grow while i does. */
static void vframe(const rf_expr *w, const rf_column *k, int64_t i, int64_t ps, int64_t pe, int64_t gs, int64_t ge,
                   int64_t *lp, int64_t *hp, int64_t *lo, int64_t *hi)
{
    int dir = w->arg[w->n_arg - 1]->desc ? -1 : 1;
    if (!rf_column_valid(k, i)) {
        *lo = w->frame_lo == RF_UNBOUNDED ? ps : gs;
        *hi = w->frame_hi == INT64_MAX ? pe - 1 : ge - 1;
        return;
    }
    if (w->frame_lo == RF_UNBOUNDED) *lo = ps;
    else {
        if (*lp < ps) *lp = ps;
        while (*lp < pe && (!rf_column_valid(k, *lp) || vcmp(k, *lp, i, w->frame_lo, dir) < 0)) {
            if (!rf_column_valid(k, *lp) && *lp > i) break;   /* NULLs last: past the values */
            (*lp)++;
        }
        *lo = *lp;
    }
    if (w->frame_hi == INT64_MAX) *hi = pe - 1;
    else {
        if (*hp < *lo - 1) *hp = *lo - 1;
        while (*hp + 1 < i && !rf_column_valid(k, *hp + 1)) (*hp)++;   /* NULLs first: before every value */
        while (*hp + 1 < pe && rf_column_valid(k, *hp + 1) && vcmp(k, *hp + 1, i, w->frame_hi, dir) <= 0) (*hp)++;
        *hi = *hp;
    }
}

static int compute(const rf_expr *w, const rf_batch *b, rf_column **pk, int np_, rf_column **ok, int no, rf_column **out)
{
    int na = rf__window_nargs(w), rc;
    int64_t n = b->nrows;
    rf_column *v = NULL, *def = NULL, *suf = NULL, *peer = NULL;
    RF_TRY(rf_column_create(w->type, n, out));
    if (na >= 1) RF_TRY(rf__expr_eval(w->arg[0], b, &v));
    if (na >= 3) RF_TRY(rf__expr_eval(w->arg[2], b, &def));
    int64_t k = na >= 2 ? w->arg[1]->lit.v.i : 1;
    for (int64_t ps = 0; ps < n;) {
        int64_t pe = ps + 1;
        while (pe < n && same_keys(pk, np_, ps, pe)) pe++;
        int64_t rank = 0, dense = 0, upto = ps;
        /* frames that start at the partition's first row grow row by row: one running aggregate
         * (the values fold in the same order as a fresh loop would, so the result is the same) */
        fclass fc = frame_class(w);
        wacc run = { 0 };
        if (fc == F_TOTAL) for (; upto < pe; upto++) acc_add(&run, w, v, upto);
        /* frames from a later row to the end: one aggregate folded from the last row back, its value
         * after row x being the frame value of rows x .. pe - 1 (O(rows), as over spilled partitions) */
        rf_column_release(&suf);
        if (fc == F_SUFFIX) {
            int64_t m = pe - ps, *idx = rf_malloc((size_t)(m ? m : 1) * sizeof *idx);
            rf_column *rev = NULL;
            rc = idx ? rf_column_create(w->type, m, &rev) : rf__err_set(RF_ERR_NOMEM, "out of memory");
            run.rev = true;
            for (int64_t j = pe - 1; j >= ps && !rc; j--) {
                acc_add(&run, w, v, j);
                rc = acc_out(&run, w, v, rev);
            }
            for (int64_t q = 0; q < m && !rc; q++) idx[q] = m - 1 - q;
            if (!rc) rc = rf_column_gather(rev, idx, 0, m, &suf);
            rf_free(idx);
            rf_column_release(&rev);
            if (rc) goto done;
        }
        int64_t vlp = ps, vhp = ps - 1;   /* RANGE frames by value: their moving bounds */
        bool byval = rf__frame_by_value(w->frame, w->frame_lo, w->frame_hi);
        for (int64_t gs = ps; gs < pe;) {
            int64_t ge = gs + 1;
            while (ge < pe && same_keys(ok, no, gs, ge)) ge++;
            dense++;
            rank = gs - ps + 1;
            for (int64_t i = gs; i < ge; i++) {
                switch (w->op) {
                case RF_W_ROW_NUMBER: rc = rf_column_append_i64(*out, i - ps + 1); break;
                case RF_W_RANK: rc = rf_column_append_i64(*out, rank); break;
                case RF_W_DENSE_RANK: rc = rf_column_append_i64(*out, dense); break;
                case RF_W_LAG: case RF_W_LEAD: {
                    int64_t j = w->op == RF_W_LAG ? i - k : i + k;
                    if (j >= ps && j < pe) rc = rf_column_append_from(*out, v, j);
                    else if (def) rc = rf_column_append_from(*out, def, i);
                    else rc = rf_column_append_null(*out);
                    break;
                }
                default: {
                    int64_t lo, hi;
                    if (byval) vframe(w, ok[0], i, ps, pe, gs, ge, &vlp, &vhp, &lo, &hi);
                    else frame_of(w, i, ps, pe, gs, ge, &lo, &hi);
                    if (fc == F_TOTAL || fc == F_RUNNING) {
                        for (; upto <= hi; upto++) acc_add(&run, w, v, upto);
                        rc = acc_out(&run, w, v, *out);
                    } else if (fc == F_SUFFIX) {
                        if (lo <= hi) rc = rf_column_append_from(*out, suf, lo - ps);
                        else { wacc none = { 0 }; rc = acc_out(&none, w, v, *out); }
                    } else if (w->frame == RF_FRAME_RANGE && w->n_order && !byval) {   /* the peer group: once per group */
                        if (i == gs) {
                            rf_column_release(&peer);
                            if (!(rc = rf_column_create(w->type, 1, &peer))) rc = aggregate(w, v, lo, hi, peer);
                        }
                        if (!rc) rc = rf_column_append_from(*out, peer, 0);
                    } else rc = aggregate(w, v, lo, hi, *out);
                    break;
                }
                }
                if (rc) goto done;
            }
            gs = ge;
        }
        ps = pe;
    }
    rc = RF_OK;
done:
    rf_column_release(&v);
    rf_column_release(&def);
    rf_column_release(&suf);
    rf_column_release(&peer);
    if (rc) rf_column_release(out);
    return rc;
}

static int open_(rf_op *op)
{
    const rf_plan *p = op->plan;
    window_st *s = rf_calloc(1, sizeof *s);
    int rc = RF_OK;
    if (!s) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    op->st = s;
    const rf_expr *w0 = p->exprs[0];
    int na0 = rf__window_nargs(w0);
    s->np_ = w0->n_part;
    s->no = w0->n_order;
    RF_CHECK((s->orders = rf_calloc((size_t)(s->np_ + s->no + 1), sizeof *s->orders)) != NULL, RF_ERR_NOMEM, "out of memory");
    for (int i = 0; i < s->np_; i++) {
        rf_expr *c = NULL;
        RF_TRY(rf__expr_copy(w0->arg[na0 + i], &c));
        s->orders[i] = rf_asc(c);
        RF_CHECK(s->orders[i] != NULL, RF_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < s->no; i++) RF_TRY(rf__expr_copy(w0->arg[na0 + s->np_ + i], &s->orders[s->np_ + i]));
    RF_TRY(rf__sorter_new((const rf_expr *const *)s->orders, s->np_ + s->no, p->child[0]->schema, op->ctx, &s->sorter));
    for (;;) {
        rf_batch *b = NULL;
        RF_TRY(rf__op_next(op->child[0], &b));
        if (!b) break;
        RF_TRY(rf__sorter_add(s->sorter, b));
    }
    rc = rf__sorter_finish(s->sorter);
done:
    return rc;
}

/* ---------------------------------------------------------------- partitions too big for memory */
static fclass frame_class(const rf_expr *w)
{
    if (w->op >= RF_W_ROW_NUMBER && !RF_W_VALUE_FN(w->op)) return F_NONE;
    if (w->frame == RF_FRAME_RANGE && !w->n_order) return F_TOTAL;   /* every row a peer: the whole partition */
    bool lo_unb = w->frame == RF_FRAME_DEFAULT || w->frame_lo == RF_UNBOUNDED;
    bool hi_unb = w->frame == RF_FRAME_DEFAULT ? !w->n_order : w->frame_hi == INT64_MAX;
    return lo_unb && hi_unb ? F_TOTAL : lo_unb ? F_RUNNING : !hi_unb ? F_FRESH : F_SUFFIX;
}

static void big_free(bigpart **pb, int ne)
{
    bigpart *b = *pb;
    if (!b) return;
    rf__spool_fini(&b->sp);
    rf__spool_fini(&b->rsp);
    rf_batch_destroy(&b->buf);
    rf_batch_destroy(&b->rbuf);
    rf_schema_destroy(&b->rschema);
    for (int e = 0; b->acc && e < ne; e++) rf_column_release(&b->acc[e].own);
    for (int e = 0; b->gv && e < ne; e++) rf_column_release(&b->gv[e]);
    rf_free(b->gv);
    rf_free(b->fc); rf_free(b->acc); rf_free(b->upto); rf_free(b->boff); rf_free(b->suf); rf_free(b->roffs);
    RF_FREE(*pb);
}

/* Suffix frames: reads the spooled batches last to first, each from its last row, folding rows into
 * one aggregate per suffix expression, so that after row x it holds rows x .. n - 1; its value is
 * row x's column. Each batch's columns go to rsp in row order. */
static int suffixes(rf_op *op, window_st *s)
{
    const rf_plan *p = op->plan;
    bigpart *b = s->big;
    int ne = p->n_exprs, rc = RF_OK;
    rf_batch *x = NULL, *r = NULL;
    rf_column *v = NULL, *rev = NULL;
    int64_t *idx = NULL, *toff = NULL, *poff = NULL;
    uint8_t *last = NULL;
    rf_column **kx = NULL, **kprev = NULL, **pv = NULL;
    rf_batch *pb = NULL;
    rf_spool tmp, psp;   /* the batches' columns, last batch first; F_PEERRUN's running values */
    rf__spool_init(&tmp);
    rf__spool_init(&psp);
    tmp.owner = psp.owner = RF_SPILL_SORT;
    wacc *acc = rf_calloc((size_t)ne + 1, sizeof *acc);
    RF_CHECK((b->suf = rf_malloc((size_t)(ne + 1) * sizeof *b->suf)) != NULL && acc, RF_ERR_NOMEM, "out of memory");
    RF_CHECK((b->roffs = rf_calloc((size_t)b->nb + 1, sizeof *b->roffs)) != NULL, RF_ERR_NOMEM, "out of memory");
    RF_TRY(rf_schema_create(b->nsuf, &b->rschema));
    for (int e = 0, k = 0; e < ne; e++) {
        fclass f = b->fc[e];
        b->suf[e] = f == F_SUFFIX || f == F_PEERRUN || f == F_PEER || f == F_PEERSUF ? k++ : -1;
        if (b->suf[e] >= 0) b->rschema->f[b->suf[e]] = (rf_field){ .name = rf_strdup("suffix"), .type = p->exprs[e]->type, .nullable = true };
    }
    rf__spool_init(&b->rsp);
    b->rsp.owner = RF_SPILL_SORT;
    toff = rf_calloc((size_t)b->nb + 1, sizeof *toff);
    poff = rf_calloc((size_t)b->nb + 1, sizeof *poff);
    pv = rf_calloc((size_t)ne + 1, sizeof *pv);
    RF_CHECK(toff && poff && pv, RF_ERR_NOMEM, "out of memory");
    /* F_PEERRUN: a forward read first, every row's running value (P) in psp */
    for (int64_t k = 0; b->npr && k < b->nb; k++) {
        int64_t off = b->boff[k];
        RF_TRY(rf__spool_get_batch(&b->sp, &off, &s->tmp_buf, &x));
        RF_TRY(rf_batch_create(ne, x->nrows, &r));
        for (int e = 0; e < ne; e++) {
            const rf_expr *w = p->exprs[e];
            if (b->fc[e] != F_PEERRUN) {   /* a placeholder */
                RF_TRY(rf_column_create(RF_TYPE_INT64, x->nrows, &r->cols[e]));
                for (int64_t j = 0; j < x->nrows; j++) RF_TRY(rf_column_append_null(r->cols[e]));
                continue;
            }
            if (rf__window_nargs(w) >= 1) RF_TRY(rf__expr_eval(w->arg[0], x, &v));
            RF_TRY(rf_column_create(w->type, x->nrows, &r->cols[e]));
            for (int64_t j = 0; j < x->nrows; j++) {
                acc_add(&acc[e], w, v, j);
                RF_TRY(acc_out(&acc[e], w, v, r->cols[e]));
            }
            RF_TRY(acc_own(&acc[e]));
            rf_column_release(&v);
        }
        poff[k] = psp.len;
        RF_TRY(rf__spool_put_batch(&psp, r, NULL, 0, &s->tmp_buf));
        rf_batch_destroy(&r);
        rf_batch_destroy(&x);
    }
    if (b->npr) RF_TRY(rf__spool_seal(&psp));
    for (int e = 0; e < ne; e++) { rf_column_release(&acc[e].own); memset(&acc[e], 0, sizeof acc[e]); acc[e].rev = true; }
    for (int64_t k = b->nb - 1; k >= 0; k--) {
        int64_t off = b->boff[k];
        RF_TRY(rf__spool_get_batch(&b->sp, &off, &s->tmp_buf, &x));
        int64_t n = x->nrows;
        RF_TRY(rf_batch_create(b->nsuf, n, &r));
        RF_CHECK((idx = rf_malloc((size_t)(n ? n : 1) * sizeof *idx)) != NULL, RF_ERR_NOMEM, "out of memory");
        RF_CHECK((last = rf_malloc((size_t)(n ? n : 1))) != NULL, RF_ERR_NOMEM, "out of memory");
        for (int64_t i = 0; i < n; i++) idx[i] = n - 1 - i;
        /* the last row of each peer group (the next row, maybe in the batch after, differs) */
        if (s->no) RF_TRY(rf__sortkey_eval((const rf_expr *const *)s->orders + s->np_, s->no, x, &kx));
        for (int64_t j = 0; j < n; j++)
            last[j] = j + 1 < n ? !same_keys(kx, s->no, j, j + 1) : !kprev || !same_keys2(kx, j, kprev, 0, s->no);
        if (b->npr) { int64_t po = poff[k]; RF_TRY(rf__spool_get_batch(&psp, &po, &s->tmp_buf, &pb)); }
        for (int e = 0; e < ne; e++) {
            if (b->suf[e] < 0) continue;
            const rf_expr *w = p->exprs[e];
            fclass f = b->fc[e];
            if (rf__window_nargs(w) >= 1) RF_TRY(rf__expr_eval(w->arg[0], x, &v));
            RF_TRY(rf_column_create(w->type, n, &rev));
            for (int64_t j = n - 1; j >= 0; j--) {
                if (f == F_PEERRUN) {   /* the running value at the end of the row's peer group */
                    if (last[j]) {
                        rf_column_release(&pv[e]);
                        RF_TRY(rf_column_create(w->type, 1, &pv[e]));
                        RF_TRY(rf_column_append_from(pv[e], pb->cols[e], j));
                    }
                    RF_TRY(rf_column_append_from(rev, pv[e], 0));
                    continue;
                }
                if (f == F_PEER && last[j]) { rf_column_release(&acc[e].own); memset(&acc[e], 0, sizeof acc[e]); acc[e].rev = true; }
                acc_add(&acc[e], w, v, j);
                RF_TRY(acc_out(&acc[e], w, v, rev));
            }
            RF_TRY(acc_own(&acc[e]));
            RF_TRY(rf_column_gather(rev, idx, 0, n, &r->cols[b->suf[e]]));   /* back to row order */
            rf_column_release(&rev);
            rf_column_release(&v);
        }
        toff[k] = tmp.len;
        RF_TRY(rf__spool_put_batch(&tmp, r, NULL, 0, &s->tmp_buf));
        rf_batch_destroy(&r);
        rf_batch_destroy(&x);
        rf_batch_destroy(&pb);
        rf__cols_release(&kprev, s->no);
        kprev = kx;
        kx = NULL;
        RF_FREE(idx);
        RF_FREE(last);
    }
    /* rsp in row order: the batches' columns read back first batch first */
    RF_TRY(rf__spool_seal(&tmp));
    for (int64_t k = 0; k < b->nb; k++) {
        int64_t off = toff[k];
        RF_TRY(rf__spool_get_batch(&tmp, &off, &s->tmp_buf, &r));
        b->roffs[k] = b->rsp.len;
        RF_TRY(rf__spool_put_batch(&b->rsp, r, NULL, 0, &s->tmp_buf));
        rf_batch_destroy(&r);
    }
    RF_TRY(rf__spool_seal(&b->rsp));
done:
    rf__spool_fini(&tmp);
    rf__spool_fini(&psp);
    rf_free(toff);
    rf_free(poff);
    rf_free(last);
    rf__cols_release(&kx, s->no);
    rf__cols_release(&kprev, s->no);
    for (int e = 0; pv && e < ne; e++) rf_column_release(&pv[e]);
    rf_free(pv);
    rf_batch_destroy(&pb);
    for (int e = 0; acc && e < ne; e++) rf_column_release(&acc[e].own);
    rf_free(acc);
    rf_free(idx);
    rf_batch_destroy(&x);
    rf_batch_destroy(&r);
    rf_column_release(&v);
    rf_column_release(&rev);
    return rc;
}

/* Sets up the streaming of the spooled partition: what each expression needs, and the totals of
 * whole-partition frames (one read of the spool). */
static int big_start(rf_op *op, window_st *s)
{
    const rf_plan *p = op->plan;
    bigpart *b = s->big;
    int ne = p->n_exprs, rc = RF_OK;
    b->fc = rf_calloc((size_t)ne + 1, sizeof *b->fc);
    b->acc = rf_calloc((size_t)ne + 1, sizeof *b->acc);
    b->upto = rf_calloc((size_t)ne + 1, sizeof *b->upto);
    b->gv = rf_calloc((size_t)ne + 1, sizeof *b->gv);
    RF_CHECK(b->fc && b->acc && b->upto && b->gv, RF_ERR_NOMEM, "out of memory");
    RF_TRY(rf__spool_seal(&b->sp));
    b->back = 1;   /* the row before a chunk: where a peer group starts */
    bool totals = false;
    for (int e = 0; e < ne; e++) {
        const rf_expr *w = p->exprs[e];
        b->fc[e] = frame_class(w);
        if (w->op == RF_W_LAG || w->op == RF_W_LEAD) {
            int64_t k = rf__window_nargs(w) >= 2 ? w->arg[1]->lit.v.i : 1, *side = (w->op == RF_W_LAG) == (k >= 0) ? &b->back : &b->ahead;
            if (k < 0) k = -k;
            if (k > *side) *side = k;
            continue;
        }
        if (w->op >= RF_W_ROW_NUMBER && !RF_W_VALUE_FN(w->op)) continue;
        RF_CHECK(!rf__frame_by_value(w->frame, w->frame_lo, w->frame_hi), RF_ERR_LIMIT,
                 "a RANGE frame with an offset over a window partition larger than memory (%lld rows so far) is not supported yet: "
                 "use a ROWS frame, or raise riffle.executor.memory", (long long)b->n);
        if (w->n_order && w->frame != RF_FRAME_ROWS)   /* bounded by peer groups: precomputed */
            b->fc[e] = b->fc[e] == F_RUNNING ? F_PEERRUN : b->fc[e] == F_FRESH ? F_PEER : b->fc[e] == F_SUFFIX ? F_PEERSUF : b->fc[e];
        totals |= b->fc[e] == F_TOTAL;
        b->npr += b->fc[e] == F_PEERRUN;
        b->nsuf += b->fc[e] == F_SUFFIX || b->fc[e] == F_PEERRUN || b->fc[e] == F_PEER || b->fc[e] == F_PEERSUF;
        if (w->frame == RF_FRAME_ROWS) {
            int64_t o[2] = { w->frame_lo, w->frame_hi };
            for (int q = 0; q < 2; q++) {
                if (o[q] == RF_UNBOUNDED || o[q] == INT64_MAX) continue;
                if (o[q] < 0 && -o[q] > b->back) b->back = -o[q];
                if (o[q] > 0 && o[q] > b->ahead) b->ahead = o[q];
            }
        }
    }
    for (int64_t off = 0; totals && off < b->sp.len;) {   /* whole-partition frames: one read */
        rf_batch *x = NULL;
        RF_TRY(rf__spool_get_batch(&b->sp, &off, &s->tmp_buf, &x));
        if (!x) break;
        for (int e = 0; e < ne && !rc; e++) {
            if (b->fc[e] != F_TOTAL) continue;
            const rf_expr *w = p->exprs[e];
            rf_column *v = NULL;
            if (rf__window_nargs(w) >= 1 && (rc = rf__expr_eval(w->arg[0], x, &v))) break;
            for (int64_t j = 0; j < x->nrows; j++) acc_add(&b->acc[e], w, v, j);
            rc = acc_own(&b->acc[e]);
            rf_column_release(&v);
        }
        rf_batch_destroy(&x);
        if (rc) goto done;
    }
    if (b->nsuf) RF_TRY(suffixes(op, s));
    s->streaming = true;
done:
    return rc;
}

/* *dst followed by x's rows (x consumed). */
static int append_rows(rf_batch **dst, rf_batch *x, const rf_schema *types)
{
    if (!*dst) { *dst = x; return RF_OK; }
    rf_batch *two[2] = { *dst, x }, *cat = NULL;
    int rc = rf_batch_concat(two, 2, types, &cat);
    rf_batch_destroy(&x);
    if (rc) return rc;
    rf_batch_destroy(dst);
    *dst = cat;
    return RF_OK;
}

/* Reads the spool until the buffer holds row `upto` - 1 (or the partition ends). */
static int big_read(rf_op *op, window_st *s, int64_t upto)
{
    bigpart *b = s->big;
    while ((b->buf ? b->off + b->buf->nrows : b->off) < upto && b->roff < b->sp.len) {
        rf_batch *x = NULL;
        int rc = rf__spool_get_batch(&b->sp, &b->roff, &s->tmp_buf, &x);
        if (rc) return rc;
        if (!x) break;
        rf_batch *rx = NULL;
        if (b->nsuf) {   /* the batch's suffix columns alongside */
            int64_t ro = b->roffs[b->rk++];
            if (!(rc = rf__spool_get_batch(&b->rsp, &ro, &s->tmp_buf, &rx))) rc = append_rows(&b->rbuf, rx, b->rschema);
            if (rc) { rf_batch_destroy(&x); return rc; }
        }
        if ((rc = append_rows(&b->buf, x, op->plan->child[0]->schema))) return rc;
    }
    return RF_OK;
}

/* The next chunk of the spooled partition into s->out; at its end the streaming stops. */
static int big_chunk(rf_op *op, window_st *s)
{
    const rf_plan *p = op->plan;
    bigpart *b = s->big;
    int ne = p->n_exprs, nk = s->np_ + s->no, rc = RF_OK;
    rf_column **keys = NULL, **vals = NULL, **defs = NULL;
    int64_t *gsv = NULL, *dsv = NULL;
    if (b->next >= b->n) { s->streaming = false; big_free(&s->big, ne); rf__cols_release(&s->big_keys, s->np_); return RF_OK; }
    int64_t c0 = b->next, c1 = c0 + op->ctx->batch_rows < b->n ? c0 + op->ctx->batch_rows : b->n;
    /* drop the rows no frame of this chunk reaches, then read what the chunk's frames reach */
    int64_t keep = c0 - b->back;
    if (keep < 0) keep = 0;
    if (b->buf && keep > b->off) {
        rf_batch *rest = NULL;
        RF_TRY(rf_batch_slice(b->buf, keep - b->off, b->buf->nrows - (keep - b->off), &rest));
        rf_batch_destroy(&b->buf);
        b->buf = rest;
        if (b->rbuf) {
            RF_TRY(rf_batch_slice(b->rbuf, keep - b->off, b->rbuf->nrows - (keep - b->off), &rest));
            rf_batch_destroy(&b->rbuf);
            b->rbuf = rest;
        }
        b->off = keep;
    }
    int64_t hi = c1 + b->ahead < b->n ? c1 + b->ahead : b->n;
    RF_TRY(big_read(op, s, hi));
    RF_TRY(rf__sortkey_eval((const rf_expr *const *)s->orders, nk, b->buf, &keys));
    rf_column **ok = keys + s->np_;
    int64_t n = c1 - c0;
    gsv = rf_malloc((size_t)n * sizeof *gsv);
    dsv = rf_malloc((size_t)n * sizeof *dsv);
    vals = rf_calloc((size_t)ne + 1, sizeof *vals);
    defs = rf_calloc((size_t)ne + 1, sizeof *defs);
    RF_CHECK(gsv && dsv && vals && defs, RF_ERR_NOMEM, "out of memory");
    for (int64_t i = c0; i < c1; i++) {   /* peer groups (global row numbers) and dense ranks */
        if (i == 0 || !same_keys(ok, s->no, i - 1 - b->off, i - b->off)) { b->gs = i; b->dense++; }
        gsv[i - c0] = b->gs;
        dsv[i - c0] = b->dense;
    }
    RF_TRY(rf_batch_create(p->schema->n, n, &s->out));
    {
        rf_batch *rows = NULL;
        RF_TRY(rf_batch_slice(b->buf, c0 - b->off, n, &rows));
        for (int c = 0; c < rows->ncols; c++) s->out->cols[c] = rf_column_retain(rows->cols[c]);
        rf_batch_destroy(&rows);
    }
    int nc = p->child[0]->schema->n;
    for (int e = 0; e < ne; e++) {
        const rf_expr *w = p->exprs[e];
        int na = rf__window_nargs(w);
        rf_column *out = NULL;
        if (na >= 1) RF_TRY(rf__expr_eval(w->arg[0], b->buf, &vals[e]));
        if (na >= 3) RF_TRY(rf__expr_eval(w->arg[2], b->buf, &defs[e]));
        RF_TRY(rf_column_create(w->type, n, &out));
        s->out->cols[nc + e] = out;
        int64_t k = na >= 2 ? w->arg[1]->lit.v.i : 1;
        for (int64_t i = c0; i < c1 && !rc; i++) {
            int64_t gs = gsv[i - c0], lo, hi;   /* frames that need the peer group's end are precomputed */
            switch (w->op) {
            case RF_W_ROW_NUMBER: rc = rf_column_append_i64(out, i + 1); break;
            case RF_W_RANK: rc = rf_column_append_i64(out, gs + 1); break;
            case RF_W_DENSE_RANK: rc = rf_column_append_i64(out, dsv[i - c0]); break;
            case RF_W_LAG: case RF_W_LEAD: {
                int64_t j = w->op == RF_W_LAG ? i - k : i + k;
                if (j >= 0 && j < b->n) rc = rf_column_append_from(out, vals[e], j - b->off);
                else if (defs[e]) rc = rf_column_append_from(out, defs[e], i - b->off);
                else rc = rf_column_append_null(out);
                break;
            }
            default:
                frame_of(w, i, 0, b->n, gs, i + 1, &lo, &hi);
                if (b->fc[e] == F_TOTAL) rc = acc_out(&b->acc[e], w, vals[e], out);
                else if (b->fc[e] == F_PEERRUN) rc = rf_column_append_from(out, b->rbuf->cols[b->suf[e]], i - b->off);
                else if (b->fc[e] == F_PEER || b->fc[e] == F_PEERSUF) {   /* the value at the group's first row */
                    if (gs == i) {
                        rf_column_release(&b->gv[e]);
                        if (!(rc = rf_column_create(w->type, 1, &b->gv[e])))
                            rc = rf_column_append_from(b->gv[e], b->rbuf->cols[b->suf[e]], i - b->off);
                    }
                    if (!rc) rc = rf_column_append_from(out, b->gv[e], 0);
                }
                else if (b->fc[e] == F_SUFFIX) {   /* rows lo .. n - 1: row lo's suffix value */
                    if (lo < b->n && lo <= hi) rc = rf_column_append_from(out, b->rbuf->cols[b->suf[e]], lo - b->off);
                    else { wacc none = { 0 }; rc = acc_out(&none, w, vals[e], out); }
                }
                else if (b->fc[e] == F_RUNNING) {
                    for (; b->upto[e] <= hi; b->upto[e]++) acc_add(&b->acc[e], w, vals[e], b->upto[e] - b->off);
                    rc = acc_out(&b->acc[e], w, vals[e], out);
                } else rc = aggregate(w, vals[e], lo - b->off, hi - b->off, out);
                break;
            }
        }
        if (!rc && b->fc[e] == F_RUNNING) rc = acc_own(&b->acc[e]);   /* the buffer moves on */
        if (rc) goto done;
    }
    b->next = c1;
done:
    if (rc) rf_batch_destroy(&s->out);
    rf__cols_release(&keys, nk);
    for (int e = 0; vals && e < ne; e++) { rf_column_release(&vals[e]); rf_column_release(&defs[e]); }
    rf_free(vals); rf_free(defs); rf_free(gsv); rf_free(dsv);
    return rc;
}

/* Computes the window columns over the complete partitions in l (sorted rows) into s->out; empties l. */
static int compute_all(rf_op *op, window_st *s, rf_blist *l)
{
    const rf_plan *p = op->plan;
    rf_batch *sorted = NULL;
    rf_column **keys = NULL;
    int n = s->np_ + s->no, rc = rf_batch_concat(l->b, (int)l->n, p->child[0]->schema, &sorted);
    rf_blist_fini(l);
    memset(l, 0, sizeof *l);
    if (rc) return rc;
    RF_TRY(rf__sortkey_eval((const rf_expr *const *)s->orders, n, sorted, &keys));
    RF_TRY(rf_batch_create(p->schema->n, sorted->nrows, &s->out));
    for (int c = 0; c < sorted->ncols; c++) s->out->cols[c] = rf_column_retain(sorted->cols[c]);
    for (int e = 0; e < p->n_exprs; e++)
        RF_TRY(compute(p->exprs[e], sorted, keys, s->np_, keys + s->np_, s->no, &s->out->cols[sorted->ncols + e]));
done:
    if (rc) rf_batch_destroy(&s->out);
    rf__cols_release(&keys, n);
    rf_batch_destroy(&sorted);
    return rc;
}

/* Appends batch x to the spooled partition, noting where it starts. */
static int big_put(window_st *s, const rf_batch *x)
{
    bigpart *b = s->big;
    int rc = rf__grow((void **)&b->boff, &b->cap_b, b->nb + 1, sizeof *b->boff);
    if (rc) return rc;
    b->boff[b->nb++] = b->sp.len;
    b->n += x->nrows;
    return rf__spool_put_batch(&b->sp, x, NULL, 0, &s->tmp_buf);
}

/* Moves the pending partition, grown past the operator's share, to a spool (s->big); its later
 * rows follow it there until it ends. */
static int to_spool(window_st *s)
{
    int rc = RF_OK;
    RF_CHECK((s->big = rf_calloc(1, sizeof *s->big)) != NULL, RF_ERR_NOMEM, "out of memory");
    rf__spool_init(&s->big->sp);
    rf__spool_init(&s->big->rsp);   /* (a zeroed spool says fd 0: its fini would close stdin) */
    s->big->sp.owner = RF_SPILL_SORT;
    rf__cols_release(&s->big_keys, s->np_);   /* its partition keys: those of its first row */
    RF_TRY(rf__sortkey_eval((const rf_expr *const *)s->orders, s->np_, s->pend.b[0], &s->big_keys));
    for (int64_t i = 0; i < s->pend.n && !rc; i++) rc = big_put(s, s->pend.b[i]);
    rf_blist_fini(&s->pend);
    memset(&s->pend, 0, sizeof s->pend);
    rf__cols_release(&s->pend_keys, s->np_ + s->no);
    s->pend_bytes = 0;
    rf__mem_release(s->reserved);
    s->reserved = 0;
done:
    return rc;
}

/* The number of leading rows of b (keys: its sort keys) in the spooled partition. */
static int64_t in_big(window_st *s, const rf_batch *b, rf_column **keys)
{
    int64_t e = 0;
    while (e < b->nrows && rf__sortkey_cmp((const rf_expr *const *)s->orders, s->np_, s->big_keys, 0, keys, e) == 0) e++;
    return e;
}

/* Reads sorted batches until some partitions are complete, and computes them into s->out. */
static int advance(rf_op *op, window_st *s)
{
    int n = s->np_ + s->no, rc = RF_OK;
    rf_column **keys = NULL;
    if (s->streaming) {
        RF_TRY(big_chunk(op, s));
        if (s->out || s->streaming) goto done;
    }
    while (!s->eof) {
        rf_batch *b = s->carry;
        s->carry = NULL;
        if (!b) RF_TRY(rf__sorter_next(s->sorter, op->ctx->batch_rows, &b));
        if (!b) {
            s->eof = true;
            if (s->big) { RF_TRY(big_start(op, s)); RF_TRY(big_chunk(op, s)); if (s->out || s->streaming) goto done; }
            break;
        }
        if ((rc = rf__sortkey_eval((const rf_expr *const *)s->orders, n, b, &keys))) { rf_batch_destroy(&b); goto done; }
        if (s->big) {   /* rows of the spooled partition go to its spool; the rest waits in carry */
            int64_t e = in_big(s, b, keys);
            if (e == b->nrows) {
                rc = big_put(s, b);
                rf_batch_destroy(&b);
                rf__cols_release(&keys, n);
                if (rc) goto done;
                continue;
            }
            if (e > 0) {
                rf_batch *head = NULL;
                if (!(rc = rf_batch_slice(b, 0, e, &head))) rc = big_put(s, head);
                rf_batch_destroy(&head);
                if (!rc) rc = rf_batch_slice(b, e, b->nrows - e, &s->carry);
                rf_batch_destroy(&b);
            } else s->carry = b;
            rf__cols_release(&keys, n);
            if (rc) goto done;
            RF_TRY(big_start(op, s));
            RF_TRY(big_chunk(op, s));
            if (s->out || s->streaming) goto done;
            continue;
        }
        /* the start of b's last partition */
        int64_t last = b->nrows - 1;
        while (last > 0 && rf__sortkey_cmp((const rf_expr *const *)s->orders, s->np_, keys, last - 1, keys, b->nrows - 1) == 0) last--;
        bool cont = s->pend.n > 0 &&
                    rf__sortkey_cmp((const rf_expr *const *)s->orders, s->np_, s->pend_keys, s->pend.b[s->pend.n - 1]->nrows - 1, keys, 0) == 0;
        if (last == 0 && (cont || s->pend.n == 0)) {   /* b continues (or starts) the pending partition */
            rf__cols_release(&s->pend_keys, n);
            s->pend_keys = keys;
            keys = NULL;
            s->pend_bytes += (int64_t)rf_batch_bytes(b);
            RF_TRY(rf_blist_push(&s->pend, b));
            /* one window partition past the operator's share (twice: computing copies it) is spooled */
            if (s->pend.n > 1 && (rf__op_must_spill(op->ctx, s->pend.rows, 2 * s->pend_bytes, &s->reserved) ||
                                  (op->ctx->force_spill > 0 && s->pend.rows >= op->ctx->force_spill)))
                RF_TRY(to_spool(s));
            continue;
        }
        /* complete: pend and b[0, last); pending: b[last, end) */
        rf_batch *head = NULL, *tail = NULL;
        if (last > 0 && (rc = rf_batch_slice(b, 0, last, &head))) { rf_batch_destroy(&b); goto done; }
        rc = rf_batch_slice(b, last, b->nrows - last, &tail);
        rf_batch_destroy(&b);
        if (!rc && head) rc = rf_blist_push(&s->pend, head);
        else rf_batch_destroy(&head);
        rf_blist done_l = s->pend;
        memset(&s->pend, 0, sizeof s->pend);
        rf__mem_release(s->reserved);
        s->reserved = 0;
        if (!rc) rc = compute_all(op, s, &done_l);
        rf_blist_fini(&done_l);
        if (!rc) rc = rf_blist_push(&s->pend, tail);
        else rf_batch_destroy(&tail);
        if (rc) goto done;
        s->pend_bytes = (int64_t)rf_batch_bytes(s->pend.b[0]);
        /* keys of the new pending batch: rows [last, end) of keys */
        rf__cols_release(&s->pend_keys, n);
        RF_TRY(rf__sortkey_eval((const rf_expr *const *)s->orders, n, s->pend.b[0], &s->pend_keys));
        if (s->out) goto done;
    }
    if (s->eof && s->pend.n) rc = compute_all(op, s, &s->pend);
done:
    rf__cols_release(&keys, n);
    return rc;
}

static int next(rf_op *op, rf_batch **out)
{
    window_st *s = op->st;
    *out = NULL;
    for (;;) {
        int rc = rf__emit_slice(&s->out, &s->pos, op->ctx->batch_rows, out);
        if (rc || *out) return rc;
        rf_batch_destroy(&s->out);
        s->pos = 0;
        if (s->eof && !s->streaming && !s->pend.n) return RF_OK;
        if ((rc = advance(op, s))) return rc;
        if (!s->out && s->eof && !s->streaming) return RF_OK;
    }
}

static void close_(rf_op *op)
{
    window_st *s = op->st;
    if (!s) return;
    rf_batch_destroy(&s->out);
    rf__sorter_free(&s->sorter);
    rf_blist_fini(&s->pend);
    rf__cols_release(&s->pend_keys, s->np_ + s->no);
    big_free(&s->big, op->plan->n_exprs);
    rf__cols_release(&s->big_keys, s->np_);
    rf_batch_destroy(&s->carry);
    rf_buf_fini(&s->tmp_buf);
    rf__mem_release(s->reserved);
    if (s->orders) for (int i = 0; i < s->np_ + s->no; i++) rf_expr_destroy(&s->orders[i]);
    rf_free(s->orders);
    RF_FREE(op->st);
}

const rf_op_vt rf__op_window_vt = { "Window", open_, next, close_ };
