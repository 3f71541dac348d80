/*
 * prepass.c — the CSV pre-pass of a stage (see executor.h).
 */
#include <errno.h>
#include <limits.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include "runtime/executor.h"
#include "io/h5.h"
#include "io/partition.h"
#include "io/format.h"

/* ---------------------------------------------------------------- CSV pre-pass */
static int find_scans(const rf_plan *p, const rf_plan ***v, int64_t *n, int64_t *cap)
{
    if (p->kind == RF_P_EXCHANGE) return RF_OK;
    if (p->kind == RF_P_SCAN && rf__format_ops(p->src->format)->prepass && p->src->quote) {
        int rc = rf__grow((void **)v, cap, *n + 1, sizeof **v);
        if (rc) return rc;
        (*v)[(*n)++] = p;
    }
    for (int i = 0; i < p->n_child; i++) {
        int rc = find_scans(p->child[i], v, n, cap);
        if (rc) return rc;
    }
    return RF_OK;
}

/* The split's transfer function: for each state the split could start in (RF_CSV_*), the state it
 * ends in. Reads the byte before the split too (a quote opens a field only after a delimiter or a
 * line end). Stops early once the three starting states have met. */
static int split_transfer(const rf_source *s, int64_t t, uint8_t out[3])
{
    const char *fname = s->files[s->split_file[t]];
    int fd = open(fname, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return rf__err_set(RF_ERR_IO, "%s: cannot open: %s", fname, strerror(errno));
    char *buf = rf_malloc(1 << 20);
    int rc = RF_OK, st[3] = { RF_CSV_OUT, RF_CSV_QUOTED, RF_CSV_QUOTE_SEEN }, prev = -1;
    if (!buf) { close(fd); return rf__err_set(RF_ERR_NOMEM, "out of memory"); }
    int64_t off = s->split_off[t], left = s->split_len[t];
    if (off > 0) {
        char c;
        ssize_t r = pread(fd, &c, 1, off - 1);
        if (r != 1) rc = rf__err_set(RF_ERR_IO, "%s: read failed: %s", fname, r < 0 ? strerror(errno) : "the file shrank");
        prev = (unsigned char)c;
    }
    while (!rc && left > 0 && !(st[0] == st[1] && st[1] == st[2])) {
        ssize_t r = pread(fd, buf, (size_t)(left < (1 << 20) ? left : (1 << 20)), off);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) { rc = rf__err_set(RF_ERR_IO, "%s: read failed: %s", fname, r < 0 ? strerror(errno) : "the file shrank while it was read"); break; }
        for (int k = 0; k < 3; k++) st[k] = rf__csv_advance(st[k], buf, (size_t)r, prev, s->quote, s->delim);
        prev = (unsigned char)buf[r - 1];
        off += r;
        left -= r;
    }
    rf_free(buf);
    close(fd);
    for (int k = 0; k < 3; k++) out[k] = (uint8_t)st[k];
    return rc;
}

/* Two CSV scans split the same bytes the same way (the same files, splits, quote and delimiter):
 * their split starts are the same, computed once (a view read many times, a self-join). */
static bool same_layout(const rf_source *a, const rf_source *b)
{
    if (a->n_splits != b->n_splits || a->quote != b->quote || a->delim != b->delim) return false;
    for (int64_t t = 0; t < a->n_splits; t++)
        if (a->split_off[t] != b->split_off[t] || a->split_len[t] != b->split_len[t]
            || strcmp(a->files[a->split_file[t]], b->files[b->split_file[t]]) != 0) return false;
    return true;
}

/* Collective. The CSV parser's state at every split start of the stage's CSV scans: each rank
 * computes the transfer functions of its share of all the splits, the ranks combine them (one
 * Allreduce), and every rank composes them in file order, so each split knows whether it starts
 * inside a quoted field, and quoted fields may hold line ends (RFC 4180) even across a split
 * boundary. Line numbers are counted only when an error needs one (op_scan.c). `rc` is the local
 * status so far: the ranks agree on it first. A failure or a stop cancels the rest (rf_cancel). */
int rf__csv_prepass(MPI_Comm comm, const rf_stage *st, int rc, rf_scanprep **out, int *n_out, rf_error *err)
{
    const rf_plan **scans = NULL;
    int64_t ns = 0, cap = 0, total = 0;
    int rank = 0, nranks = 1;
    uint8_t *tr = NULL;
    int64_t *base = NULL, *same = NULL, *item_scan = NULL;
    rf_scanprep *prep = NULL;
    *out = NULL;
    *n_out = 0;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &nranks);
    if (!rc) rc = find_scans(st->root, &scans, &ns, &cap);
    if (!rc && ns && !(prep = rf_calloc((size_t)ns, sizeof *prep))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    if (prep) { *out = prep; *n_out = (int)ns; }
    if (!rc && ns) {
        base = rf_calloc((size_t)ns, sizeof *base);
        same = rf_calloc((size_t)ns, sizeof *same);
        if (!base || !same) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    }
    for (int64_t k = 0; k < ns && !rc; k++) {   /* numbers the splits of the distinct layouts */
        const rf_source *s = scans[k]->src;
        prep[k].node_id = scans[k]->id;
        prep[k].n = s->n_splits;
        if (!(prep[k].start = rf_calloc((size_t)s->n_splits + 1, 1))) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); break; }
        same[k] = k;
        for (int64_t j = 0; j < k; j++) if (same[j] == j && same_layout(scans[j]->src, s)) { same[k] = j; break; }
        if (same[k] != k) continue;
        base[k] = total;
        total += s->n_splits;
    }
    if (!rc && total && (!(tr = rf_calloc((size_t)total * 3, 1)) || !(item_scan = rf_calloc((size_t)total, sizeof *item_scan))))
        rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int64_t k = 0; k < ns && !rc; k++)
        if (same[k] == k) for (int64_t t = 0; t < scans[k]->src->n_splits; t++) item_scan[base[k] + t] = k;
    if ((rc = rf__agree(comm, rc, err))) goto done;   /* every rank sees the same scans (the plan is the same) */
    if (total > 0) {   /* the same on every rank */
        rf_cancel cancel;
        int64_t mine = 0, bad = INT64_MAX;
        int lrc = rf__cancel_begin(&cancel, comm);
        rf_error first = { 0 };
        for (int64_t i = rank; i < total; i += nranks) mine++;
        if (!lrc) {
            #pragma omp parallel for schedule(dynamic, 1)
            for (int64_t m = 0; m < mine; m++) {
                int64_t i = rank + m * nranks, k = item_scan[i];
                int r2;
                rf__err_clear();
                if (rf__stop_requested()) r2 = rf__stop_error();
                else if (rf__cancelled(&cancel, i)) continue;
                else r2 = split_transfer(scans[k]->src, i - base[k], &tr[i * 3]);
                if (r2) {
                    rf__cancel_raise(&cancel, r2 == RF_ERR_STOPPED ? -1 : i);
                    #pragma omp critical(rf_prepass_err)
                    if (i < bad) { lrc = r2; bad = i; first = *rf__err_slot(); }
                }
            }
        }
        if (lrc && bad != INT64_MAX) *rf__err_slot() = first;
        int erc = rf__cancel_end(&cancel);
        if (!lrc) lrc = erc;
        /* the first bad split in plan and file order speaks, at any rank count */
        if ((rc = rf__agree_key(comm, lrc, bad == INT64_MAX ? 0 : bad, err))) goto done;
    }
    for (int64_t at = 0; at < total; at += 1 << 30) {   /* each entry set by one rank, 0 elsewhere */
        int64_t n = total - at < (1 << 30) ? total - at : (1 << 30);
        RF_MPI(MPI_Allreduce(MPI_IN_PLACE, tr + at * 3, (int)(n * 3), MPI_UINT8_T, MPI_MAX, comm));
    }
    for (int64_t k = 0; k < ns; k++) {
        const rf_source *s = scans[k]->src;
        if (same[k] != k) { memcpy(prep[k].start, prep[same[k]].start, (size_t)s->n_splits); continue; }
        int state = RF_CSV_OUT;
        for (int64_t t = 0; t < s->n_splits; t++) {
            if (t == 0 || s->split_file[t] != s->split_file[t - 1] || s->split_off[t] == 0) state = RF_CSV_OUT;
            prep[k].start[t] = (uint8_t)state;
            state = tr[(base[k] + t) * 3 + state];
        }
    }
done:
    rf_free(tr);
    rf_free(base);
    rf_free(same);
    rf_free(item_scan);
    rf_free(scans);
    return rf__agree(comm, rc, err);
}

void rf__csv_prep_free(rf_scanprep *p, int n)
{
    for (int i = 0; i < n; i++) rf_free(p[i].start);
    rf_free(p);
}
