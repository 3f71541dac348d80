/*
 * rfb.c — riffle's own binary batch files (".rfb"): what a task's rows were, every type exactly
 * (structs, arrays, decimals), in the shuffle's columnar packing. Streaming keeps its aggregation
 * state in them (runtime/stream_state.c); any job may write them (RF_ACT_WRITE_RFB) and read them
 * back as a source whose schema the files say.
 *
 *   file   "RFB1", int32 n, the schema encoded (plan/serialize.c) in n bytes, uint32 CRC-32C of it,
 *          then blocks
 *   block  int64 n, uint32 CRC-32C of the n bytes, n bytes: one packed batch (shuffle/pack.c)
 *
 * A split is a whole file (one task writes one file). A damaged file is an error naming it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "io/output.h"
#include "io/format.h"
#include "io/files.h"
#include "exec/exec.h"
#include "shuffle/shuffle.h"

#define RFB_MAGIC "RFB1"
#define RFB_MAX_BLOCK ((int64_t)1 << 34)
#define TRY(x) do { int rc_ = (x); if (rc_) return rc_; } while (0)

static int read_all(int fd, void *p, size_t n, int64_t off, const char *path)
{
    uint8_t *c = p;
    while (n > 0) {
        ssize_t r = pread(fd, c, n, off);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return rf__err_set(RF_ERR_IO, "%s: read failed: %s", path, strerror(errno));
        if (r == 0) return rf__err_set(RF_ERR_INVALID, "%s: truncated (not a whole riffle batch file)", path);
        c += r;
        n -= (size_t)r;
        off += r;
    }
    return RF_OK;
}

int rf__rfb_write_part(const rf_output *o, int64_t task, struct rf_op *op, const rf_schema *s, int64_t *rows)
{
    char path[4400];
    rf_buf head = { 0 }, blk = { 0 };
    rf_batch *b = NULL;
    int fd = -1, rc = RF_OK;
    *rows = 0;
    snprintf(path, sizeof path, "%s/part-%05lld.rfb", o->staging, (long long)task);
    for (;;) {
        if ((rc = rf__op_next(op, &b)) || !b) break;
        if (b->nrows == 0) { rf_batch_destroy(&b); continue; }
        if (fd < 0) {   /* tasks without rows write no file */
            fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
            if (fd < 0) { rc = rf__err_set(RF_ERR_IO, "%s: cannot create: %s", path, strerror(errno)); break; }
            rf_buf sch = { 0 };
            rc = rf__schema_encode(s, &sch);
            if (!rc) rc = rf_buf_put(&head, RFB_MAGIC, 4);
            if (!rc) rc = rf_buf_put_i32(&head, (int32_t)sch.len);
            if (!rc) rc = rf_buf_put(&head, sch.data, sch.len);
            uint32_t crc = rf_crc32c(0, sch.data, sch.len);
            if (!rc) rc = rf_buf_put(&head, &crc, 4);
            rf_buf_fini(&sch);
            if (!rc) rc = rf__write_full(fd, head.data, head.len, path);
            if (rc) break;
        }
        blk.len = 0;
        rc = rf_buf_put_i64(&blk, 0);
        if (!rc) rc = rf_buf_put(&blk, "\0\0\0\0", 4);
        if (!rc) rc = rf__pack_batch(b, NULL, b->nrows, &blk);
        if (rc) break;
        int64_t n = (int64_t)blk.len - 12;
        uint32_t crc = rf_crc32c(0, blk.data + 12, (size_t)n);
        memcpy(blk.data, &n, 8);
        memcpy(blk.data + 8, &crc, 4);
        *rows += b->nrows;
        rf_batch_destroy(&b);
        if ((rc = rf__write_full(fd, blk.data, blk.len, path))) break;
    }
    rf_batch_destroy(&b);
    if (fd >= 0) {
        if (!rc && fsync(fd) != 0) rc = rf__err_set(RF_ERR_IO, "%s: fsync failed: %s", path, strerror(errno));
        if (close(fd) != 0 && !rc) rc = rf__err_set(RF_ERR_IO, "%s: close failed: %s", path, strerror(errno));
    }
    rf_buf_fini(&head);
    rf_buf_fini(&blk);
    return rc;
}

/* The schema file `path` says, and where its blocks begin. */
static int read_head(int fd, const char *path, rf_schema **out, int64_t *data_off)
{
    uint8_t h[8];
    int rc = read_all(fd, h, 8, 0, path);
    if (!rc && memcmp(h, RFB_MAGIC, 4)) rc = rf__err_set(RF_ERR_INVALID, "%s: not a riffle batch file", path);
    int32_t n = 0;
    if (!rc) memcpy(&n, h + 4, 4);
    if (!rc && (n <= 0 || n > (1 << 24))) rc = rf__err_set(RF_ERR_INVALID, "%s: a damaged header", path);
    uint8_t *sch = rc ? NULL : rf_malloc((size_t)n + 4);
    if (!rc && !sch) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    if (!rc) rc = read_all(fd, sch, (size_t)n + 4, 8, path);
    uint32_t crc = 0;
    if (!rc) memcpy(&crc, sch + n, 4);
    if (!rc && crc != rf_crc32c(0, sch, (size_t)n)) rc = rf__err_set(RF_ERR_INVALID, "%s: a damaged header (checksum)", path);
    rf_rd r = { sch, sch + n };
    if (!rc && rf__schema_decode(&r, out)) rc = rf__err_set(RF_ERR_INVALID, "%s: a damaged schema", path);
    rf_free(sch);
    *data_off = 8 + (int64_t)n + 4;
    return rc;
}

int rf__rfb_open(rf_source *s, const rf_open_args *a)
{
    if (!s->n_files) return rf__err_set(RF_ERR_INVALID, "no riffle batch files (*.rfb) in %s", a->first_path);
    int rc = RF_OK;
    for (int i = 0; i < s->n_files && !rc; i++) {
        int fd = open(s->files[i], O_RDONLY | O_CLOEXEC);
        if (fd < 0) return rf__err_set(RF_ERR_IO, "%s: cannot open: %s", s->files[i], strerror(errno));
        rf_schema *sc = NULL;
        int64_t off;
        rc = read_head(fd, s->files[i], &sc, &off);
        close(fd);
        if (!rc && !s->file_schema) { s->file_schema = sc; sc = NULL; }
        else if (!rc) {
            bool same = sc->n == s->file_schema->n;
            for (int c = 0; same && c < sc->n; c++) same = sc->f[c].type == s->file_schema->f[c].type;
            if (!same) rc = rf__err_set(RF_ERR_INVALID, "%s: its schema differs from %s's", s->files[i], s->files[0]);
        }
        rf_schema_destroy(&sc);
    }
    return rc;
}

int rf__split_files(const rf_plan *l, rf_source *s, const rf_expr *pred, int64_t step, const bool *keep)
{
    (void)l; (void)pred; (void)step;
    int64_t n = 0;
    s->split_file = rf_malloc((size_t)(s->n_files ? s->n_files : 1) * sizeof *s->split_file);
    s->split_off = rf_malloc((size_t)(s->n_files ? s->n_files : 1) * sizeof *s->split_off);
    s->split_len = rf_malloc((size_t)(s->n_files ? s->n_files : 1) * sizeof *s->split_len);
    if (!s->split_file || !s->split_off || !s->split_len) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int i = 0; i < s->n_files; i++)
        if (keep[i]) { s->split_file[n] = i; s->split_off[n] = 0; s->split_len[n++] = s->sizes[i]; }
    s->n_splits = n;
    return RF_OK;
}

/* ---------------------------------------------------------------- the scan */
typedef struct {
    int     fd;
    int64_t off, size;
    const char *fname;
    rf_buf  blk;
} rfb_st;

static int open_(rf_op *op)
{
    const rf_source *src = op->plan->src;
    rfb_st *s = rf_calloc(1, sizeof *s);
    if (!s) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    op->st = s;
    s->fd = -1;
    int64_t t = op->task;
    if (t < 0 || t >= src->n_splits) return rf__err_set(RF_ERR_INTERNAL, "scan task %lld out of range", (long long)t);
    s->fname = src->files[src->split_file[t]];
    s->fd = open(s->fname, O_RDONLY | O_CLOEXEC);
    if (s->fd < 0) return rf__err_set(RF_ERR_IO, "%s: cannot open: %s", s->fname, strerror(errno));
    s->size = lseek(s->fd, 0, SEEK_END);
    rf_schema *sc = NULL;
    int rc = read_head(s->fd, s->fname, &sc, &s->off);
    if (!rc && sc->n != src->file_schema->n) rc = rf__err_set(RF_ERR_INVALID, "%s: changed since the job was planned", s->fname);
    rf_schema_destroy(&sc);
    return rc;
}

static int next(rf_op *op, rf_batch **out)
{
    rfb_st *s = op->st;
    const rf_source *src = op->plan->src;
    *out = NULL;
    if (s->off >= s->size) return RF_OK;
    uint8_t h[12];
    int64_t n;
    uint32_t crc;
    TRY(read_all(s->fd, h, 12, s->off, s->fname));
    memcpy(&n, h, 8);
    memcpy(&crc, h + 8, 4);
    if (n <= 0 || n > RFB_MAX_BLOCK || s->off + 12 + n > s->size)
        return rf__err_set(RF_ERR_INVALID, "%s: a damaged block at byte %lld", s->fname, (long long)s->off);
    s->blk.len = 0;
    TRY(rf_buf_reserve(&s->blk, (size_t)n));
    TRY(read_all(s->fd, s->blk.data, (size_t)n, s->off + 12, s->fname));
    if (rf_crc32c(0, s->blk.data, (size_t)n) != crc) return rf__err_set(RF_ERR_INVALID, "%s: a damaged block at byte %lld (checksum)", s->fname, (long long)s->off);
    s->off += 12 + n;
    rf_rd r = { s->blk.data, s->blk.data + n };
    rf_batch *all = NULL;
    if (rf__unpack_batch(&r, &all) || all->ncols != src->file_schema->n) {
        rf_batch_destroy(&all);
        return rf__err_set(RF_ERR_INVALID, "%s: a damaged block", s->fname);
    }
    rf_batch *b = NULL;
    int rc = rf_batch_create(src->n_read, all->nrows, &b);
    for (int k = 0; !rc && k < src->n_read; k++) b->cols[k] = rf_column_retain(all->cols[src->read[k]]);
    rf_batch_destroy(&all);
    if (rc) return rc;
    *out = b;
    return RF_OK;
}

static void close_(rf_op *op)
{
    rfb_st *s = op->st;
    if (!s) return;
    if (s->fd >= 0) close(s->fd);
    rf_buf_fini(&s->blk);
    RF_FREE(op->st);
}

const rf_op_vt rf__op_rfbscan_vt = { "Scan", open_, next, close_ };
