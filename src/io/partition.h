/*
 * partition.h — partitioned tables: `col=value` directory names (partition.c).
 */
#ifndef RF_PARTITION_H
#define RF_PARTITION_H

#include "core/core.h"

/* Appends value v[0..n) escaped as one safe path component. */
int   rf__part_escape(const char *v, size_t n, rf_buf *out);
/* The value a directory name component spells (returned-owned); *is_null for the NULL partition. */
char *rf__part_unescape(const char *s, size_t n, bool *is_null);
/* "c1=v1/c2=v2" for row `row` of b (NUL-terminated in out; out->len excludes the NUL). */
int   rf__part_key(const rf_batch *b, int64_t row, const int *pcols, int np, const rf_schema *s, rf_buf *out, rf_buf *tmp);
/* The columns of s named by spec ("a,b"): *pcols returned-owned (NULL and 0 for an empty spec). */
int   rf__part_columns(const rf_schema *s, const char *spec, int **pcols, int *np);

/* Distinct partition keys, numbered in first-seen order (an open-addressing hash table). */
typedef struct rf_keydict {
    char   **keys;
    int64_t  n, cap;
    int64_t *slot;      /* key index + 1, 0 empty */
    int64_t  nslot;
} rf_keydict;
int  rf__keydict_id(rf_keydict *d, const char *key, int64_t *id);   /* adds key if new */
void rf__keydict_fini(rf_keydict *d);

#endif
