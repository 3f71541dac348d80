/*
 * pack.c — columnar packing of batches for the shuffle and for result gathering.
 *
 * Format of a packed batch: int64 nrows, int32 ncols, then per column: int32 type, uint8 has_validity,
 * [validity bitmap, ceil(n/8) bytes], then fixed-width values (n * width) or, for strings, int64
 * byte length + n+1 int64 offsets (from 0) + bytes; arrays and maps are element counts + their packed
 * element column, structs their packed fields (core/codec.c). Unpacking copies each column out in
 * one memcpy per buffer (no per-row work for fixed widths).
 */
#include <stdlib.h>
#include "shuffle/shuffle.h"

int rf__pack_batch(const rf_batch *b, const int64_t *sel, int64_t n, rf_buf *buf)
{
    if (!sel) n = b->nrows;
    int rc = rf_buf_put_i64(buf, n);
    if (!rc) rc = rf_buf_put_i32(buf, b->ncols);
    for (int i = 0; i < b->ncols && !rc; i++) rc = rf_column_encode(b->cols[i], sel, n, buf);
    return rc;
}

int rf__unpack_batch(rf_rd *r, rf_batch **out)
{
    int64_t n;
    int32_t nc;
    int rc;
    *out = NULL;
    if ((rc = rf_rd_i64(r, &n)) || (rc = rf_rd_i32(r, &nc))) return rc;
    if (n < 0 || nc < 0 || nc > 100000) return rf__err_set(RF_ERR_INVALID, "shuffle data: bad batch header");
    if ((rc = rf_batch_create(nc, n, out))) return rc;
    for (int i = 0; i < nc; i++)
        if ((rc = rf_column_decode(r, n, &(*out)->cols[i]))) { rf_batch_destroy(out); return rc; }
    return RF_OK;
}

int rf__mapout_init(rf_mapout *m, int64_t task, int64_t nparts)
{
    memset(m, 0, sizeof *m);
    m->task = task;
    m->nparts = nparts;
    m->part = rf_calloc((size_t)(nparts ? nparts : 1), sizeof *m->part);
    return m->part ? RF_OK : rf__err_set(RF_ERR_NOMEM, "out of memory");
}

void rf__mapout_fini(rf_mapout *m)
{
    for (int64_t p = 0; m->part && p < m->nparts; p++) rf_buf_fini(&m->part[p]);
    RF_FREE(m->part);
}

int rf__mapout_add(rf_mapout *m, const rf_batch *b, const int64_t *pid)
{
    int64_t n = b->nrows, P = m->nparts;
    if (n == 0) return RF_OK;
    if (!pid) {
        size_t before = m->part[0].len;
        m->rows += n;
        int r = rf__pack_batch(b, NULL, n, &m->part[0]);
        m->bytes += (int64_t)(m->part[0].len - before);
        return r;
    }
    int64_t *cnt = rf_calloc((size_t)P + 1, sizeof *cnt), *sel = rf_malloc((size_t)n * sizeof *sel);
    int rc = RF_OK;
    if (!cnt || !sel) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); goto done; }
    for (int64_t i = 0; i < n; i++) cnt[pid[i] + 1]++;
    for (int64_t p = 0; p < P; p++) cnt[p + 1] += cnt[p];
    {
        int64_t *pos = rf_malloc((size_t)P * sizeof *pos);
        if (!pos) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); goto done; }
        memcpy(pos, cnt, (size_t)P * sizeof *pos);
        for (int64_t i = 0; i < n; i++) sel[pos[pid[i]]++] = i;
        rf_free(pos);
    }
    for (int64_t p = 0; p < P && !rc; p++)
        if (cnt[p + 1] > cnt[p]) {
            size_t before = m->part[p].len;
            rc = rf__pack_batch(b, sel + cnt[p], cnt[p + 1] - cnt[p], &m->part[p]);
            m->bytes += (int64_t)(m->part[p].len - before);
        }
    m->rows += n;
done:
    rf_free(cnt);
    rf_free(sel);
    return rc;
}

int rf__spool_put_batch(rf_spool *sp, const rf_batch *b, const int64_t *sel, int64_t n, rf_buf *tmp)
{
    tmp->len = 0;
    int rc = rf_buf_put_i64(tmp, 0);
    if (!rc) rc = rf__pack_batch(b, sel, sel ? n : b->nrows, tmp);
    if (rc) return rc;
    int64_t len = (int64_t)tmp->len - 8;
    memcpy(tmp->data, &len, 8);
    return rf__spool_append(sp, tmp->data, (int64_t)tmp->len);
}

int rf__spool_get_batch(const rf_spool *sp, int64_t *off, rf_buf *tmp, rf_batch **out)
{
    int64_t n;
    *out = NULL;
    if (*off >= sp->len) return RF_OK;
    int rc = rf__spool_read(sp, *off, &n, 8);
    if (!rc && (n < 0 || n > sp->len - *off - 8)) rc = rf__err_set(RF_ERR_INTERNAL, "corrupt spooled batch");
    tmp->len = 0;
    if (!rc) rc = rf_buf_reserve(tmp, (size_t)n);
    if (!rc) rc = rf__spool_read(sp, *off + 8, tmp->data, n);
    if (rc) return rc;
    *off += 8 + n;
    rf_rd r = { tmp->data, tmp->data + n };
    return rf__unpack_batch(&r, out);
}
