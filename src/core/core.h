/*
 * core.h — riffle's internal core: errors, allocation, columns, batches, schemas, hashing, byte
 * buffers and small utilities. Every other layer includes this header; nothing here knows about
 * plans, MPI or files.
 *
 * Errors: a fallible function returns an RF_* code and records its message in the calling thread's
 * error slot (rf__err_set). The runtime copies the slot into the job's error record, so the text
 * reaches the user once, from rank 0, naming the rank that failed.
 */
#ifndef RF_CORE_H
#define RF_CORE_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "riffle/types.h"
#include "core/limits.h"

/* ---------------------------------------------------------------- errors */
typedef struct rf_error {
    int  code;          /* RF_OK when clear */
    int  rank;          /* rank that failed, -1 when unknown */
    int  line, col;     /* position in the SQL text the error is about, 0 when none */
    char msg[1536];
} rf_error;

/* Records code and message in this thread's slot. Returns code, for `return rf__err_set(...)`. */
int rf__err_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
rf_error *rf__err_slot(void);   /* this thread's slot (borrowed) */
void rf__err_clear(void);
void rf__err_at(int line, int col);   /* attaches a source position to the current error */
/* Internal status, never returned to a user: an SQL relation whose analysis must wait until the
 * statements before it have run (sql/planner.h). */
#define RF_ERR_DEFERRED 100
/* Internal status: work abandoned because another task or rank failed first (core/comm.h, rf_cancel);
 * it never speaks for a job, the failure that caused it does. */
#define RF_ERR_CANCELLED 101
#define RF_TRY(x)  do { rc = (x); if (rc != RF_OK) goto done; } while (0)
#define RF_TRY_RC(x) do { int rc_ = (x); if (rc_ != RF_OK) return rc_; } while (0)   /* returns the error */
#define RF_CHECK(cond, code, ...) do { if (!(cond)) { rc = rf__err_set((code), __VA_ARGS__); goto done; } } while (0)
#define RF_ASSERT(cond) do { if (!(cond)) rf__assert_fail(#cond, __FILE__, __LINE__); } while (0)
_Noreturn void rf__assert_fail(const char *what, const char *file, int line);
/* The stack guard: RF_OK while this thread has more than RF_STACK_RESERVE bytes of stack left,
 * else RF_ERR_LIMIT with a message naming `what`. Recursive walks call it at every level, so no
 * input can overflow a stack (of the main thread or an OpenMP worker). */
int rf__stack_check(const char *what);

/* Stop signals (error.c). After rf__stop_install(), the first SIGTERM or SIGINT only sets a flag
 * (a second one of the same kind kills the process as usual); the runtime polls it at safe points
 * (between stages, between a task's batches, before a commit) and stops every rank together. */
void rf__stop_install(void);
bool rf__stop_requested(void);
int  rf__stop_signal(void);   /* the signal that asked, 0 when none */
int  rf__stop_error(void);    /* sets the error "stopped by SIGTERM" and returns RF_ERR_STOPPED */
void rf__stop_reset(void);
/* With checkpoints on (runtime/checkpoint.c), SIGUSR1 (Slurm's warning before the wall-time limit)
 * does not stop at once: it asks the job to finish its running stage and stop at the next stage
 * boundary (RF_ERR_PREEMPTED). */
void rf__stop_wind_down(bool on);
bool rf__wind_down_requested(void);    /* forgets a stop request (the fuzz harness stops one case, then runs the next) */

/* ---------------------------------------------------------------- memory */
/* All allocation goes through these so that tests can inject failures (rf__mem_fail_after). */
void *rf_malloc(size_t n);
void *rf_calloc(size_t n, size_t size);
void *rf_realloc(void *p, size_t n);
char *rf_strdup(const char *s);
char *rf_strndup(const char *s, size_t n);
void rf_free(void *p);
#define RF_FREE(p) do { rf_free(p); (p) = NULL; } while (0)
void rf__mem_fail_after(long n);   /* -1 disables; n>=0 fails the allocation after n more */
/* Grows *p (array of elem-sized items) to hold at least need items; *cap is updated. */
int rf__grow(void **p, int64_t *cap, int64_t need, size_t elem);

/* ---------------------------------------------------------------- byte buffer */
typedef struct rf_buf {
    uint8_t *data;
    size_t   len, cap;
} rf_buf;
int  rf_buf_reserve(rf_buf *b, size_t extra);
int  rf_buf_put(rf_buf *b, const void *p, size_t n);
int  rf_buf_put_u8(rf_buf *b, uint8_t v);
int  rf_buf_put_i32(rf_buf *b, int32_t v);
int  rf_buf_put_i64(rf_buf *b, int64_t v);
int  rf_buf_put_f64(rf_buf *b, double v);
int  rf_buf_put_str(rf_buf *b, const char *s);       /* NULL-safe: length -1 */
int  rf_buf_printf(rf_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int  rf_buf_json_str(rf_buf *b, const char *s, size_t n);   /* a JSON string literal, escaped */
void rf_buf_fini(rf_buf *b);
/* Reading cursor over bytes; every get fails cleanly (RF_ERR_INVALID) past the end. */
typedef struct rf_rd { const uint8_t *p, *end; } rf_rd;
int rf_rd_get(rf_rd *r, void *out, size_t n);
int rf_rd_u8(rf_rd *r, uint8_t *v);
int rf_rd_i32(rf_rd *r, int32_t *v);
int rf_rd_i64(rf_rd *r, int64_t *v);
int rf_rd_f64(rf_rd *r, double *v);
int rf_rd_str(rf_rd *r, char **s);                   /* returned-owned, NULL for a NULL string */
/* A type on the wire (types.c): a plain type as its int32 value, a nested one by name (interned
 * descriptors differ between processes). */
int rf_buf_put_type(rf_buf *b, rf_type t);
int rf_rd_type(rf_rd *r, rf_type *out);

/* ---------------------------------------------------------------- decimals (decimal.c) */
typedef __int128 rf_dec;   /* unscaled value of a decimal(p,s): value = u / 10^s */
rf_dec rf_dec_pow10(int k);                 /* 10^k, 0 <= k <= 38 */
bool   rf_dec_fits(rf_dec v, int p);        /* |v| < 10^p */
/* Each returns false on overflow (the result has more than p digits) or bad input; results round
 * HALF_UP to scale s. */
bool   rf_dec_rescale(rf_dec v, int from, int to, int p, rf_dec *out);
bool   rf_dec_mul(rf_dec a, int sa, rf_dec b, int sb, int p, int s, rf_dec *out);
bool   rf_dec_div(rf_dec a, int sa, rf_dec b, int sb, int p, int s, rf_dec *out);   /* false for b = 0 too */
bool   rf_dec_parse(const char *s, size_t n, int p, int sc, rf_dec *out);           /* "-12.345", "1e3" */
bool   rf_dec_from_double(double d, int p, int sc, rf_dec *out);                   /* via the shortest spelling, as Spark */
double rf_dec_to_double(rf_dec v, int sc);
size_t rf_dec_format(rf_dec v, int sc, char *buf, size_t cap);                      /* plain, sc digits after the point */
/* Spark's type rules: a result type of precision p > 38 loses scale down to 6 (allowPrecisionLoss);
 * integers widen to decimal(10,0) / decimal(20,0); two decimals widen to hold both. */
rf_type rf_dec_bounded(int p, int s);
rf_type rf_dec_of_integer(rf_type t);
rf_type rf_dec_wider(rf_type a, rf_type b);

/* ---------------------------------------------------------------- values */
typedef struct rf_value {
    rf_type type;
    bool    null;
    union { int64_t i; double d; bool b; rf_dec x; struct { char *p; int64_t len; } s; } v;
} rf_value;
void rf_value_fini(rf_value *v);
int  rf_value_copy(rf_value *dst, const rf_value *src);
size_t rf_type_width(rf_type t);        /* bytes per fixed-width value, 0 for string/array */
bool rf_type_is_numeric(rf_type t);
/* The type two numeric types widen to: double if either is, a decimal holding both if either is
 * one, else bigint (int if both are int). */
rf_type rf_type_numeric_wider(rf_type a, rf_type b);
bool rf_type_is_varlen(rf_type t);      /* string, array or map: int64 offsets */
int  rf_type_parse(const char *name, rf_type *out);   /* "int", "bigint", "string", ... */

/* ---------------------------------------------------------------- columns */
/*
 * A column: refcounted, immutable once shared. Fixed-width values in data; strings as int64
 * offsets[len+1] into bytes (Arrow large-string layout); arrays and maps as offsets into a child
 * column of their elements (a map's are struct<key,value> entries); structs as one column per field. valid is a bitmap (bit i set = row i not NULL) or NULL when every row is valid.
 * A constant column (is_const) has len rows that all equal row 0; eval uses it for literals.
 */
typedef struct rf_column {
    atomic_int        refs;
    rf_type           type;
    bool              is_const;
    int64_t           len, cap;
    uint8_t          *valid;
    void             *data;
    char             *bytes;
    int64_t           nbytes, capbytes;
    struct rf_column *child;    /* array: the elements; map: its entries, a struct<key,value> column */
    struct rf_column **kids;    /* struct: one column per field, each with len rows (a NULL struct row
                                 * has NULL fields) */
    int               nkids;
} rf_column;

int  rf_column_create(rf_type t, int64_t cap, rf_column **out);
rf_column *rf_column_retain(rf_column *c);
void rf_column_release(rf_column **pc);
static inline bool rf_column_valid(const rf_column *c, int64_t i)
{
    if (c->is_const) i = 0;
    return c->valid == NULL || (c->valid[i >> 3] >> (i & 7)) & 1;
}
static inline int64_t rf_col_i64(const rf_column *c, int64_t i) { return ((const int64_t *)c->data)[c->is_const ? 0 : i]; }
static inline int32_t rf_col_i32(const rf_column *c, int64_t i) { return ((const int32_t *)c->data)[c->is_const ? 0 : i]; }
static inline double  rf_col_f64(const rf_column *c, int64_t i) { return ((const double *)c->data)[c->is_const ? 0 : i]; }
static inline rf_dec  rf_col_dec(const rf_column *c, int64_t i)
{
    rf_dec v;
    memcpy(&v, (const char *)c->data + (c->is_const ? 0 : i) * 16, 16);
    return v;
}
static inline bool    rf_col_bool(const rf_column *c, int64_t i) { return ((const uint8_t *)c->data)[c->is_const ? 0 : i] != 0; }
static inline const char *rf_col_str(const rf_column *c, int64_t i, int64_t *len)
{
    if (c->is_const) i = 0;
    const int64_t *o = (const int64_t *)c->data;
    *len = o[i + 1] - o[i];
    return c->bytes + o[i];
}
/* Value of row i widened to int64 (bool, int32, int64, date, timestamp). */
int64_t rf_column_get_int(const rf_column *c, int64_t i);
/* Appenders for builders (the column must not be shared yet). */
int rf_column_reserve(rf_column *c, int64_t rows, int64_t bytes);
int rf_column_append_null(rf_column *c);
int rf_column_append_i64(rf_column *c, int64_t v);    /* int32/date/bool are narrowed */
int rf_column_append_f64(rf_column *c, double v);
int rf_column_append_dec(rf_column *c, rf_dec v);
int rf_column_append_str(rf_column *c, const char *s, int64_t len);
int rf_column_append_from(rf_column *dst, const rf_column *src, int64_t i);   /* same type */
int rf_column_append_value(rf_column *c, const rf_value *v);
int rf_column_get_value(const rf_column *c, int64_t i, rf_value *out);  /* borrowed string */
void rf_column_set_null(rf_column *c, int64_t i);     /* allocates the bitmap on demand */
/* New column with rows sel[0..n) of src (a gather); sel NULL means rows [off, off+n). */
int rf_column_gather(const rf_column *src, const int64_t *sel, int64_t off, int64_t n, rf_column **out);
/* Materializes a constant column to len physical rows. */
int rf_column_expand(rf_column *c, int64_t len, rf_column **out);
int rf_column_const(const rf_value *v, int64_t len, rf_column **out);
size_t rf_column_bytes(const rf_column *c);
/* Row i's position in c's storage (0 for a constant column). */
static inline int64_t rf_col_row(const rf_column *c, int64_t i) { return c->is_const ? 0 : i; }
/* Element range [*lo, *hi) of array or map row i in c->child. */
static inline void rf_col_range(const rf_column *c, int64_t i, int64_t *lo, int64_t *hi)
{
    const int64_t *o = (const int64_t *)c->data;
    i = rf_col_row(c, i);
    *lo = o[i];
    *hi = o[i + 1];
}
/* Closes an array / map row whose elements were appended to c->child (the column must not be shared). */
int rf_column_end_list(rf_column *c);
/* Closes a struct row whose fields were appended to c->kids. */
int rf_column_end_struct(rf_column *c);
/* A column's rows (sel[0..n), or [0, n) when sel is NULL) as bytes appended to buf, and back
 * (codec.c): n rows read from r into a new column; RF_ERR_INVALID on bytes that are not a column. */
int rf_column_encode(const rf_column *c, const int64_t *sel, int64_t n, rf_buf *buf);
int rf_column_decode(rf_rd *r, int64_t n, rf_column **out);
/* Three-way compare of a[i] and b[j] (same type); NULLs compare equal to each other and first.
 * Arrays and structs compare element by element (then by length), as Spark orders them. */
int rf_column_cmp(const rf_column *a, int64_t i, const rf_column *b, int64_t j);
bool rf_column_eq(const rf_column *a, int64_t i, const rf_column *b, int64_t j);

/* ---------------------------------------------------------------- schemas and batches */
typedef struct rf_field {
    char   *name;
    char   *qual;      /* table alias qualifying the name, or NULL */
    rf_type type;
    bool    nullable;
    bool    hidden;    /* left out of `*` and of unqualified names: a key JOIN ... USING has twice,
                        * reachable as t.k and in t.* */
    int64_t id;        /* attribute id (unique within a plan) */
} rf_field;
typedef struct rf_schema {
    int       n;
    rf_field *f;
} rf_schema;
int  rf_schema_create(int n, rf_schema **out);
int  rf_schema_copy(const rf_schema *s, rf_schema **out);
void rf_schema_destroy(rf_schema **ps);
int  rf_schema_find(const rf_schema *s, const char *name);   /* -1 if absent, -2 if ambiguous */

typedef struct rf_batch {
    int64_t     nrows;
    int         ncols;
    rf_column **cols;   /* owned references */
} rf_batch;
int  rf_batch_create(int ncols, int64_t nrows, rf_batch **out);   /* cols NULL */
void rf_batch_destroy(rf_batch **pb);
int  rf_batch_gather(const rf_batch *b, const int64_t *sel, int64_t n, rf_batch **out);
int  rf_batch_slice(const rf_batch *b, int64_t off, int64_t n, rf_batch **out);
/* Concatenates batches (same layout) into one; n may be 0 (then types gives the layout). */
int  rf_batch_concat(rf_batch **bs, int n, const rf_schema *types, rf_batch **out);
size_t rf_batch_bytes(const rf_batch *b);
int  rf_batch_empty(const rf_schema *s, rf_batch **out);

/* A growable list of batches (a materialized partition). */
typedef struct rf_blist {
    rf_batch **b;
    int64_t    n, cap;
    int64_t    rows;
} rf_blist;
int  rf_blist_push(rf_blist *l, rf_batch *b);   /* consumes b */
void rf_blist_fini(rf_blist *l);

/* ---------------------------------------------------------------- checksums (crc.c) */
/* CRC-32C of data, continuing crc (0 to start): rf_crc32c(rf_crc32c(0, a, n), b, m) is the CRC of a then b. */
uint32_t rf_crc32c(uint32_t crc, const void *data, size_t n);

/* ---------------------------------------------------------------- hashing */
uint64_t rf_hash_bytes(const void *p, size_t n, uint64_t seed);
static inline uint64_t rf_hash_u64(uint64_t x)
{
    x ^= x >> 33; x *= 0xff51afd7ed558ccdULL; x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53ULL; x ^= x >> 33;
    return x;
}
static inline uint64_t rf_hash_mix(uint64_t h, uint64_t v) { return rf_hash_u64(h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2))); }
/* Combines the hash of each row's value of c into h[0..n). Same value -> same hash on every rank;
 * int32/int64/date of equal numeric value hash alike so join keys of mixed width agree. */
void rf_hash_column(const rf_column *c, int64_t n, uint64_t *h);
/* The same for rows [from, from+n) of c into h[0..n). */
void rf_hash_column_rows(const rf_column *c, int64_t from, int64_t n, uint64_t *h);

/* ---------------------------------------------------------------- dates and formatting */
int32_t rf_days_from_civil(int64_t y, unsigned m, unsigned d);
void    rf_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);
bool    rf_parse_date(const char *s, size_t n, int32_t *out);        /* yyyy-mm-dd[...] */
bool    rf_parse_timestamp(const char *s, size_t n, int64_t *out);   /* yyyy-mm-dd[ hh:mm:ss[.f]] */
bool    rf_parse_int64(const char *s, size_t n, int64_t *out);
bool    rf_parse_double(const char *s, size_t n, double *out);
bool    rf_parse_bool(const char *s, size_t n, bool *out);
size_t  rf_format_double(double d, char *buf, size_t cap);        /* shortest round-trip, Spark style */
size_t  rf_format_date(int32_t days, char *buf, size_t cap);
size_t  rf_format_timestamp(int64_t us, char *buf, size_t cap);
/* Formats row i of c as text (NULL -> empty, *is_null set). Appends to b. */
int     rf_format_value(const rf_column *c, int64_t i, rf_buf *b, bool *is_null);

/* ---------------------------------------------------------------- misc */
double  rf_now(void);                 /* wall clock seconds */
/* The statement clock (microseconds since the epoch, UTC): current_timestamp and current_date read
 * it, so a statement sees one time however often it asks. rf__clock_freeze() fixes it to now unless
 * it is fixed already (true when this call fixed it); rf__clock_thaw() lets it run again. Driver only. */
bool    rf__clock_freeze(void);
void    rf__clock_thaw(void);
int64_t rf__clock_us(void);
int64_t rf_parse_size(const char *s); /* "10m", "1g", "512k", "1024" -> bytes; -1 if bad */
/* "10 minutes", "1 hour 30 minutes", "500 ms", "interval 2 days" (s[0..n)) -> microseconds; -1 if bad
 * (Spark's duration strings: units microsecond .. week, plural or not, or us ms s m h d w). */
int64_t rf_parse_duration_us(const char *s, size_t n);
/* Stable merge sort of idx[0..n) with cmp(ctx, a, b). */
int rf_sort_idx(int64_t *idx, int64_t n, int (*cmp)(void *ctx, int64_t a, int64_t b), void *ctx);

#endif
