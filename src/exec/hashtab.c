/*
 * hashtab.c — the hash table behind hash aggregation and (for distinct keys) joins: open addressing
 * over group ids, with the key values stored column-wise beside it (one builder per key column).
 * A slot holds the group id and 16 bits of the group's hash (a salt): a probe passing another
 * group's slot almost never reads that group's hash or keys. A single integer key is compared
 * directly, not through the generic column comparison.
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

#define GID_BITS 48
#define GID_MASK (((int64_t)1 << GID_BITS) - 1)
static inline int64_t salted(int64_t g, uint64_t hv) { return (int64_t)((hv >> 48) << GID_BITS) | g; }   /* may be negative: empty is -1 exactly */
static inline bool same_salt(int64_t slot, uint64_t hv) { return ((uint64_t)slot >> GID_BITS) == (hv >> 48); }

static int rehash(rf_hashtab *h)
{
    int64_t ns = h->nslots * 2;
    int64_t *s = rf_malloc((size_t)ns * sizeof *s);
    if (!s) return rf__err_set(RF_ERR_NOMEM, "out of memory growing a hash table to %lld slots", (long long)ns);
    memset(s, 0xff, (size_t)ns * sizeof *s);
    for (int64_t g = 0; g < h->n; g++) {
        int64_t p = (int64_t)(h->hash[g] & (uint64_t)(ns - 1));
        while (s[p] != -1) p = (p + 1) & (ns - 1);
        s[p] = salted(g, h->hash[g]);
    }
    rf_free(h->slot);
    h->slot = s;
    h->nslots = ns;
    return RF_OK;
}

/* Whether group g's key equals row i of cols. */
static inline bool key_eq(const rf_hashtab *h, int64_t g, rf_column *const *cols, int64_t i)
{
    if (h->nkeys == 1) {   /* one integer key without NULLs: the values themselves */
        const rf_column *a = h->keys[0], *b = cols[0];
        rf_type t = a->type;
        if (t == b->type && !a->valid && !b->valid && !b->is_const) {
            if (t == RF_TYPE_INT64 || t == RF_TYPE_TIMESTAMP) return ((const int64_t *)a->data)[g] == ((const int64_t *)b->data)[i];
            if (t == RF_TYPE_INT32 || t == RF_TYPE_DATE) return ((const int32_t *)a->data)[g] == ((const int32_t *)b->data)[i];
        }
    }
    for (int k = 0; k < h->nkeys; k++)
        if (!rf_column_eq(h->keys[k], g, cols[k], i)) return false;
    return true;
}

int rf__ht_upsert(rf_hashtab *h, rf_column *const *cols, int64_t i, uint64_t hv, int64_t *gid, bool *inserted)
{
    int64_t mask = h->nslots - 1, p = (int64_t)(hv & (uint64_t)mask);
    for (;;) {
        int64_t sl = h->slot[p];
        if (sl == -1) break;
        if (same_salt(sl, hv)) {
            int64_t g = sl & GID_MASK;
            if (h->hash[g] == hv && key_eq(h, g, cols, i)) { *gid = g; *inserted = false; return RF_OK; }
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
    h->slot[p] = salted(g, hv);
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
