/*
 * hashtab.c — the hash table behind hash aggregation and (for distinct keys) joins: open addressing
 * over group ids, with the key values stored column-wise beside it (one builder per key column).
 * Not thread-safe: every task has its own (thread-local state, merged by the exchange).
 */
#include <stdlib.h>
#include "exec/exec.h"

int rf__ht_init(rf_hashtab *h, int nkeys, rf_column *const *like)
{
    memset(h, 0, sizeof *h);
    h->nkeys = nkeys;
    h->keys = rf_calloc((size_t)(nkeys ? nkeys : 1), sizeof *h->keys);
    h->nslots = 1024;
    h->slot = rf_malloc((size_t)h->nslots * sizeof *h->slot);
    if (!h->keys || !h->slot) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    memset(h->slot, 0xff, (size_t)h->nslots * sizeof *h->slot);
    for (int k = 0; k < nkeys; k++) {
        int rc = rf_column_create(like[k]->type == RF_TYPE_NULL ? RF_TYPE_STRING : like[k]->type, 256, &h->keys[k]);
        if (rc) return rc;
    }
    return RF_OK;
}

void rf__ht_fini(rf_hashtab *h)
{
    for (int k = 0; k < h->nkeys; k++) if (h->keys) rf_column_release(&h->keys[k]);
    RF_FREE(h->keys);
    RF_FREE(h->hash);
    RF_FREE(h->slot);
    h->n = h->cap = h->nslots = 0;
}

static int rehash(rf_hashtab *h)
{
    int64_t ns = h->nslots * 2;
    int64_t *s = rf_malloc((size_t)ns * sizeof *s);
    if (!s) return rf__err_set(RF_ERR_NOMEM, "out of memory growing a hash table to %lld slots", (long long)ns);
    memset(s, 0xff, (size_t)ns * sizeof *s);
    for (int64_t g = 0; g < h->n; g++) {
        int64_t p = (int64_t)(h->hash[g] & (uint64_t)(ns - 1));
        while (s[p] >= 0) p = (p + 1) & (ns - 1);
        s[p] = g;
    }
    rf_free(h->slot);
    h->slot = s;
    h->nslots = ns;
    return RF_OK;
}

int rf__ht_upsert(rf_hashtab *h, rf_column *const *cols, int64_t i, uint64_t hv, int64_t *gid, bool *inserted)
{
    int64_t mask = h->nslots - 1, p = (int64_t)(hv & (uint64_t)mask);
    for (;;) {
        int64_t g = h->slot[p];
        if (g < 0) break;
        if (h->hash[g] == hv) {
            bool eq = true;
            for (int k = 0; k < h->nkeys && eq; k++) eq = rf_column_eq(h->keys[k], g, cols[k], i);
            if (eq) { *gid = g; *inserted = false; return RF_OK; }
        }
        p = (p + 1) & mask;
    }
    int rc = rf__grow((void **)&h->hash, &h->cap, h->n + 1, sizeof *h->hash);
    if (rc) return rc;
    for (int k = 0; k < h->nkeys; k++) {
        if (cols[k]->type == RF_TYPE_NULL) rc = rf_column_append_null(h->keys[k]);
        else rc = rf_column_append_from(h->keys[k], cols[k], i);
        if (rc) return rc;
    }
    int64_t g = h->n++;
    h->hash[g] = hv;
    h->slot[p] = g;
    *gid = g;
    *inserted = true;
    if (h->n * 2 > h->nslots) return rehash(h);
    return RF_OK;
}

int rf__hash_rows(rf_column *const *cols, int nkeys, int64_t n, uint64_t **h)
{
    *h = rf_malloc((size_t)(n ? n : 1) * sizeof **h);
    if (!*h) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int64_t i = 0; i < n; i++) (*h)[i] = 0x12345678abcdefULL;
    for (int k = 0; k < nkeys; k++) rf_hash_column(cols[k], n, *h);
    return RF_OK;
}
