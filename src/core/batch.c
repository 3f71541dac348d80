/*
 * batch.c — schemas, batches (a schema-less set of equal-length column references) and batch lists.
 * A batch is a cheap view: slicing and projecting retain columns rather than copying them.
 */
#include <stdlib.h>
#include <strings.h>
#include "core/core.h"

int rf_schema_create(int n, rf_schema **out)
{
    rf_schema *s = rf_calloc(1, sizeof *s);
    if (!s || !(s->f = rf_calloc((size_t)(n > 0 ? n : 1), sizeof *s->f))) {
        rf_free(s);
        *out = NULL;
        return rf__err_set(RF_ERR_NOMEM, "out of memory");
    }
    s->n = n;
    *out = s;
    return RF_OK;
}

int rf_schema_copy(const rf_schema *s, rf_schema **out)
{
    int rc = rf_schema_create(s->n, out);
    if (rc) return rc;
    for (int i = 0; i < s->n; i++) {
        (*out)->f[i] = s->f[i];
        (*out)->f[i].name = rf_strdup(s->f[i].name);
        (*out)->f[i].qual = rf_strdup(s->f[i].qual);
        if (!(*out)->f[i].name) { rf_schema_destroy(out); return rf__err_set(RF_ERR_NOMEM, "out of memory"); }
    }
    return RF_OK;
}

void rf_schema_destroy(rf_schema **ps)
{
    rf_schema *s = *ps;
    *ps = NULL;
    if (!s) return;
    for (int i = 0; i < s->n; i++) { rf_free(s->f[i].name); rf_free(s->f[i].qual); }
    rf_free(s->f);
    rf_free(s);
}

int rf_schema_find(const rf_schema *s, const char *name)
{
    int found = -1;
    for (int i = 0; i < s->n; i++)
        if (!s->f[i].hidden && strcasecmp(s->f[i].name, name) == 0) {
            if (found >= 0) return -2;
            found = i;
        }
    return found;
}

int rf_batch_create(int ncols, int64_t nrows, rf_batch **out)
{
    rf_batch *b = rf_calloc(1, sizeof *b);
    if (!b || !(b->cols = rf_calloc((size_t)(ncols > 0 ? ncols : 1), sizeof *b->cols))) {
        rf_free(b);
        *out = NULL;
        return rf__err_set(RF_ERR_NOMEM, "out of memory");
    }
    b->ncols = ncols;
    b->nrows = nrows;
    *out = b;
    return RF_OK;
}

void rf_batch_destroy(rf_batch **pb)
{
    rf_batch *b = *pb;
    *pb = NULL;
    if (!b) return;
    for (int i = 0; i < b->ncols; i++) rf_column_release(&b->cols[i]);
    rf_free(b->cols);
    rf_free(b);
}

int rf_batch_gather(const rf_batch *b, const int64_t *sel, int64_t n, rf_batch **out)
{
    int rc = rf_batch_create(b->ncols, n, out);
    if (rc) return rc;
    for (int i = 0; i < b->ncols; i++)
        if ((rc = rf_column_gather(b->cols[i], sel, 0, n, &(*out)->cols[i]))) { rf_batch_destroy(out); return rc; }
    return RF_OK;
}

int rf_batch_slice(const rf_batch *b, int64_t off, int64_t n, rf_batch **out)
{
    int rc = rf_batch_create(b->ncols, n, out);
    if (rc) return rc;
    for (int i = 0; i < b->ncols; i++)
        if ((rc = rf_column_gather(b->cols[i], NULL, off, n, &(*out)->cols[i]))) { rf_batch_destroy(out); return rc; }
    return RF_OK;
}

int rf_batch_empty(const rf_schema *s, rf_batch **out)
{
    int rc = rf_batch_create(s->n, 0, out);
    if (rc) return rc;
    for (int i = 0; i < s->n; i++)
        if ((rc = rf_column_create(s->f[i].type, 1, &(*out)->cols[i]))) { rf_batch_destroy(out); return rc; }
    return RF_OK;
}

int rf_batch_concat(rf_batch **bs, int n, const rf_schema *types, rf_batch **out)
{
    int ncols = n ? bs[0]->ncols : types->n;
    int64_t rows = 0;
    int rc;
    for (int k = 0; k < n; k++) rows += bs[k]->nrows;
    if (n == 1) {   /* share the columns */
        if ((rc = rf_batch_create(ncols, rows, out))) return rc;
        for (int i = 0; i < ncols; i++) {
            rc = rf_column_expand(bs[0]->cols[i], rows, &(*out)->cols[i]);
            if (rc) { rf_batch_destroy(out); return rc; }
        }
        return RF_OK;
    }
    if ((rc = rf_batch_create(ncols, rows, out))) return rc;
    for (int i = 0; i < ncols; i++) {
        rf_type t = n ? bs[0]->cols[i]->type : types->f[i].type;
        for (int k = 0; k < n && t == RF_TYPE_NULL; k++) t = bs[k]->cols[i]->type;
        rf_column *c = NULL;
        if ((rc = rf_column_create(t, rows, &c))) goto fail;
        (*out)->cols[i] = c;
        int64_t bytes = 0;
        for (int k = 0; k < n; k++) bytes += bs[k]->cols[i]->nbytes;
        if ((rc = rf_column_reserve(c, 0, bytes))) goto fail;
        for (int k = 0; k < n; k++) {
            const rf_column *s = bs[k]->cols[i];
            if (!s->is_const && !s->valid && s->type == t && !rf_type_is_varlen(t) && !rf_type_is_nested(t) && !c->valid) {
                size_t w = rf_type_width(t);
                memcpy((char *)c->data + (size_t)c->len * w, s->data, (size_t)s->len * w);
                c->len += s->len;
            } else if (!s->is_const && s->type == t && t == RF_TYPE_STRING && !s->valid && !c->valid) {
                int64_t *o = c->data;
                const int64_t *so = s->data;
                memcpy(c->bytes + c->nbytes, s->bytes + so[0], (size_t)(so[s->len] - so[0]));
                for (int64_t r = 0; r < s->len; r++) o[c->len + r + 1] = c->nbytes + so[r + 1] - so[0];
                c->nbytes += so[s->len] - so[0];
                c->len += s->len;
            } else if (s->type == RF_TYPE_NULL) {
                for (int64_t r = 0; r < s->len; r++) if ((rc = rf_column_append_null(c))) goto fail;
            } else {
                for (int64_t r = 0; r < s->len; r++) if ((rc = rf_column_append_from(c, s, r))) goto fail;
            }
        }
    }
    return RF_OK;
fail:
    rf_batch_destroy(out);
    return rc;
}

size_t rf_batch_bytes(const rf_batch *b)
{
    size_t n = 0;
    for (int i = 0; i < b->ncols; i++) n += rf_column_bytes(b->cols[i]);
    return n;
}

int rf_blist_push(rf_blist *l, rf_batch *b)
{
    int rc = rf__grow((void **)&l->b, &l->cap, l->n + 1, sizeof *l->b);
    if (rc) { rf_batch_destroy(&b); return rc; }
    l->b[l->n++] = b;
    l->rows += b->nrows;
    return RF_OK;
}

void rf_blist_fini(rf_blist *l)
{
    for (int64_t i = 0; i < l->n; i++) rf_batch_destroy(&l->b[i]);
    RF_FREE(l->b);
    l->n = l->cap = l->rows = 0;
}
