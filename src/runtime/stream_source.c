/*
 * stream_source.c — what a stream reads (docs/ARCHITECTURE.md, "Streaming"): the streaming
 * DataFrames of rf_read_stream (a directory of csv, text, JSON lines or hdf5 files; Spark's rate and
 * socket sources) and rf_df_with_watermark; and, for a batch of a rate or socket source, its rows
 * put in place of the source's scan. Rank 0 only.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "runtime/stream_int.h"
#include "riffle/stream.h"

/* ---------------------------------------------------------------- the streaming DataFrame */
/* Splits "k=v,k=v" options into the stream's own (path, limits) and the reader's (the rest). */
static int stream_options(const char *options, char **dir, int64_t *max_files, int64_t *max_bytes, rf_buf *reader)
{
    char *copy = rf_strdup(options ? options : ""), *cur = copy;
    int rc = copy ? RF_OK : rf__err_set(RF_ERR_NOMEM, "out of memory");
    while (!rc && cur && *cur) {
        char *item = cur, *end = strchr(cur, ',');
        if (end) { *end = '\0'; cur = end + 1; } else cur = NULL;
        while (*item == ' ') item++;
        if (!*item) continue;
        char *eq = strchr(item, '=');
        const char *v = eq ? eq + 1 : "";
        size_t kl = eq ? (size_t)(eq - item) : strlen(item);
        if (kl == 4 && !strncasecmp(item, "path", 4)) { rf_free(*dir); *dir = rf_strdup(v); if (!*dir) rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); }
        else if (kl == 18 && !strncasecmp(item, "maxFilesPerTrigger", 18)) {
            char *e = NULL;
            long long n = strtoll(v, &e, 10);
            if (!*v || *e || n < 1) rc = rf__err_set(RF_ERR_INVALID, "stream option maxFilesPerTrigger: '%s' is not a positive number", v);
            *max_files = n;
        } else if (kl == 18 && !strncasecmp(item, "maxBytesPerTrigger", 18)) {
            *max_bytes = rf_parse_size(v);
            if (*max_bytes < 1) rc = rf__err_set(RF_ERR_INVALID, "stream option maxBytesPerTrigger: '%s' is not a size", v);
        } else rc = rf_buf_printf(reader, "%s%s", reader->len ? "," : "", item);
    }
    if (!rc && reader->len == 0) rc = rf_buf_printf(reader, "%s", "");
    rf_free(copy);
    return rc;
}

/* *path made absolute (it exists). */
int rf__abs_path(char **path)
{
    char *a = realpath(*path, NULL);
    if (!a) return rf__err_set(RF_ERR_IO, "%s: %s", *path, strerror(errno));
    char *c = rf_strdup(a);
    free(a);
    if (!c) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    rf_free(*path);
    *path = c;
    return RF_OK;
}

/* Spark's rate source: rows (timestamp, value) with values 0, 1, 2, ... at rowsPerSecond, the
 * timestamp of value v the query's first start + v / rowsPerSecond. */
static rf_df *rate_stream(rf_session *s, const char *options)
{
    int64_t rate = 0, parts = 0;
    int rc = RF_OK;
    char *copy = rf_strdup(options ? options : ""), *save = NULL;
    for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t && !rc; t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ') t++;
        char *eq = strchr(t, '='), *e = NULL;
        const char *v = eq ? eq + 1 : "";
        if (eq) *eq = '\0';
        long long n = strtoll(v, &e, 10);
        if (!strcasecmp(t, "rowsPerSecond") && *v && !*e && n > 0 && n <= 1000000000) rate = n;
        else if (!strcasecmp(t, "numPartitions") && *v && !*e && n > 0 && n <= 100000) parts = n;
        else rc = rf__err_set(RF_ERR_INVALID, "rate stream option '%s%s%s': rowsPerSecond=N (1 to 1e9) and numPartitions=N are its options", t, eq ? "=" : "", v);
    }
    rf_free(copy);
    if (!rc && !rate) rc = rf__err_set(RF_ERR_INVALID, "rf_read_stream: a rate stream needs rowsPerSecond=N");
    rf_plan *p = NULL;
    if (!rc) rc = rf__plan_new(RF_L_SCAN, 0, &p);
    if (!rc && !(p->src = rf_calloc(1, sizeof *p->src))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    if (!rc && !(p->src->stream_dir = rf_strdup("rate:"))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    if (!rc) { p->src->stream_rate = rate; p->src->stream_parts = parts; rc = rf_schema_create(2, &p->schema); }
    if (!rc) {
        p->schema->f[0] = (rf_field){ .name = rf_strdup("timestamp"), .type = RF_TYPE_TIMESTAMP, .nullable = false, .id = s->next_attr++ };
        p->schema->f[1] = (rf_field){ .name = rf_strdup("value"), .type = RF_TYPE_INT64, .nullable = false, .id = s->next_attr++ };
        rc = rf_schema_copy(p->schema, &p->src->file_schema);
    }
    if (rc) { rf__plan_destroy(&p); return rf__df_fail(s, rc); }
    return rf__df_make(s, p, RF_OK);
}

/* JSON lines: a text stream whose lines are parsed by from_json(value, schema), one column a field
 * (a line that is not an object of the schema gives NULLs, as Spark's PERMISSIVE mode). */
static rf_df *json_stream(rf_session *s, const char *options)
{
    rf_buf text = { 0 }, ddl = { 0 };
    char *copy = rf_strdup(options ? options : ""), *save = NULL;
    int rc = copy ? RF_OK : rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t && !rc; t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ') t++;
        if (!strncasecmp(t, "schema=", 7)) {   /* "a INT; b STRING": fields apart by ';' (options split at ',') */
            int depth = 0;
            for (const char *c = t + 7; *c && !rc; c++) {
                depth += (*c == '(' || *c == '<') - (*c == ')' || *c == '>');
                rc = rf_buf_put_u8(&ddl, (uint8_t)(*c == ';' && depth == 0 ? ',' : *c));
            }
        } else if (!strncasecmp(t, "path=", 5) || !strncasecmp(t, "maxFilesPerTrigger=", 19) || !strncasecmp(t, "maxBytesPerTrigger=", 19))
            rc = rf_buf_printf(&text, "%s%s", text.len ? "," : "", t);
        else rc = rf__err_set(RF_ERR_INVALID, "json stream option '%s': path, schema, maxFilesPerTrigger and maxBytesPerTrigger are its options", t);
    }
    rf_free(copy);
    if (!rc && !ddl.len) rc = rf__err_set(RF_ERR_INVALID, "rf_read_stream: a json stream needs schema=... (a stream's schema is not inferred, as in Spark)");
    if (!rc) rc = rf_buf_put_u8(&ddl, 0);
    if (!rc) rc = rf_buf_put_u8(&text, 0);
    rf_df *lines = rc ? NULL : rf_read_stream(s, "text", (const char *)text.data), *j = NULL, *out = NULL;
    if (lines && !lines->err) j = rf_df_select(lines, 1, rf_as(rf_fn("from_json", 2, rf_col("value"), rf_lit_str((const char *)ddl.data)), "__json"));
    if (j && !j->err) {   /* the struct's fields as columns */
        rf_type t = j->plan->schema->f[0].type;
        int n = rf_type_nfields(t);
        rf_expr **v = rf_calloc((size_t)n + 1, sizeof *v);
        for (int i = 0; v && i < n; i++) v[i] = rf_as(rf_fn("__get_field", 2, rf_col("__json"), rf_lit_str(rf_type_field_name(t, i))), rf_type_field_name(t, i));
        out = v ? rf_df_selectv(j, n, v) : NULL;
        rf_free(v);
    }
    rf_buf_fini(&text);
    rf_buf_fini(&ddl);
    if (rc) return rf__df_fail(s, rc);
    return out ? out : j ? j : lines;
}

/* A TCP socket of text lines (Spark's socket source): one column value; the query connects to
 * host:port when it starts. */
static rf_df *socket_stream(rf_session *s, const char *options)
{
    char host[256] = "localhost";
    long port = -1;
    int rc = RF_OK;
    char *copy = rf_strdup(options ? options : ""), *save = NULL;
    for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t && !rc; t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ') t++;
        char *e = NULL;
        if (!strncasecmp(t, "host=", 5) && t[5] && strlen(t + 5) < sizeof host) snprintf(host, sizeof host, "%s", t + 5);
        else if (!strncasecmp(t, "port=", 5) && (port = strtol(t + 5, &e, 10)) > 0 && port < 65536 && !*e) { }
        else rc = rf__err_set(RF_ERR_INVALID, "socket stream option '%s': host=NAME and port=N are its options", t);
    }
    rf_free(copy);
    if (!rc && port < 0) rc = rf__err_set(RF_ERR_INVALID, "rf_read_stream: a socket stream needs port=N");
    rf_plan *p = NULL;
    char hp[300];
    snprintf(hp, sizeof hp, "%s:%ld", host, port);
    if (!rc) rc = rf__plan_new(RF_L_SCAN, 0, &p);
    if (!rc && !(p->src = rf_calloc(1, sizeof *p->src))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    if (!rc && (!(p->src->stream_dir = rf_strdup("socket:")) || !(p->src->stream_opts = rf_strdup(hp)))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    if (!rc) rc = rf_schema_create(1, &p->schema);
    if (!rc) {
        p->schema->f[0] = (rf_field){ .name = rf_strdup("value"), .type = RF_TYPE_STRING, .nullable = false, .id = s->next_attr++ };
        rc = rf_schema_copy(p->schema, &p->src->file_schema);
    }
    if (rc) { rf__plan_destroy(&p); return rf__df_fail(s, rc); }
    return rf__df_make(s, p, RF_OK);
}

bool rf__is_socket(const rf_source *src) { return src->stream_dir && !strcmp(src->stream_dir, "socket:"); }

rf_df *rf_read_stream(rf_session *s, const char *format, const char *options)
{
    if (!s) return NULL;
    if (format && !strcasecmp(format, "socket")) return socket_stream(s, options);
    if (format && !strcasecmp(format, "rate")) return rate_stream(s, options);
    if (format && !strcasecmp(format, "json")) return json_stream(s, options);
    rf_format fmt = RF_FMT_CSV;
    char *dir = NULL;
    int64_t mf = 0, mb = 0;
    rf_buf ro = { 0 };
    rf_source *src = NULL;
    rf_plan *p = NULL;
    int rc = RF_OK;
    if (format && !strcasecmp(format, "text")) fmt = RF_FMT_TEXT;
    else if (format && !strcasecmp(format, "hdf5")) fmt = RF_FMT_HDF5;
    else if (!format || strcasecmp(format, "csv")) rc = rf__err_set(RF_ERR_INVALID, "rf_read_stream: format '%s' is not csv, text or hdf5", format ? format : "(null)");
    if (!rc) rc = stream_options(options, &dir, &mf, &mb, &ro);
    if (!rc && (!dir || !*dir)) rc = rf__err_set(RF_ERR_INVALID, "rf_read_stream: no path=DIR option (the landing directory)");
    struct stat st;
    if (!rc && (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))) rc = rf__err_set(RF_ERR_INVALID, "%s: the stream's landing directory does not exist", dir);
    if (!rc) rc = rf__abs_path(&dir);   /* the offset logs name files a restart finds from any directory */
    if (!rc && fmt == RF_FMT_CSV && !strstr((const char *)ro.data, "schema="))
        rc = rf__err_set(RF_ERR_INVALID, "rf_read_stream: a csv stream needs schema=... (a stream's schema is not inferred, as in Spark)");
    if (!rc && fmt == RF_FMT_HDF5 && ro.len)
        rc = rf__err_set(RF_ERR_INVALID, "rf_read_stream: an hdf5 stream takes no reader options (%.200s): its files say their schema", (const char *)ro.data);
    const char *paths[1] = { dir };
    if (!rc) rc = rf__source_build(1, paths, fmt, fmt == RF_FMT_CSV ? (const char *)ro.data : NULL, 0, &src);
    if (rc && fmt == RF_FMT_HDF5 && rf__err_slot()->code && strstr(rf__err_slot()->msg, "no HDF5 files"))
        rc = rf__err_set(RF_ERR_INVALID, "%s: an hdf5 stream takes its schema from the files already there: land one first", dir);
    if (!rc) {   /* the schema only: each batch lists its own files */
        for (int i = 0; i < src->n_files; i++) rf_free(src->files[i]);
        src->n_files = 0;
        src->stream_dir = dir;
        dir = NULL;
        src->stream_opts = fmt == RF_FMT_CSV ? rf_strdup((const char *)ro.data) : NULL;
        src->stream_max_files = mf;
        src->stream_max_bytes = mb;
        if (fmt == RF_FMT_CSV && !src->stream_opts) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    }
    if (!rc) rc = rf__plan_new(RF_L_SCAN, 0, &p);
    if (!rc) { p->src = src; src = NULL; rc = rf_schema_copy(p->src->file_schema, &p->schema); }
    for (int i = 0; !rc && i < p->schema->n; i++) p->schema->f[i].id = s->next_attr++;
    rf_free(dir);
    rf_buf_fini(&ro);
    rf__source_destroy(&src);
    if (rc) { rf__plan_destroy(&p); return rf__df_fail(s, rc); }
    return rf__df_make(s, p, RF_OK);
}

rf_df *rf_df_with_watermark(rf_df *df, const char *column, const char *delay)
{
    RF_DF_INPUT(df);
    rf_plan *p = NULL;
    int64_t us = delay ? rf_parse_duration_us(delay, strlen(delay)) : -1, attr = -1;
    int rc = us < 0 ? rf__err_set(RF_ERR_INVALID, "withWatermark: delay '%s' is not a duration such as '10 minutes'", delay ? delay : "(null)") : RF_OK;
    const rf_schema *sc = df->plan->schema;
    for (int i = 0; !rc && column && i < sc->n; i++)
        if (!strcasecmp(sc->f[i].name, column) && !sc->f[i].hidden) {
            if (attr >= 0 && attr != sc->f[i].id) rc = rf__err_set(RF_ERR_ANALYSIS, "withWatermark: column '%s' is ambiguous", column);
            attr = sc->f[i].id;
            if (sc->f[i].type != RF_TYPE_TIMESTAMP)
                rc = rf__err_set(RF_ERR_ANALYSIS, "Event time must be defined on a window or a timestamp, but %s is of type %s", column, rf_type_name(sc->f[i].type));
        }
    if (!rc && attr < 0) rc = rf__err_set(RF_ERR_ANALYSIS, "withWatermark: no column '%s'", column ? column : "(null)");
    if (!rc && !rf__plan_has_stream(df->plan)) return rf__df_make(df->s, rf__plan_retain(df->plan), RF_OK);   /* a batch DataFrame: as Spark, nothing to do */
    if (!rc) rc = rf__df_unary(RF_L_PROJECT, df, &p);
    if (!rc) rc = rf_schema_copy(sc, &p->schema);
    if (!rc && !(p->exprs = rf_calloc((size_t)sc->n + 1, sizeof *p->exprs))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int i = 0; !rc && i < sc->n; i++) {
        if (!(p->exprs[i] = rf__expr_col_attr(sc->f[i].id, sc->f[i].name, sc->f[i].type, sc->f[i].nullable, i))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
        else if (sc->f[i].qual && !(p->exprs[i]->qual = rf_strdup(sc->f[i].qual))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
        p->n_exprs = i + 1;
    }
    if (rc) { rf__plan_destroy(&p); return rf__df_fail(df->s, rc); }
    p->watermark = true;
    p->wm_attr = attr;
    p->wm_delay = us;
    return rf__df_make(df->s, p, RF_OK);
}


/* ---------------------------------------------------------------- the socket source */
#define SOCKET_MAX_LINES 100000   /* lines a batch takes at most (the rest wait for the next) */

int rf__sock_connect(rf_stream *q)
{
    char hp[300], *colon;
    snprintf(hp, sizeof hp, "%s", q->leaf->src->stream_opts);
    if (!(colon = strrchr(hp, ':'))) return rf__err_set(RF_ERR_INTERNAL, "socket source without a port");
    *colon = '\0';
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res = NULL;
    int e = getaddrinfo(hp, colon + 1, &hints, &res);
    if (e) return rf__err_set(RF_ERR_IO, "%s:%s: %s", hp, colon + 1, gai_strerror(e));
    int fd = -1, err = 0;
    for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) != 0) { err = errno; close(fd); fd = -1; }
    }
    freeaddrinfo(res);
    if (fd < 0) return rf__err_set(RF_ERR_IO, "%s:%s: cannot connect: %s (the socket source reads from a server, e.g. nc -lk %s)", hp, colon + 1, strerror(err ? err : ECONNREFUSED), colon + 1);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    q->sock = fd;
    return RF_OK;
}

void rf__lines_free(rf_stream *q)
{
    for (int64_t i = 0; i < q->n_lines; i++) rf_free(q->lines[i]);
    RF_FREE(q->lines);
    q->n_lines = 0;
}

static int lines_add(rf_stream *q, const char *p, size_t n, int64_t *cap)
{
    if (n && p[n - 1] == '\r') n--;
    int rc = rf__grow((void **)&q->lines, cap, q->n_lines + 1, sizeof *q->lines);
    if (!rc && !(q->lines[q->n_lines++] = rf_strndup(p, n))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    return rc;
}

/* The whole lines received so far (at most SOCKET_MAX_LINES) into q->lines. */
int rf__sock_take(rf_stream *q)
{
    char chunk[65536];
    int rc = RF_OK;
    for (;;) {
        ssize_t r = read(q->sock, chunk, sizeof chunk);
        if (r > 0) { if ((rc = rf_buf_put(&q->sockbuf, chunk, (size_t)r))) return rc; continue; }
        if (r < 0 && errno == EINTR) continue;
        break;   /* nothing more now (EAGAIN), or the server closed: what came stays */
    }
    int64_t cap = 0;
    size_t from = 0;
    rf__lines_free(q);
    for (size_t i = 0; i < q->sockbuf.len && !rc && q->n_lines < SOCKET_MAX_LINES; i++)
        if (q->sockbuf.data[i] == '\n') { rc = lines_add(q, (const char *)q->sockbuf.data + from, i - from, &cap); from = i + 1; }
    if (from) memmove(q->sockbuf.data, q->sockbuf.data + from, q->sockbuf.len - from);
    q->sockbuf.len -= from;
    return rc;
}

/* A socket batch's lines are kept in <ckpt>/socket/<id> before it runs: a restart replays them. */
int rf__lines_save(const rf_stream *q, int64_t id)
{
    rf_buf b = { 0 };
    int rc = RF_OK;
    for (int64_t i = 0; i < q->n_lines && !rc; i++) rc = rf_buf_printf(&b, "%s\n", q->lines[i]);
    rc = rc ? rc : rf__stream_write_log(q, "socket", id, &b);
    rf_buf_fini(&b);
    return rc;
}

int rf__lines_load(rf_stream *q, int64_t id)
{
    char path[4400];
    rf_buf b = { 0 };
    int64_t cap = 0;
    snprintf(path, sizeof path, "%s/socket/%lld", q->ckpt, (long long)id);
    rf__lines_free(q);
    int rc = rf__stream_read_text(path, &b);
    size_t from = 0;
    for (size_t i = 0; i < b.len && !rc; i++)
        if (b.data[i] == '\n') { rc = lines_add(q, (const char *)b.data + from, i - from, &cap); from = i + 1; }
    rf_buf_fini(&b);
    return rc;
}

/* Turns the socket source's scan `leaf` into the batch's lines (a VALUES node, one task). */
int rf__socket_rows(rf_stream *q, rf_plan *leaf)
{
    rf_expr **ex = rf_calloc((size_t)q->n_lines + 1, sizeof *ex);
    int rc = ex ? RF_OK : rf__err_set(RF_ERR_NOMEM, "out of memory");
    for (int64_t i = 0; i < q->n_lines && !rc; i++) {
        ex[i] = rf__expr_lit(&(rf_value){ .type = RF_TYPE_STRING, .v.s = { q->lines[i], (int64_t)strlen(q->lines[i]) } });
        if (!ex[i]) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
        else ex[i]->resolved = true;
    }
    if (rc) { for (int64_t i = 0; ex && i < q->n_lines; i++) rf_expr_destroy(&ex[i]); rf_free(ex); return rc; }
    rf__source_destroy(&leaf->src);
    leaf->kind = RF_L_VALUES;
    leaf->exprs = ex;
    leaf->n_exprs = (int)q->n_lines;
    leaf->n = q->n_lines;
    return RF_OK;
}

/* Turns the rate source's scan `leaf` (in a copy of the query) into its batch's rows: values
 * rate_s .. rate_e - 1 (range()) with timestamp = first start + value / rowsPerSecond; the scan's
 * columns keep their ids. */
int rf__rate_rows(rf_stream *q, rf_plan *leaf)
{
    int64_t rate = leaf->src->stream_rate;
    rf_df *r = rf_range(q->s, q->rate_s, q->rate_e, 1, (int)leaf->src->stream_parts);
    if (!r || r->err) return r ? rf__err_set(r->err, "%s", r->msg) : rf__err_set(RF_ERR_NOMEM, "out of memory");
    const rf_field *id = &r->plan->schema->f[0];
    rf_expr *v = rf__expr_col_attr(id->id, "id", RF_TYPE_INT64, false, 0);
    rf_expr *v2 = rf__expr_col_attr(id->id, "id", RF_TYPE_INT64, false, 0);
    rf_expr *base = rf__expr_lit(&(rf_value){ .type = RF_TYPE_TIMESTAMP, .v.i = q->rate_base });
    rf_expr *ts = rf_fn("__timestamp_add", 2, base, rf_cast(rf_mul(v2, rf_lit_double(1e6 / (double)rate)), RF_TYPE_INT64));
    rf_expr **ex = rf_calloc(2, sizeof *ex);
    int rc = ts && v && ex ? RF_OK : rf__err_set(RF_ERR_NOMEM, "out of memory");
    if (!rc) rc = rf__expr_resolve(ts, r->plan->schema, false);
    if (!rc) rc = rf__expr_resolve(v, r->plan->schema, false);
    if (!rc) {
        ex[0] = ts;
        ex[1] = v;
        ts = v = NULL;
        rf__source_destroy(&leaf->src);
        leaf->kind = RF_L_PROJECT;
        leaf->exprs = ex;
        leaf->n_exprs = 2;
        ex = NULL;
        if (!(leaf->child = rf_calloc(1, sizeof *leaf->child))) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
        else { leaf->child[0] = rf__plan_retain(r->plan); leaf->n_child = 1; }
    }
    rf_expr_destroy(&ts);
    rf_expr_destroy(&v);
    rf_free(ex);
    rf_df_release(&r);
    return rc;
}

