/*
 * exchange.c — the collective shuffle.
 *
 * 1. While the map tasks run, each moves its partition buffers into the rank's rf_shuffle_out as
 *    records [task, partition, length, bytes], appended to one spool per destination rank
 *    (partition p lives on rank (p + offset) mod nranks; a broadcast has one spool every rank
 *    receives). A spool stays in memory while the budget grants it, else goes to a spill file.
 * 2. Ranks agree that the local phase worked (a rank that failed must not leave others waiting),
 *    then exchange stream sizes with MPI_Alltoall.
 * 3. Streams move with MPI_Alltoallv in rounds: no count exceeds INT_MAX and no round sends more
 *    than riffle.shuffle.roundBytes (nor 1/32 of the execution pool) from one rank. Each
 *    round is read from the send spools and appended to one receive spool per source, which
 *    spills in turn when the budget refuses it: no rank holds more of the shuffle than its budget.
 *    What a rank sends itself does not travel: its send spool becomes its receive spool from itself.
 * 4. Received records are indexed per partition and ordered by map task (then by position), so the
 *    row order of every partition is the same at any rank count.
 */
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include "shuffle/shuffle.h"
#include "core/comm.h"

void rf__xdata_fini(rf_xdata *x)
{
    for (int64_t p = 0; x->parts && p < x->nparts; p++) rf_free(x->parts[p].c);
    RF_FREE(x->parts);
    for (int i = 0; x->in && i < x->n_in; i++) rf__spool_fini(&x->in[i]);
    RF_FREE(x->in);
    x->n_in = 0;
    x->nparts = 0;
}

int rf__chunk_bytes(const rf_xdata *x, const rf_chunk *c, rf_buf *buf, const uint8_t **out)
{
    if (c->data) { *out = c->data; return RF_OK; }
    buf->len = 0;
    int rc = rf_buf_reserve(buf, (size_t)c->len);
    if (!rc) rc = rf__spool_read(&x->in[c->src], c->off, buf->data, c->len);
    if (!rc) { buf->len = (size_t)c->len; *out = buf->data; }
    return rc;
}

static int chunk_cmp(const void *a, const void *b)
{
    const rf_chunk *x = a, *y = b;
    if (x->task != y->task) return x->task < y->task ? -1 : 1;
    if (x->src != y->src) return x->src < y->src ? -1 : 1;
    return (x->off > y->off) - (x->off < y->off);
}

/* ---------------------------------------------------------------- map side */
int rf__shuffle_out_init(rf_shuffle_out *o, int nranks, int64_t nparts, bool broadcast, int64_t rank_offset)
{
    memset(o, 0, sizeof *o);
    o->nranks = nranks;
    o->nparts = nparts;
    o->broadcast = broadcast;
    o->rank_offset = rank_offset;
    int n = broadcast ? 1 : nranks;
    o->dest = rf_calloc((size_t)n, sizeof *o->dest);
    o->psize = rf_calloc((size_t)(nparts > 0 ? nparts : 1), sizeof *o->psize);
    o->mu = rf_malloc(sizeof(pthread_mutex_t));
    if (!o->dest || !o->psize || !o->mu) { rf__shuffle_out_fini(o); return rf__err_set(RF_ERR_NOMEM, "out of memory setting up a shuffle"); }
    pthread_mutex_init(o->mu, NULL);
    for (int d = 0; d < n; d++) rf__spool_init(&o->dest[d]);
    return RF_OK;
}

int rf__shuffle_out_add(rf_shuffle_out *o, rf_mapout *m)
{
    int rc = RF_OK;
    pthread_mutex_lock(o->mu);
    for (int64_t p = 0; p < m->nparts && !rc; p++) {
        rf_buf *b = &m->part[p];
        if (b->len == 0) continue;
        int64_t part = o->broadcast ? 0 : p, hdr[3] = { m->task, part, (int64_t)b->len };
        int d = o->broadcast ? 0 : (int)((p + o->rank_offset) % o->nranks);
        rf_spool *sp = &o->dest[d];
        rc = rf__grow((void **)&o->rec, &o->cap_rec, o->n_rec + 1, sizeof *o->rec);
        if (rc) break;
        o->rec[o->n_rec++] = (rf_xrec){ m->task, part, sp->len, (int64_t)(sizeof hdr + b->len), d };
        o->psize[part] += (int64_t)(sizeof hdr + b->len);
        rc = rf__spool_append(sp, hdr, sizeof hdr);
        if (!rc) rc = rf__spool_append(sp, b->data, (int64_t)b->len);
        b->len = 0;
    }
    pthread_mutex_unlock(o->mu);
    m->bytes = 0;
    return rc;
}

void rf__shuffle_out_fini(rf_shuffle_out *o)
{
    int n = o->broadcast ? 1 : o->nranks;
    for (int d = 0; o->dest && d < n; d++) rf__spool_fini(&o->dest[d]);
    RF_FREE(o->dest);
    RF_FREE(o->psize);
    RF_FREE(o->rec);
    o->n_rec = o->cap_rec = 0;
    if (o->mu) pthread_mutex_destroy(o->mu);
    RF_FREE(o->mu);
}

/* ---------------------------------------------------------------- the exchange */
void rf__route_fini(rf_route *r)
{
    RF_FREE(r->first);
    RF_FREE(r->seg);
    r->nparts = 0;
}

/* Whether route sends the record (task, part) to rank. */
static bool routed_to(const rf_route *r, int64_t part, int64_t task, int rank)
{
    for (int64_t k = r->first[part]; k < r->first[part + 1]; k++)
        if ((r->seg[k].rank == rank || r->seg[k].rank < 0) && task >= r->seg[k].task_lo && task < r->seg[k].task_hi) return true;
    return false;
}

/* What goes to one destination: extents of the send spools, read one after another in rounds. */
typedef struct { int sp; int64_t off, len; } ext;
typedef struct { ext *e; int64_t n, cap, at, at_off; } extv;

static int ext_push(extv *v, int sp, int64_t off, int64_t len)
{
    if (v->n && v->e[v->n - 1].sp == sp && v->e[v->n - 1].off + v->e[v->n - 1].len == off) { v->e[v->n - 1].len += len; return RF_OK; }
    int rc = rf__grow((void **)&v->e, &v->cap, v->n + 1, sizeof *v->e);
    if (!rc) v->e[v->n++] = (ext){ sp, off, len };
    return rc;
}

/* The next n bytes of v's stream into dst. */
static int ext_read(extv *v, rf_spool *const *src, uint8_t *dst, int64_t n)
{
    int rc = RF_OK;
    while (n > 0 && !rc && v->at < v->n) {
        const ext *e = &v->e[v->at];
        int64_t k = e->len - v->at_off < n ? e->len - v->at_off : n;
        rc = rf__spool_read(src[e->sp], e->off + v->at_off, dst, k);
        dst += k;
        n -= k;
        v->at_off += k;
        if (v->at_off == e->len) { v->at++; v->at_off = 0; }
    }
    return rc;
}

static int64_t *sent_to;   /* [sent_n] bytes sent to each rank since the last reset */
static int sent_n;

void rf__exchange_matrix_reset(void)
{
    RF_FREE(sent_to);
    sent_n = 0;
}

const int64_t *rf__exchange_matrix(int *n)
{
    *n = sent_n;
    return sent_to;
}

static void note_sent(const int64_t *ssz, int nranks)
{
    if (!sent_to) {
        if (!(sent_to = rf_calloc((size_t)nranks, sizeof *sent_to))) return;   /* the log goes without the matrix */
        sent_n = nranks;
    }
    for (int d = 0; d < nranks && d < sent_n; d++) sent_to[d] += ssz[d];
}

int rf__shuffle_exchange(MPI_Comm comm, int rc_in, rf_shuffle_out *o, int64_t round_bytes, rf_xdata *x, int64_t *bytes_sent,
                         rf_error *err)
{
    return rf__shuffle_exchange_routed(comm, rc_in, o, NULL, round_bytes, x, bytes_sent, err);
}

int rf__shuffle_exchange_routed(MPI_Comm comm, int rc_in, rf_shuffle_out *o, const rf_route *route, int64_t round_bytes,
                                rf_xdata *x, int64_t *bytes_sent, rf_error *err)
{
    int rank, nranks, rc = rc_in;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &nranks);
    int64_t *ssz = NULL, *rsz = NULL;
    int *sc = NULL, *sd = NULL, *rc_ = NULL, *rd = NULL;
    uint8_t *sbuf = NULL, *rbuf = NULL;
    extv *out = NULL;
    rf_spool **src = NULL;
    memset(x, 0, sizeof *x);
    if (bytes_sent) *bytes_sent = 0;
    if (!rc && o->broadcast) route = NULL;
    if (!rc) {
        ssz = rf_calloc((size_t)nranks, sizeof *ssz);
        rsz = rf_calloc((size_t)nranks, sizeof *rsz);
        sc = rf_calloc((size_t)nranks, sizeof *sc);
        sd = rf_calloc((size_t)nranks, sizeof *sd);
        rc_ = rf_calloc((size_t)nranks, sizeof *rc_);
        rd = rf_calloc((size_t)nranks, sizeof *rd);
        out = rf_calloc((size_t)nranks, sizeof *out);
        src = rf_calloc((size_t)nranks, sizeof *src);
        x->nparts = o->broadcast ? 1 : o->nparts;
        x->parts = rf_calloc((size_t)(x->nparts ? x->nparts : 1), sizeof *x->parts);
        x->in = rf_calloc((size_t)nranks + 1, sizeof *x->in);   /* + 1: what a route brings here from this rank's other spools */
        if (!ssz || !rsz || !sc || !sd || !rc_ || !rd || !out || !src || !x->parts || !x->in)
            rc = rf__err_set(RF_ERR_NOMEM, "out of memory setting up a shuffle");
        else {
            x->n_in = nranks + 1;
            for (int s2 = 0; s2 <= nranks; s2++) rf__spool_init(&x->in[s2]);
        }
    }
    for (int d = 0; d < nranks && !rc; d++) {
        src[d] = &o->dest[o->broadcast ? 0 : d];
        if (d == 0 || !o->broadcast) rc = rf__spool_seal(src[d]);
    }
    if (!rc && !o->broadcast) {   /* what this rank sends itself is already its own: the spool moves, no copy */
        x->in[rank] = o->dest[rank];
        rf__spool_init(&o->dest[rank]);
        src[rank] = &x->in[rank];
    }
    if (!rc && !route) {
        for (int d = 0; d < nranks && !rc; d++)
            if (o->broadcast || d != rank) rc = ext_push(&out[d], d, 0, src[d]->len);
    } else if (!rc) {   /* each record to the ranks of its route; what stays here is indexed in place or copied */
        uint8_t *buf = NULL;
        int64_t cap = 0;
        for (int64_t i = 0; i < o->n_rec && !rc; i++) {
            const rf_xrec *r = &o->rec[i];
            for (int64_t k = route->first[r->part]; k < route->first[r->part + 1] && !rc; k++) {
                const rf_route_seg *g = &route->seg[k];
                if (r->task < g->task_lo || r->task >= g->task_hi) continue;
                int to = g->rank < 0 ? rank : g->rank;   /* -1: stays on the rank that made it */
                bool dup = false;   /* one copy per rank */
                for (int64_t k2 = route->first[r->part]; k2 < k && !dup; k2++)
                    dup = (route->seg[k2].rank < 0 ? rank : route->seg[k2].rank) == to && r->task >= route->seg[k2].task_lo &&
                          r->task < route->seg[k2].task_hi;
                if (dup) continue;
                if (to != rank) rc = ext_push(&out[to], r->dest, r->off, r->len);
                else if (r->dest != rank) {
                    if (!(rc = rf__grow((void **)&buf, &cap, r->len, 1)) && !(rc = rf__spool_read(src[r->dest], r->off, buf, r->len)))
                        rc = rf__spool_append(&x->in[nranks], buf, r->len);
                }
            }
        }
        rf_free(buf);
        if (!rc) rc = rf__spool_seal(&x->in[nranks]);
    }
    for (int d = 0; d < nranks && !rc; d++)
        for (int64_t i = 0; i < out[d].n; i++) ssz[d] += out[d].e[i].len;
    /* a rank that failed must not leave the others waiting: agree before the first exchange */
    if ((rc = rf__agree(comm, rc, err))) goto done;
    RF_MPI(MPI_Alltoall(ssz, 1, MPI_INT64_T, rsz, 1, MPI_INT64_T, comm));
    note_sent(ssz, nranks);
    /* rounds of at most `chunk` bytes per destination: every count and displacement of one round
     * (at most nranks * chunk) fits an int, and the two round buffers stay a small part of the pool */
    int64_t chunk = round_bytes / nranks, cap = rf__mem_pool() / 32 / nranks;
    if (cap > 0 && cap < chunk) chunk = cap;
    if (chunk < 64) chunk = 64;   /* tiny rounds only in tests (riffle.shuffle.roundBytes) */
    if (chunk > INT_MAX / nranks) chunk = INT_MAX / nranks;
    RF_MPI(MPI_Allreduce(MPI_IN_PLACE, &chunk, 1, MPI_INT64_T, MPI_MIN, comm));   /* budgets may differ by node */
    int64_t rounds = 0, all_rounds = 0;
    for (int d = 0; d < nranks; d++) {
        int64_t r1 = (ssz[d] + chunk - 1) / chunk, r2 = (rsz[d] + chunk - 1) / chunk;
        if (r1 > rounds) rounds = r1;
        if (r2 > rounds) rounds = r2;
    }
    RF_MPI(MPI_Allreduce(&rounds, &all_rounds, 1, MPI_INT64_T, MPI_MAX, comm));
    if (!(sbuf = rf_malloc((size_t)(chunk * nranks))) || !(rbuf = rf_malloc((size_t)(chunk * nranks))))
        rc = rf__err_set(RF_ERR_NOMEM, "out of memory for shuffle staging (%lld bytes)", (long long)(chunk * nranks));
    if ((rc = rf__agree(comm, rc, err))) goto done;
    /* a local failure inside the rounds (a spill that cannot be written) must not leave the others
     * in the next Alltoallv: the rank keeps exchanging (its bytes are then garbage) and the ranks
     * agree after the last round */
    int lrc = RF_OK;
    for (int64_t r = 0; r < all_rounds; r++) {
        int64_t so = 0, ro = 0;
        for (int d = 0; d < nranks; d++) {
            int64_t left = ssz[d] - r * chunk;
            int64_t n = left < 0 ? 0 : left < chunk ? left : chunk;
            sc[d] = (int)n;
            sd[d] = (int)so;
            if (n && !lrc) lrc = ext_read(&out[d], src, sbuf + so, n);
            so += n;
            left = rsz[d] - r * chunk;
            n = left < 0 ? 0 : left < chunk ? left : chunk;
            rc_[d] = (int)n;
            rd[d] = (int)ro;
            ro += n;
        }
        RF_MPI(MPI_Alltoallv(sbuf, sc, sd, MPI_BYTE, rbuf, rc_, rd, MPI_BYTE, comm));
        for (int s2 = 0; s2 < nranks && !lrc; s2++)
            if (rc_[s2] && (s2 != rank || o->broadcast)) lrc = rf__spool_append(&x->in[s2], rbuf + rd[s2], rc_[s2]);
        rf__mem_trim();   /* freed memory back to the system when near the budget (at most twice a second) */
    }
    RF_FREE(sbuf);
    RF_FREE(rbuf);
    for (int s2 = 0; s2 < nranks && !lrc; s2++) if (s2 != rank || o->broadcast) lrc = rf__spool_seal(&x->in[s2]);
    if ((rc = rf__agree(comm, lrc, err))) goto done;
    if (bytes_sent) for (int d = 0; d < nranks; d++) if (d != rank) *bytes_sent += ssz[d];
    /* index the records */
    for (int s2 = 0; s2 < x->n_in && !rc; s2++) {
        const rf_spool *sp = &x->in[s2];
        bool filter = route && s2 == rank;   /* this rank's own spool holds records routed elsewhere too */
        int64_t off = 0;
        while (off < sp->len && !rc) {
            int64_t hdr[3];
            if (sp->len - off < (int64_t)sizeof hdr) { rc = rf__err_set(RF_ERR_INTERNAL, "corrupt shuffle record from rank %d", s2); break; }
            if ((rc = rf__spool_read(sp, off, hdr, sizeof hdr))) break;
            off += (int64_t)sizeof hdr;
            int64_t task = hdr[0], part = hdr[1], len = hdr[2];
            if (part < 0 || part >= x->nparts || len < 0 || len > sp->len - off) {
                rc = rf__err_set(RF_ERR_INTERNAL, "corrupt shuffle record from rank %d", s2);
                break;
            }
            if (filter && !routed_to(route, part, task, rank)) { off += len; continue; }
            rf_chunkv *v = &x->parts[part];
            if ((rc = rf__grow((void **)&v->c, &v->cap, v->n + 1, sizeof *v->c))) break;
            v->c[v->n++] = (rf_chunk){ task, len, rf__spool_ptr(sp, off), s2, off };
            off += len;
        }
    }
    for (int64_t p = 0; p < x->nparts && !rc; p++)
        if (x->parts[p].n > 1) qsort(x->parts[p].c, (size_t)x->parts[p].n, sizeof(rf_chunk), chunk_cmp);
done:
    rf_free(ssz); rf_free(rsz); rf_free(sc); rf_free(sd); rf_free(rc_); rf_free(rd);
    rf_free(sbuf); rf_free(rbuf);
    for (int d = 0; out && d < nranks; d++) rf_free(out[d].e);
    rf_free(out);
    rf_free(src);
    rc = rf__agree(comm, rc, err);   /* indexing is local: a corrupt stream on one rank stops every rank */
    if (rc) rf__xdata_fini(x);
    return rc;
}
