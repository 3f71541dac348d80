/*
 * mem.c — allocation wrappers (with failure injection for tests), byte buffers and a bounds-checked
 * reader used by plan serialization and shuffle unpacking.
 */
#include <stdio.h>
#include <stdlib.h>
#include "core/core.h"

static atomic_long fail_after = -1;

void rf__mem_fail_after(long n) { atomic_store(&fail_after, n); }

static bool should_fail(void)
{
    long v = atomic_load(&fail_after);
    if (v < 0) return false;
    return atomic_fetch_sub(&fail_after, 1) == 0;
}

void *rf_malloc(size_t n)
{
    if (should_fail()) return NULL;
    return malloc(n ? n : 1);
}

void *rf_calloc(size_t n, size_t size)
{
    if (should_fail()) return NULL;
    return calloc(n ? n : 1, size ? size : 1);
}

void *rf_realloc(void *p, size_t n)
{
    if (should_fail()) return NULL;
    return realloc(p, n ? n : 1);
}

char *rf_strndup(const char *s, size_t n)
{
    char *d = rf_malloc(n + 1);
    if (!d) return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *rf_strdup(const char *s) { return s ? rf_strndup(s, strlen(s)) : NULL; }

void rf_free(void *p) { free(p); }

int rf__grow(void **p, int64_t *cap, int64_t need, size_t elem)
{
    if (need <= *cap) return RF_OK;
    int64_t nc = *cap ? *cap : 8;
    while (nc < need) nc *= 2;
    void *q = rf_realloc(*p, (size_t)nc * elem);
    if (!q) return rf__err_set(RF_ERR_NOMEM, "out of memory growing an array to %lld items", (long long)nc);
    *p = q;
    *cap = nc;
    return RF_OK;
}

/* ---------------------------------------------------------------- rf_buf */
int rf_buf_reserve(rf_buf *b, size_t extra)
{
    if (b->len + extra <= b->cap) return RF_OK;
    size_t nc = b->cap ? b->cap : 256;
    while (nc < b->len + extra) nc *= 2;
    uint8_t *q = rf_realloc(b->data, nc);
    if (!q) return rf__err_set(RF_ERR_NOMEM, "out of memory (buffer of %zu bytes)", nc);
    b->data = q;
    b->cap = nc;
    return RF_OK;
}

int rf_buf_put(rf_buf *b, const void *p, size_t n)
{
    if (rf_buf_reserve(b, n)) return RF_ERR_NOMEM;
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    return RF_OK;
}

int rf_buf_put_u8(rf_buf *b, uint8_t v) { return rf_buf_put(b, &v, 1); }
int rf_buf_put_i32(rf_buf *b, int32_t v) { return rf_buf_put(b, &v, 4); }
int rf_buf_put_i64(rf_buf *b, int64_t v) { return rf_buf_put(b, &v, 8); }
int rf_buf_put_f64(rf_buf *b, double v) { return rf_buf_put(b, &v, 8); }

int rf_buf_put_str(rf_buf *b, const char *s)
{
    if (!s) return rf_buf_put_i64(b, -1);
    size_t n = strlen(s);
    if (rf_buf_put_i64(b, (int64_t)n)) return RF_ERR_NOMEM;
    return rf_buf_put(b, s, n);
}

int rf_buf_printf(rf_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return rf__err_set(RF_ERR_INTERNAL, "bad format");
    if (rf_buf_reserve(b, (size_t)n + 1)) return RF_ERR_NOMEM;
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return RF_OK;
}

int rf_buf_json_str(rf_buf *b, const char *s, size_t n)
{
    int rc = rf_buf_put_u8(b, '"');
    for (size_t i = 0; i < n && !rc; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') rc = rf_buf_printf(b, "\\%c", c);
        else if (c == '\n') rc = rf_buf_put(b, "\\n", 2);
        else if (c == '\r') rc = rf_buf_put(b, "\\r", 2);
        else if (c == '\t') rc = rf_buf_put(b, "\\t", 2);
        else if (c < 0x20) rc = rf_buf_printf(b, "\\u%04x", c);
        else rc = rf_buf_put_u8(b, c);
    }
    return rc ? rc : rf_buf_put_u8(b, '"');
}

void rf_buf_fini(rf_buf *b)
{
    RF_FREE(b->data);
    b->len = b->cap = 0;
}

int rf_rd_get(rf_rd *r, void *out, size_t n)
{
    if ((size_t)(r->end - r->p) < n)
        return rf__err_set(RF_ERR_INVALID, "truncated message: wanted %zu more bytes, %zu left", n,
                           (size_t)(r->end - r->p));
    memcpy(out, r->p, n);
    r->p += n;
    return RF_OK;
}
int rf_rd_u8(rf_rd *r, uint8_t *v) { return rf_rd_get(r, v, 1); }
int rf_rd_i32(rf_rd *r, int32_t *v) { return rf_rd_get(r, v, 4); }
int rf_rd_i64(rf_rd *r, int64_t *v) { return rf_rd_get(r, v, 8); }
int rf_rd_f64(rf_rd *r, double *v) { return rf_rd_get(r, v, 8); }

int rf_rd_str(rf_rd *r, char **s)
{
    int64_t n = 0;
    *s = NULL;
    if (rf_rd_i64(r, &n)) return RF_ERR_INVALID;
    if (n < 0) return RF_OK;
    if (n > r->end - r->p) return rf__err_set(RF_ERR_INVALID, "truncated message: string of %lld bytes", (long long)n);
    *s = rf_strndup((const char *)r->p, (size_t)n);
    if (!*s) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    r->p += n;
    return RF_OK;
}
