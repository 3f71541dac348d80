/*
 * parser.c — recursive-descent parser for riffle's Spark SQL dialect (see docs/SQL.md).
 *
 * Expressions become unresolved rf_expr trees carrying their source positions; query blocks become
 * q_select nodes (ast.h) that planner.c turns into DataFrame calls. Nesting is limited
 * (MAX_DEPTH) so that no input, however deep, can overflow the stack: it gets an error instead.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <strings.h>
#include "sql/ast.h"
#include "sql/parser.h"

q_select *rf__p_query(rf_parser *P);


static const char *reserved[] = {
    "SELECT", "FROM", "WHERE", "GROUP", "BY", "HAVING", "ORDER", "LIMIT", "UNION", "INTERSECT", "EXCEPT", "MINUS",
    "JOIN", "ON", "USING", "INNER", "LEFT", "RIGHT", "FULL", "OUTER", "CROSS", "SEMI", "ANTI", "AS", "AND", "OR",
    "NOT", "IN", "IS", "NULL", "BETWEEN", "LIKE", "CASE", "WHEN", "THEN", "ELSE", "END", "DISTINCT", "ALL", "WITH",
    "ASC", "DESC", "NULLS", "EXISTS", "TRUE", "FALSE", "CAST", "INTERVAL", "INSERT", "OVERWRITE", "CREATE", "EXPLAIN",
    "SET", "TABLE", "VIEW", "WINDOW", "OVER", "PARTITION", "ROWS", "RANGE", "UNBOUNDED", "PRECEDING", "FOLLOWING", NULL,
};

static bool is_reserved(const rf_token *t)
{
    if (t->t != T_IDENT) return false;
    for (int i = 0; reserved[i]; i++) if (rf__tok_is(t, reserved[i])) return true;
    return false;
}

/* The whole text is tokenized first: a bad character or an unclosed literal anywhere is an error
 * before any statement is parsed (let alone run), and the parser may look ahead freely. */
int rf__p_init(rf_parser *P, const char *src, size_t len)
{
    memset(P, 0, sizeof *P);
    rf__lex_init(&P->lx, src, len);
    int64_t cap = 0;
    for (;;) {
        int rc = rf__grow((void **)&P->toks, &cap, P->n_toks + 1, sizeof *P->toks);
        if (!rc) rc = rf__lex_next(&P->lx, &P->toks[P->n_toks]);
        if (rc) { RF_FREE(P->toks); P->n_toks = 0; return P->rc = rc; }
        if (P->toks[P->n_toks++].t == T_EOF) break;
    }
    P->cur = P->toks[0];
    P->nxt = P->toks[P->n_toks > 1 ? 1 : 0];
    return RF_OK;
}

void rf__p_fini(rf_parser *P) { RF_FREE(P->toks); P->n_toks = 0; }

int rf__p_adv(rf_parser *P)
{
    P->prev = P->cur;
    if (P->pos + 1 < P->n_toks) P->pos++;
    P->cur = P->toks[P->pos];
    P->nxt = P->toks[P->pos + 1 < P->n_toks ? P->pos + 1 : P->pos];
    return RF_OK;
}

bool rf__p_is(rf_parser *P, const char *s) { return rf__tok_is(&P->cur, s); }

bool rf__p_accept(rf_parser *P, const char *s)
{
    if (!rf__p_is(P, s)) return false;
    P->rc = rf__p_adv(P);
    return P->rc == RF_OK;
}

int rf__p_error(rf_parser *P, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (P->cur.t == T_EOF) rf__err_set(RF_ERR_INVALID, "syntax error: %s at the end of the input", msg);
    else rf__err_set(RF_ERR_INVALID, "syntax error: %s near '%.*s'", msg, P->cur.len > 40 ? 40 : P->cur.len, P->cur.p);
    rf__err_at(P->cur.line, P->cur.col);
    return RF_ERR_INVALID;
}

int rf__p_expect(rf_parser *P, const char *s)
{
    if (rf__p_accept(P, s)) return RF_OK;
    if (P->rc) return P->rc;
    return rf__p_error(P, "expected %s", s);
}

char *rf__p_ident(rf_parser *P)
{
    if (P->cur.t == T_QIDENT || (P->cur.t == T_IDENT && !is_reserved(&P->cur))) {
        char *s = rf_strndup(P->cur.p, (size_t)P->cur.len);
        if ((P->rc = rf__p_adv(P))) { rf_free(s); return NULL; }
        if (!s) P->rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
        return s;
    }
    P->rc = rf__p_error(P, "expected a name");
    return NULL;
}

/* A name after a dot (a column of a table, a field of a struct): reserved words are names there
 * (window.end, as Spark). */
char *rf__p_ident_any(rf_parser *P)
{
    if (P->cur.t != T_IDENT) return rf__p_ident(P);
    char *s = rf_strndup(P->cur.p, (size_t)P->cur.len);
    if ((P->rc = rf__p_adv(P))) { rf_free(s); return NULL; }
    if (!s) P->rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    return s;
}

bool rf__tok_reserved(const rf_token *t) { return is_reserved(t); }
bool rf__p_at_ident(rf_parser *P) { return P->cur.t == T_QIDENT || (P->cur.t == T_IDENT && !is_reserved(&P->cur)); }

/* String literal text with quotes removed and escapes resolved (returned-owned). */
char *rf__p_string(rf_parser *P)
{
    if (P->cur.t != T_STRING) { P->rc = rf__p_error(P, "expected a string literal"); return NULL; }
    const char *p = P->cur.p + 1, *e = P->cur.p + P->cur.len - 1;
    char q = P->cur.p[0];
    rf_buf b = { 0 };
    for (; p < e; p++) {
        char c = *p;
        if (c == '\\' && p + 1 < e) {
            p++;
            if (*p == '%' || *p == '_') rf_buf_put_u8(&b, '\\');   /* Spark keeps \% and \_ for LIKE */
            switch (*p) { case 'n': c = '\n'; break; case 't': c = '\t'; break; case 'r': c = '\r'; break; case '0': c = '\0'; break; default: c = *p; }
        } else if (c == q && p + 1 < e && p[1] == q) p++;
        rf_buf_put_u8(&b, (uint8_t)c);
    }
    char *s = rf_strndup(b.data ? (const char *)b.data : "", b.len);
    rf_buf_fini(&b);
    P->rc = rf__p_adv(P);
    return s;
}

/* ---------------------------------------------------------------- expressions */
static rf_expr *p_unary_sign(rf_parser *P, rf_token t);

static _Thread_local rf_parser *cur_parser;   /* the parser rf__p_at() reports to (one parse at a time per thread) */

/* Every node the parser makes passes here: it gets its source position, and a tree deeper than
 * RF_MAX_EXPR_DEPTH (a chain like 1 + 1 + ... builds one level per term) is refused on the spot,
 * so no later walk of it can run out of stack. Returns e, or NULL with the parser's error set. */
rf_expr *rf__p_at(rf_expr *e, const rf_token *t)
{
    if (!e) {
        if (cur_parser && !cur_parser->rc) cur_parser->rc = rf__err_slot()->code ? rf__err_slot()->code : rf__err_set(RF_ERR_NOMEM, "out of memory");
        return NULL;
    }
    if (!e->line) { e->line = t->line; e->col = t->col; }
    if (e->depth > RF_MAX_EXPR_DEPTH) {
        int rc = rf__err_set(RF_ERR_LIMIT, "syntax error: expression nested too deeply (more than %d levels)", RF_MAX_EXPR_DEPTH);
        rf__err_at(t->line, t->col);
        if (cur_parser && !cur_parser->rc) cur_parser->rc = rc;
        rf_expr_destroy(&e);
    }
    return e;
}

static rf_expr *bin(rf_ekind k, rf_expr *a, rf_expr *b, const rf_token *t)
{
    rf_expr *v[2] = { a, b };
    return rf__p_at(rf__expr_new(k, 2, v), t);
}

/* Operands of a chain (a AND b AND c ..., a || b || ...), grown as they are parsed. */
typedef struct { rf_expr **v; int64_t n, cap; rf_token *t; int64_t tcap; } chain;

static int chain_push(rf_parser *P, chain *c, rf_expr *e, const rf_token *t)
{
    if (rf__grow((void **)&c->v, &c->cap, c->n + 1, sizeof *c->v) || rf__grow((void **)&c->t, &c->tcap, c->n + 1, sizeof *c->t)) {
        rf_expr_destroy(&e);
        return P->rc = RF_ERR_NOMEM;
    }
    c->t[c->n] = *t;
    c->v[c->n++] = e;
    return RF_OK;
}

static void chain_fini(chain *c)
{
    for (int64_t i = 0; i < c->n; i++) rf_expr_destroy(&c->v[i]);
    rf_free(c->v);
    rf_free(c->t);
    memset(c, 0, sizeof *c);
}

/* v[lo..hi) joined by k as a balanced tree (AND and OR are associative; Spark's parser does the
 * same), so a chain of n terms is log2(n) deep. Consumes the operands. */
static rf_expr *balanced(rf_ekind k, chain *c, int64_t lo, int64_t hi)
{
    if (hi - lo == 1) { rf_expr *e = c->v[lo]; c->v[lo] = NULL; return e; }
    int64_t mid = lo + (hi - lo) / 2;
    rf_expr *a = balanced(k, c, lo, mid), *b = balanced(k, c, mid, hi);
    if (!a || !b) { rf_expr_destroy(&a); rf_expr_destroy(&b); return NULL; }
    return bin(k, a, b, &c->t[mid]);
}

/* Whether copying e costs nothing worth counting (a column or a literal): then a form that names
 * an operand twice (x BETWEEN a AND b as x >= a AND x <= b) may copy it. */
static bool simple(const rf_expr *e) { return e->kind == RF_E_COL || e->kind == RF_E_LIT; }

int rf__p_type(rf_parser *P, rf_type *out)
{
    char *n = rf__p_ident(P);
    if (!n) { if (!P->rc) P->rc = rf__p_error(P, "expected a type"); return P->rc; }
    int rc = RF_OK;
    if ((!strcasecmp(n, "array") || !strcasecmp(n, "map") || !strcasecmp(n, "struct")) && (rf__p_is(P, "<") || rf__p_is(P, "<>"))) {
        rc = rf__p_type_nested(P, n, out);
    } else if (!strcasecmp(n, "decimal") || !strcasecmp(n, "numeric") || !strcasecmp(n, "dec")) {
        int64_t p = 10, sc = 0;   /* Spark's default: decimal(10,0) */
        if (rf__p_accept(P, "(")) {
            rf_token tp = P->cur;
            if (tp.t != T_INT || (rc = rf__p_adv(P)) || !rf_parse_int64(tp.p, (size_t)tp.len, &p)) p = -1;
            if (!rc && p >= 0 && rf__p_accept(P, ",")) {
                rf_token ts = P->cur;
                if (ts.t != T_INT || (rc = rf__p_adv(P)) || !rf_parse_int64(ts.p, (size_t)ts.len, &sc)) sc = -1;
            }
            if (!rc && (p < 1 || p > RF_DECIMAL_MAX_PRECISION || sc < 0 || sc > p)) {
                rc = rf__err_set(RF_ERR_INVALID, "DECIMAL(%lld,%lld): the precision must be 1 to 38 and the scale 0 to the precision",
                                 (long long)p, (long long)sc);
                rf__err_at(tp.line, tp.col);
            }
            if (!rc) rc = rf__p_expect(P, ")");
        }
        if (!rc) *out = rf_type_decimal((int)p, (int)sc);
    } else if (!strcasecmp(n, "real") || !strcasecmp(n, "float")) {
        *out = RF_TYPE_DOUBLE;
    } else if (!strcasecmp(n, "smallint") || !strcasecmp(n, "tinyint") || !strcasecmp(n, "short") || !strcasecmp(n, "byte")) {
        *out = RF_TYPE_INT32;
    } else if (!strcasecmp(n, "char") || !strcasecmp(n, "varchar")) {
        *out = RF_TYPE_STRING;
        if (rf__p_accept(P, "(")) { while (!rf__p_is(P, ")") && P->cur.t != T_EOF) rf__p_adv(P); rc = rf__p_expect(P, ")"); }
    } else if (rf_type_parse(n, out)) {
        rc = rf__err_set(RF_ERR_INVALID, "unknown type '%s'", n);
        rf__err_at(P->prev.line, P->prev.col);
    }
    rf_free(n);
    return P->rc = rc;
}

/* CASE [x] WHEN ... THEN ... [ELSE ...] END. With a subject x that is a column or literal, each
 * branch compares a copy of it (x = v, which filters can push down); any other subject is
 * evaluated once (the simple form, op 1), so nested CASEs never multiply. */
static rf_expr *p_case(rf_parser *P, rf_token t0)
{
    chain c = { 0 };
    rf_expr *subject = NULL;
    bool native = false;
    if (!rf__p_is(P, "WHEN")) {
        if (!(subject = rf__p_expr_d(P))) goto fail;
        native = !simple(subject);
        if (native && chain_push(P, &c, subject, &t0)) { subject = NULL; goto fail; }
        if (native) subject = NULL;
    }
    if (P->rc) goto fail;
    while (rf__p_accept(P, "WHEN")) {
        rf_token wt = P->prev;
        rf_expr *w = rf__p_expr_d(P);
        if (!w) goto fail;
        if (subject) {
            rf_expr *s2 = NULL;
            if (rf__expr_copy(subject, &s2)) { rf_expr_destroy(&w); P->rc = RF_ERR_NOMEM; goto fail; }
            if (!(w = bin(RF_E_EQ, s2, w, &wt))) goto fail;
        }
        if (chain_push(P, &c, w, &wt)) goto fail;
        if ((P->rc = rf__p_expect(P, "THEN"))) goto fail;
        rf_expr *r = rf__p_expr_d(P);
        if (!r || chain_push(P, &c, r, &wt)) goto fail;
    }
    if (c.n == native) { P->rc = rf__p_error(P, "CASE needs at least one WHEN"); goto fail; }
    rf_expr *els = NULL;
    if (rf__p_accept(P, "ELSE")) { if (!(els = rf__p_expr_d(P))) goto fail; }
    else els = rf_lit_null();
    if (chain_push(P, &c, els, &t0)) goto fail;
    if ((P->rc = rf__p_expect(P, "END"))) goto fail;
    rf_expr_destroy(&subject);
    if (c.n > INT32_MAX) { P->rc = rf__p_error(P, "too many WHEN branches"); goto fail; }
    rf_expr *e = rf__expr_new(RF_E_CASE, (int)c.n, c.v);
    c.n = 0;
    if (e) e->op = native ? 1 : 0;
    chain_fini(&c);
    return rf__p_at(e, &t0);
fail:
    chain_fini(&c);
    rf_expr_destroy(&subject);
    if (!P->rc) P->rc = rf__err_slot()->code ? rf__err_slot()->code : RF_ERR_NOMEM;
    return NULL;
}

static rf_expr *p_concat(rf_parser *P);

static rf_expr *number(rf_parser *P, const rf_token *t)
{
    size_t n = (size_t)t->len;
    const char *p = t->p;
    char last = n ? p[n - 1] : 0;
    bool bd = n >= 2 && (last == 'D' || last == 'd') && (p[n - 2] == 'B' || p[n - 2] == 'b');
    size_t body = n - (bd ? 2 : (last && strchr("DdFfLlSsYy", last) ? 1 : 0));
    char suf = bd ? 'B' : body < n ? (char)(last & ~0x20) : 0;
    bool expo = memchr(p, 'e', body) || memchr(p, 'E', body), point = memchr(p, '.', body) != NULL;
    rf_expr *e = NULL;
    char *txt = rf_strndup(p, body);
    if (!txt) { P->rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); return NULL; }
    if (suf == 'D' || suf == 'F' || (!suf && expo)) {   /* a double */
        errno = 0;
        double d = strtod(txt, NULL);
        if (!isfinite(d) || (errno == ERANGE && d != 0)) { P->rc = rf__err_set(RF_ERR_INVALID, "the number %.60s%s is out of range for a double", txt, n > 60 ? "..." : ""); goto err; }
        e = rf_lit_double(d);
    } else if (suf == 'B' || point || expo) {   /* an exact decimal: written out without exponent first */
        rf_buf b = { 0 };
        const char *mant = txt, *ex = strpbrk(txt, "eE");
        size_t mn = ex ? (size_t)(ex - txt) : strlen(txt);
        int64_t shift = 0;
        if (ex && (!rf_parse_int64(ex + 1, strlen(ex + 1), &shift) || shift > 1000 || shift < -1000)) {
            P->rc = rf__err_set(RF_ERR_INVALID, "the number %.60s has more than 38 digits (decimal precision is at most 38)", txt);
            goto err;
        }
        const char *dot = memchr(mant, '.', mn);
        int64_t frac = dot ? (int64_t)(mant + mn - dot - 1) : 0, scale = frac - shift;
        for (size_t k = 0; k < mn; k++) if (mant[k] != '.') rf_buf_put_u8(&b, (uint8_t)mant[k]);
        for (; scale < 0; scale++) rf_buf_put_u8(&b, '0');
        rf_buf_put_u8(&b, 0);
        /* the digits now mean digits * 10^-scale: put the point back */
        rf_buf plain = { 0 };
        int64_t nd = (int64_t)strlen((const char *)b.data);
        if (scale >= nd) { rf_buf_printf(&plain, "0."); for (int64_t k = nd; k < scale; k++) rf_buf_put_u8(&plain, '0'); rf_buf_printf(&plain, "%s", (const char *)b.data); }
        else if (scale > 0) rf_buf_printf(&plain, "%.*s.%s", (int)(nd - scale), (const char *)b.data, (const char *)b.data + nd - scale);
        else rf_buf_printf(&plain, "%s", (const char *)b.data);
        e = plain.data ? rf_lit_decimal((const char *)plain.data) : NULL;
        rf_buf_fini(&b);
        rf_buf_fini(&plain);
        if (!e) { P->rc = rf__err_set(RF_ERR_INVALID, "the number %.60s%s has more than 38 digits (decimal precision is at most 38)", txt, n > 60 ? "..." : ""); goto err; }
    } else {   /* an integer */
        int64_t v;
        bool fits = rf_parse_int64(txt, strlen(txt), &v);
        int64_t lo = suf == 'Y' ? -128 : suf == 'S' ? -32768 : INT64_MIN, hi = suf == 'Y' ? 127 : suf == 'S' ? 32767 : INT64_MAX;
        if (suf && (!fits || v < lo || v > hi)) {
            P->rc = rf__err_set(RF_ERR_INVALID, "the number %.60s%s does not fit its type (%s)", txt, n > 60 ? "..." : "",
                                suf == 'L' ? "bigint" : suf == 'S' ? "smallint" : "tinyint");
            goto err;
        }
        if (fits) e = suf == 'L' || v > INT32_MAX ? rf__expr_lit(&(rf_value){ .type = RF_TYPE_INT64, .v.i = v }) : rf_lit_int(v);
        else if (!(e = rf_lit_decimal(txt))) {   /* past bigint: a decimal, as Spark */
            P->rc = rf__err_set(RF_ERR_INVALID, "the number %.60s%s has more than 38 digits (decimal precision is at most 38)", txt, n > 60 ? "..." : "");
            goto err;
        }
    }
    rf_free(txt);
    if (!e) P->rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    return e;
err:
    rf__err_at(t->line, t->col);
    rf_free(txt);
    return NULL;
}

static rf_expr *p_primary(rf_parser *P)
{
    rf_token t = P->cur;
    if (P->rc) return NULL;
    if (rf__p_at_lambda(P)) return rf__p_lambda(P);
    if (t.t == T_INT || t.t == T_NUM) {
        if ((P->rc = rf__p_adv(P))) return NULL;
        return rf__p_at(number(P, &t), &t);
    }
    if (t.t == T_STRING) {
        char *s = rf__p_string(P);
        rf_expr *e = s ? rf_lit_str(s) : NULL;
        rf_free(s);
        return rf__p_at(e, &t);
    }
    if (rf__p_accept(P, "(")) {
        if (rf__p_is(P, "SELECT") || rf__p_is(P, "WITH") || rf__p_is(P, "VALUES")) {
            q_select *q = rf__p_query(P);
            if (!q) return NULL;
            rf_expr *e = rf__p_at(rf__p_subquery(P, q, 0), &t);
            if (!e) { rf__q_free(q); return NULL; }
            if ((P->rc = rf__p_expect(P, ")"))) return NULL;
            return e;
        }
        rf_expr *e = rf__p_expr_d(P);
        bool named = e && rf__p_is(P, "AS") && (rf__tok_is(&P->toks[P->pos + 2 < P->n_toks ? P->pos + 2 : P->pos], ",") ||
                                               rf__tok_is(&P->toks[P->pos + 2 < P->n_toks ? P->pos + 2 : P->pos], ")"));
        if (e && (rf__p_is(P, ",") || named)) {   /* a row value (a, b, ...): struct(a, b, ...), as Spark reads it; (x AS f, ...) names fields */
            rf_expr *v[256] = { e };
            int n = 1;
            for (;;) {
                if (rf__p_accept(P, "AS")) {
                    char *al = rf__p_ident(P);
                    if (!al) break;
                    v[n - 1] = rf_as(v[n - 1], al);
                    rf_free(al);
                    if (!v[n - 1]) { n--; P->rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); break; }
                }
                if (!rf__p_accept(P, ",")) break;
                if (n == 256) { P->rc = rf__p_error(P, "a row value of more than 256 values"); break; }
                if (!(v[n] = rf__p_expr_d(P))) break;
                n++;
            }
            if (P->rc || (P->rc = rf__p_expect(P, ")"))) { for (int i = 0; i < n; i++) rf_expr_destroy(&v[i]); return NULL; }
            rf_expr *r = rf__expr_new(RF_E_FUNC, n, v);
            if (r) r->op = RF_F_STRUCT;
            return rf__p_at(r, &t);
        }
        if (e && (P->rc = rf__p_expect(P, ")"))) rf_expr_destroy(&e);
        return e;
    }
    if (rf__p_accept(P, "NULL")) return rf__p_at(rf_lit_null(), &t);
    if (rf__p_accept(P, "TRUE")) return rf__p_at(rf_lit_bool(true), &t);
    if (rf__p_accept(P, "FALSE")) return rf__p_at(rf_lit_bool(false), &t);
    if (rf__p_accept(P, "CASE")) return p_case(P, t);
    if (rf__p_is(P, "EXISTS") && rf__tok_is(&P->nxt, "(") && P->pos + 2 < P->n_toks) {   /* exists(array, x -> ...) */
        const rf_token *a = &P->toks[P->pos + 2];
        if (!rf__tok_is(a, "SELECT") && !rf__tok_is(a, "WITH") && !rf__tok_is(a, "VALUES") && !rf__tok_is(a, "(")) {
            char *name = rf_strdup("exists");
            rf__p_adv(P);
            rf__p_adv(P);
            if (!name) { P->rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); return NULL; }
            return rf__p_call(P, name, t);
        }
    }
    if (rf__p_accept(P, "EXISTS")) {
        if ((P->rc = rf__p_expect(P, "("))) return NULL;
        q_select *q = rf__p_query(P);
        if (!q) return NULL;
        rf_expr *e = rf__p_at(rf__p_subquery(P, q, 1), &t);
        if (!e) { rf__q_free(q); return NULL; }
        if ((P->rc = rf__p_expect(P, ")"))) return NULL;
        return e;
    }
    if (rf__p_accept(P, "CAST")) {
        rf_type ty;
        if ((P->rc = rf__p_expect(P, "("))) return NULL;
        rf_expr *e = rf__p_expr_d(P);
        if (!e) return NULL;
        if ((P->rc = rf__p_expect(P, "AS")) || rf__p_type(P, &ty) || (P->rc = rf__p_expect(P, ")"))) { rf_expr_destroy(&e); return NULL; }
        return rf__p_at(rf_cast(e, ty), &t);
    }
    if (rf__p_accept(P, "INTERVAL")) {
        int64_t v;
        bool neg = rf__p_accept(P, "-");
        if (P->cur.t == T_STRING) {
            char *s = rf__p_string(P);
            bool ok = s && rf_parse_int64(s, strlen(s), &v);
            rf_free(s);
            if (!ok) { P->rc = rf__err_set(RF_ERR_INVALID, "INTERVAL needs a whole number"); rf__err_at(t.line, t.col); return NULL; }
        } else if (P->cur.t == T_INT && rf_parse_int64(P->cur.p, (size_t)P->cur.len, &v)) {
            rf__p_adv(P);
        } else { P->rc = rf__p_error(P, "INTERVAL needs a whole number"); return NULL; }
        if (neg) v = -v;
        int64_t per = rf__p_accept(P, "HOUR") || rf__p_accept(P, "HOURS") ? 3600000000LL
                    : rf__p_accept(P, "MINUTE") || rf__p_accept(P, "MINUTES") ? 60000000LL
                    : rf__p_accept(P, "SECOND") || rf__p_accept(P, "SECONDS") ? 1000000LL : 0;
        if (per) {   /* a time interval, in microseconds: for timestamps */
            if (v > INT64_MAX / per || v < -(INT64_MAX / per)) { P->rc = rf__p_error(P, "INTERVAL out of range"); return NULL; }
            rf_expr *n = rf__expr_lit(&(rf_value){ .type = RF_TYPE_INT64, .v.i = v * per }), *f = n ? rf__expr_new(RF_E_FUNC, 1, &n) : NULL;
            if (f) f->op = RF_F_IV_MICROS;
            return rf__p_at(f, &t);
        }
        int64_t days = rf__p_accept(P, "DAY") || rf__p_accept(P, "DAYS") ? 1 : rf__p_accept(P, "WEEK") || rf__p_accept(P, "WEEKS") ? 7 : 0;
        if (days) {   /* days: a number for dates; marked (op 1) so that a timestamp takes it as 24-hour days */
            if (v > INT32_MAX / 7 || v < -(INT32_MAX / 7)) { P->rc = rf__p_error(P, "INTERVAL out of range"); return NULL; }
            rf_expr *n = rf_lit_int(v * days);
            if (n) n->op = 1;
            return rf__p_at(n, &t);
        }
        int64_t months = rf__p_accept(P, "MONTH") || rf__p_accept(P, "MONTHS") ? 1
                       : rf__p_accept(P, "YEAR") || rf__p_accept(P, "YEARS") ? 12 : 0;
        if (months) {
            if (v > INT32_MAX / 12 || v < -(INT32_MAX / 12)) { P->rc = rf__p_error(P, "INTERVAL out of range"); return NULL; }
            rf_expr *n = rf_lit_int(v * months), *f = n ? rf__expr_new(RF_E_FUNC, 1, &n) : NULL;
            if (f) f->op = RF_F_IV_MONTHS;
            return rf__p_at(f, &t);
        }
        P->rc = rf__p_error(P, "only YEAR, MONTH, WEEK, DAY, HOUR, MINUTE and SECOND intervals are supported");
        return NULL;
    }
    if ((rf__p_is(P, "DATE") || rf__p_is(P, "TIMESTAMP")) && P->nxt.t == T_STRING) {
        bool date = rf__p_is(P, "DATE");
        rf__p_adv(P);
        rf_token st = P->cur;
        char *s = rf__p_string(P);
        if (!s) return NULL;
        rf_value v = { .type = date ? RF_TYPE_DATE : RF_TYPE_TIMESTAMP };
        int32_t d;
        bool ok = date ? rf_parse_date(s, strlen(s), &d) : rf_parse_timestamp(s, strlen(s), &v.v.i);
        if (date) v.v.i = d;
        if (!ok) {
            P->rc = rf__err_set(RF_ERR_INVALID, "invalid %s literal '%s'", date ? "DATE" : "TIMESTAMP", s);
            rf__err_at(st.line, st.col);
            rf_free(s);
            return NULL;
        }
        rf_free(s);
        return rf__p_at(rf__expr_lit(&v), &t);
    }
    if (rf__p_accept(P, "*")) {
        rf_expr *e = rf_col("*");
        return rf__p_at(e, &t);
    }
    if ((rf__p_is(P, "LEFT") || rf__p_is(P, "RIGHT") || rf__p_is(P, "WINDOW")) && rf__tok_is(&P->nxt, "(")) {   /* left(s, n), right(s, n), window(ts, d) */
        char *name = rf_strdup(rf__p_is(P, "LEFT") ? "left" : rf__p_is(P, "RIGHT") ? "right" : "window");
        rf__p_adv(P);
        rf__p_adv(P);
        if (!name) { P->rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); return NULL; }
        return rf__p_call(P, name, t);
    }
    bool window_col = rf__p_is(P, "WINDOW") && rf__tok_is(&P->nxt, ".");   /* window.start: the column window() makes */
    if (rf__p_at_ident(P) || window_col) {
        char *name = window_col ? rf__p_ident_any(P) : rf__p_ident(P);
        if (!name) return NULL;
        if (rf__p_accept(P, "(")) return rf__p_call(P, name, t);
        if ((!strcasecmp(name, "current_date") || !strcasecmp(name, "current_timestamp")) && !rf__p_is(P, ".")) {   /* Spark accepts them without () */
            bool date = !strcasecmp(name, "current_date");
            rf_free(name);
            rf_expr *f = rf__expr_new(RF_E_FUNC, 0, NULL);
            if (f) f->op = date ? RF_F_CURRENT_DATE : RF_F_CURRENT_TIMESTAMP;
            return rf__p_at(f, &t);
        }
        if (rf__p_accept(P, ".")) {
            rf_expr *e;
            if (rf__p_accept(P, "*")) e = rf_col("*");
            else {
                char *col = rf__p_ident_any(P);
                if (!col) { rf_free(name); return NULL; }
                e = rf__expr_new(RF_E_COL, 0, NULL);
                if (e) { e->name = col; } else rf_free(col);
            }
            if (e) { rf_free(e->qual); e->qual = name; } else rf_free(name);
            return rf__p_at(e, &t);
        }
        rf_expr *e = rf__expr_new(RF_E_COL, 0, NULL);
        if (e) e->name = name; else rf_free(name);
        return rf__p_at(e, &t);
    }
    P->rc = rf__p_error(P, "expected an expression");
    return NULL;
}

static rf_expr *p_unary(rf_parser *P)
{
    rf_token t = P->cur;
    if (rf__p_is(P, "-") || rf__p_is(P, "+")) {
        if (++P->depth > RF_MAX_SQL_NESTING) { P->rc = rf__p_error(P, "expression nested too deeply (more than %d levels)", RF_MAX_SQL_NESTING); return NULL; }
        rf_expr *e = p_unary_sign(P, t);
        P->depth--;
        return e;
    }
    return rf__p_postfix(P, p_primary(P));
}

static rf_expr *p_unary_sign(rf_parser *P, rf_token t)
{
    if (rf__p_accept(P, "-")) {
        rf_expr *e = p_unary(P);
        if (e && e->kind == RF_E_LIT && !e->lit.null && (e->lit.type == RF_TYPE_INT32 || e->lit.type == RF_TYPE_INT64)) { e->lit.v.i = -e->lit.v.i; return e; }
        if (e && e->kind == RF_E_LIT && e->lit.type == RF_TYPE_DOUBLE) { e->lit.v.d = -e->lit.v.d; return e; }
        return e ? rf__p_at(rf_neg(e), &t) : NULL;
    }
    rf__p_accept(P, "+");
    return p_unary(P);
}

static rf_expr *p_mul(rf_parser *P)
{
    rf_expr *e = p_unary(P);
    while (e) {
        rf_token t = P->cur;
        rf_ekind k = rf__p_is(P, "*") ? RF_E_MUL : rf__p_is(P, "/") ? RF_E_DIV : rf__p_is(P, "%") ? RF_E_MOD : RF_E_KIND_COUNT_;
        if (k == RF_E_KIND_COUNT_) break;
        rf__p_adv(P);
        rf_expr *r = p_unary(P);
        if (!r) { rf_expr_destroy(&e); return NULL; }
        e = bin(k, e, r, &t);
    }
    return e;
}

static rf_expr *p_add(rf_parser *P)
{
    rf_expr *e = p_mul(P);
    while (e) {
        rf_token t = P->cur;
        rf_ekind k = rf__p_is(P, "+") ? RF_E_ADD : rf__p_is(P, "-") ? RF_E_SUB : RF_E_KIND_COUNT_;
        if (k == RF_E_KIND_COUNT_) break;
        rf__p_adv(P);
        rf_expr *r = p_mul(P);
        if (!r) { rf_expr_destroy(&e); return NULL; }
        e = bin(k, e, r, &t);
    }
    return e;
}

/* a || b || c: one concat(a, b, c), however long the chain (as Spark's CombineConcats). */
static rf_expr *p_concat(rf_parser *P)
{
    rf_expr *e = p_add(P);
    if (!e || !rf__p_is(P, "||")) return e;
    chain c = { 0 };
    rf_token t0 = P->cur;
    if (chain_push(P, &c, e, &t0)) return NULL;
    while (rf__p_is(P, "||")) {
        rf_token t = P->cur;
        rf__p_adv(P);
        rf_expr *r = p_add(P);
        if (!r || chain_push(P, &c, r, &t)) { chain_fini(&c); return NULL; }
    }
    if (c.n > INT32_MAX) { chain_fini(&c); P->rc = rf__p_error(P, "too many || terms"); return NULL; }
    e = rf__expr_new(RF_E_FUNC, (int)c.n, c.v);
    c.n = 0;
    chain_fini(&c);
    if (e) e->op = RF_F_CONCAT;
    return rf__p_at(e, &t0);
}

static rf_expr *p_cmp(rf_parser *P)
{
    rf_expr *e = p_concat(P);
    while (e) {
        rf_token t = P->cur;
        static const struct { const char *op; rf_ekind k; } cmps[] = {
            { "=", RF_E_EQ }, { "==", RF_E_EQ }, { "!=", RF_E_NE }, { "<>", RF_E_NE }, { "<", RF_E_LT },
            { "<=", RF_E_LE }, { ">", RF_E_GT }, { ">=", RF_E_GE }, { "<=>", RF_E_EQNS },
        };
        int found = -1;
        for (int i = 0; i < 9; i++) if (rf__p_is(P, cmps[i].op)) found = i;
        if (found >= 0) {
            rf__p_adv(P);
            rf_expr *r = p_concat(P);
            if (!r) { rf_expr_destroy(&e); return NULL; }
            e = bin(cmps[found].k, e, r, &t);
            continue;
        }
        if (rf__p_accept(P, "IS")) {
            bool neg = rf__p_accept(P, "NOT");
            if ((P->rc = rf__p_expect(P, "NULL"))) { rf_expr_destroy(&e); return NULL; }
            e = rf__p_at(neg ? rf_is_not_null(e) : rf_is_null(e), &t);
            continue;
        }
        bool neg = false;
        if (rf__p_is(P, "NOT") && (rf__tok_is(&P->nxt, "IN") || rf__tok_is(&P->nxt, "BETWEEN") || rf__tok_is(&P->nxt, "LIKE") ||
                                   rf__tok_is(&P->nxt, "ILIKE") || rf__tok_is(&P->nxt, "RLIKE") || rf__tok_is(&P->nxt, "REGEXP"))) {
            rf__p_adv(P);
            neg = true;
        }
        if (rf__p_accept(P, "IN")) {
            if ((P->rc = rf__p_expect(P, "("))) { rf_expr_destroy(&e); return NULL; }
            if (rf__p_is(P, "SELECT") || rf__p_is(P, "WITH") || rf__p_is(P, "VALUES")) {
                q_select *q = rf__p_query(P);
                rf_expr *sq = q ? rf__p_subquery(P, q, 2) : NULL;
                if (q && !sq) rf__q_free(q);
                if (!sq || (P->rc = rf__p_expect(P, ")"))) { rf_expr_destroy(&sq); rf_expr_destroy(&e); return NULL; }
                sq->n_arg = 1;
                sq->arg = rf_calloc(1, sizeof *sq->arg);
                if (!sq->arg) { rf_expr_destroy(&sq); rf_expr_destroy(&e); P->rc = RF_ERR_NOMEM; return NULL; }
                sq->arg[0] = e;
                sq->depth = e->depth + 1;
                e = rf__p_at(sq, &t);
                if (neg && e) e = rf__p_at(rf_not(e), &t);
                continue;
            }
            chain c = { 0 };
            if (chain_push(P, &c, e, &t)) return NULL;
            do {
                rf_token it = P->cur;
                rf_expr *x = rf__p_expr_d(P);
                if (!x || chain_push(P, &c, x, &it)) break;
            } while (rf__p_accept(P, ","));
            if (!P->rc) P->rc = rf__p_expect(P, ")");
            if (!P->rc && c.n > INT32_MAX) P->rc = rf__p_error(P, "IN list too long");
            if (P->rc) { chain_fini(&c); return NULL; }
            e = rf__expr_new(RF_E_IN, (int)c.n, c.v);
            c.n = 0;
            chain_fini(&c);
            e = rf__p_at(e, &t);
            if (neg && e) e = rf__p_at(rf_not(e), &t);
            continue;
        }
        if (rf__p_accept(P, "BETWEEN")) {
            rf_expr *lo = p_concat(P), *hi = NULL, *e2 = NULL;
            if (lo && !(P->rc = rf__p_expect(P, "AND"))) hi = p_concat(P);
            if (!hi) { rf_expr_destroy(&lo); rf_expr_destroy(&e); return NULL; }
            if (simple(e)) {   /* x >= lo AND x <= hi: what filters push down and prune row groups with */
                if (rf__expr_copy(e, &e2)) { rf_expr_destroy(&lo); rf_expr_destroy(&hi); rf_expr_destroy(&e); P->rc = RF_ERR_NOMEM; return NULL; }
                rf_expr *ge = bin(RF_E_GE, e, lo, &t), *le = bin(RF_E_LE, e2, hi, &t);
                e = ge && le ? bin(RF_E_AND, ge, le, &t) : NULL;
                if (!e) { rf_expr_destroy(&ge); rf_expr_destroy(&le); return NULL; }
            } else {   /* x evaluated once: a BETWEEN of BETWEENs never doubles */
                rf_expr *v[3] = { e, lo, hi };
                e = rf__p_at(rf__expr_new(RF_E_BETWEEN, 3, v), &t);
            }
            if (neg && e) e = rf__p_at(rf_not(e), &t);
            continue;
        }
        if (rf__p_accept(P, "RLIKE") || rf__p_accept(P, "REGEXP")) {
            rf_expr *pat = p_concat(P);
            if (!pat) { rf_expr_destroy(&e); return NULL; }
            rf_expr *v[2] = { e, pat };
            e = rf__expr_new(RF_E_FUNC, 2, v);
            if (e) e->op = RF_F_RLIKE;
            e = rf__p_at(e, &t);
            if (neg && e) e = rf__p_at(rf_not(e), &t);
            continue;
        }
        bool ilike = rf__p_is(P, "ILIKE");
        if (rf__p_accept(P, "LIKE") || rf__p_accept(P, "ILIKE")) {
            /* x LIKE ANY | SOME | ALL (p, ...): an OR / AND of LIKEs; ILIKE compares lower-cased */
            bool any = rf__p_is(P, "ANY") || rf__p_is(P, "SOME"), all = rf__p_is(P, "ALL");
            rf_expr *pats[1024];
            int np = 0;
            bool lk_list = false;
            if ((any || all) && rf__tok_is(&P->nxt, "(")) {
                lk_list = true;
                rf__p_adv(P);
                rf__p_adv(P);
                do {
                    if (np == 1024) { P->rc = rf__p_error(P, "more than 1024 patterns"); break; }
                    if (!(pats[np] = p_concat(P))) break;
                    np++;
                } while (rf__p_accept(P, ","));
                if (!P->rc) P->rc = rf__p_expect(P, ")");
                if (P->rc || !np) { for (int i = 0; i < np; i++) rf_expr_destroy(&pats[i]); rf_expr_destroy(&e); if (!P->rc) P->rc = RF_ERR_INVALID; return NULL; }
            } else {
                any = true;
                if (!(pats[np++] = p_concat(P))) { rf_expr_destroy(&e); return NULL; }
            }
            bool listed = np > 1 || (np == 1 && lk_list);
            rf_expr *acc = NULL;
            for (int i = 0; i < np; i++) {
                rf_expr *x = NULL;
                if (i + 1 < np) { if (rf__expr_copy(e, &x)) { P->rc = RF_ERR_NOMEM; break; } }
                else { x = e; e = NULL; }
                rf_expr *pt = pats[i];
                pats[i] = NULL;
                if (ilike) { x = rf_fn("lower", 1, x); pt = rf_fn("lower", 1, pt); }
                rf_expr *v[2] = { x, pt }, *l = rf__expr_new(RF_E_FUNC, 2, v);
                if (l) l->op = RF_F_LIKE;
                l = rf__p_at(l, &t);
                if (neg && listed && l) l = rf__p_at(rf_not(l), &t);   /* NOT LIKE ANY: some pattern does not match; NOT LIKE ALL: none matches */
                acc = !acc ? l : rf__p_at(all ? rf_and(acc, l) : rf_or(acc, l), &t);
            }
            for (int i = 0; i < np; i++) rf_expr_destroy(&pats[i]);
            rf_expr_destroy(&e);
            if (P->rc) { rf_expr_destroy(&acc); return NULL; }
            e = acc;
            if (neg && !listed && e) e = rf__p_at(rf_not(e), &t);
            continue;
        }
        if (neg) { P->rc = rf__p_error(P, "expected IN, BETWEEN, LIKE or RLIKE after NOT"); rf_expr_destroy(&e); return NULL; }
        break;
    }
    return e;
}

static rf_expr *p_not(rf_parser *P)
{
    rf_token t = P->cur;
    if (rf__p_accept(P, "NOT") || rf__p_accept(P, "!")) {
        if (++P->depth > RF_MAX_SQL_NESTING) { P->rc = rf__p_error(P, "expression nested too deeply (more than %d levels)", RF_MAX_SQL_NESTING); return NULL; }
        rf_expr *e = p_not(P);
        P->depth--;
        return e ? rf__p_at(rf_not(e), &t) : NULL;
    }
    return p_cmp(P);
}

/* a AND b AND ...: a balanced tree of the terms. */
static rf_expr *p_and(rf_parser *P)
{
    rf_expr *e = p_not(P);
    if (!e || !(rf__p_is(P, "AND") || rf__p_is(P, "&&"))) return e;
    chain c = { 0 };
    if (chain_push(P, &c, e, &P->cur)) return NULL;
    while (rf__p_is(P, "AND") || rf__p_is(P, "&&")) {
        rf_token t = P->cur;
        rf__p_adv(P);
        rf_expr *r = p_not(P);
        if (!r || chain_push(P, &c, r, &t)) { chain_fini(&c); return NULL; }
    }
    e = balanced(RF_E_AND, &c, 0, c.n);
    chain_fini(&c);
    return e;
}

/* a OR b OR ...: a balanced tree of the terms. */
rf_expr *rf__p_expr_d(rf_parser *P)
{
    if (P->rc) return NULL;
    if (++P->depth > RF_MAX_SQL_NESTING) { P->rc = rf__p_error(P, "expression nested too deeply (more than %d levels)", RF_MAX_SQL_NESTING); return NULL; }
    rf_expr *e = p_and(P);
    if (e && rf__p_is(P, "OR")) {
        chain c = { 0 };
        if (chain_push(P, &c, e, &P->cur)) e = NULL;
        while (e && rf__p_is(P, "OR")) {
            rf_token t = P->cur;
            rf__p_adv(P);
            rf_expr *r = p_and(P);
            if (!r || chain_push(P, &c, r, &t)) { e = NULL; break; }
        }
        if (e) e = balanced(RF_E_OR, &c, 0, c.n);
        chain_fini(&c);
    }
    P->depth--;
    if (!e && !P->rc) P->rc = rf__err_slot()->code ? rf__err_slot()->code : RF_ERR_NOMEM;
    return e;
}

rf_expr *rf__p_expr(rf_parser *P)
{
    cur_parser = P;
    rf_expr *e = rf__p_expr_d(P);
    if (!e && !P->rc) P->rc = rf__err_slot()->code ? rf__err_slot()->code : RF_ERR_INVALID;
    return e;
}

rf_expr *rf__p_subquery(rf_parser *P, void *q, int op)
{
    void **v = rf_realloc(P->subs, (size_t)(P->n_subs + 1) * sizeof *v);
    if (!v) { P->rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); return NULL; }
    P->subs = v;
    P->subs[P->n_subs++] = q;
    rf_expr *e = rf__expr_new(RF_E_SUBQUERY, 0, NULL);
    if (!e) { P->rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); return NULL; }
    e->sub = q;
    e->op = op;
    return e;
}

rf_expr *rf__p_operand(rf_parser *P) { return p_concat(P); }
