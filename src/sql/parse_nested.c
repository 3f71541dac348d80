/*
 * parse_nested.c — the SQL syntax of nested values: ARRAY<T> / MAP<K,V> / STRUCT<a: T, ...> types,
 * subscripts a[i] and m[key], field access s.f, and lambdas x -> ... / (x, i) -> ... for the
 * higher-order functions (transform, filter, aggregate, ...).
 */
#include <stdlib.h>
#include <strings.h>
#include "sql/parser.h"
#include "expr/expr.h"

/* After ARRAY / MAP / STRUCT: the <...> of a nested type. */
int rf__p_type_nested(rf_parser *P, const char *kind, rf_type *out)
{
    int rc = RF_OK;
    if (++P->depth > RF_MAX_SQL_NESTING) { P->depth--; return P->rc = rf__p_error(P, "type nested too deeply"); }
    if (!strcasecmp(kind, "struct") && rf__p_accept(P, "<>")) {   /* struct<>: no fields */
        *out = rf_type_struct(0, NULL, NULL);
        P->depth--;
        return *out == RF_TYPE_NULL ? (P->rc = RF_ERR_NOMEM) : RF_OK;
    }
    if ((rc = rf__p_expect(P, "<"))) goto out;
    if (!strcasecmp(kind, "array")) {
        rf_type e;
        if ((rc = rf__p_type(P, &e)) || (rc = rf__p_expect(P, ">"))) goto out;
        *out = rf_type_array(e);
    } else if (!strcasecmp(kind, "map")) {
        rf_type k, v;
        if ((rc = rf__p_type(P, &k)) || (rc = rf__p_expect(P, ",")) || (rc = rf__p_type(P, &v)) || (rc = rf__p_expect(P, ">"))) goto out;
        if (rf_type_is_nested(k) && rf_type_base(k) == RF_TYPE_MAP) { rc = rf__p_error(P, "a map's keys cannot be maps"); goto out; }
        *out = rf_type_map(k, v);
    } else {
        char *names[256];
        rf_type types[256];
        int n = 0;
        do {
            if (n == 256) { rc = rf__p_error(P, "a struct of more than 256 fields"); break; }
            if (!(names[n] = rf__p_ident(P))) { rc = P->rc; break; }
            rf__p_accept(P, ":");
            if ((rc = rf__p_type(P, &types[n]))) { rf_free(names[n]); break; }
            for (int i = 0; i < n && !rc; i++)
                if (!strcasecmp(names[i], names[n])) rc = rf__p_error(P, "struct field '%s' named twice", names[n]);
            n++;
            if (rf__p_accept(P, "COMMENT") && P->cur.t == T_STRING) rf__p_adv(P);
        } while (!rc && rf__p_accept(P, ","));
        if (!rc) rc = rf__p_expect(P, ">");
        if (!rc) *out = rf_type_struct(n, (const char *const *)names, types);
        for (int i = 0; i < n; i++) rf_free(names[i]);
        if (rc) goto out;
    }
    if (*out == RF_TYPE_NULL) rc = rf__err_slot()->code ? rf__err_slot()->code : RF_ERR_NOMEM;
out:
    P->depth--;
    return P->rc = rc;
}

/* ---------------------------------------------------------------- lambdas */
static bool ident_tok(const rf_token *t) { return t->t == T_IDENT || t->t == T_QIDENT; }

static const rf_token *peek(rf_parser *P, int64_t k) { return &P->toks[P->pos + k < P->n_toks ? P->pos + k : P->n_toks - 1]; }

bool rf__p_at_lambda(rf_parser *P)
{
    if (ident_tok(&P->cur)) return rf__tok_is(&P->nxt, "->");
    if (!rf__p_is(P, "(")) return false;
    for (int64_t k = 1; k < 64; k += 2) {
        if (!ident_tok(peek(P, k))) return false;
        const rf_token *t = peek(P, k + 1);
        if (rf__tok_is(t, ")")) return rf__tok_is(peek(P, k + 2), "->");
        if (!rf__tok_is(t, ",")) return false;
    }
    return false;
}

/* Marks the body's references to the parameters (unqualified names) as lambda variables. */
static void mark_vars(rf_expr *e, rf_expr **params, int np)
{
    if (!e) return;
    if (e->kind == RF_E_COL && !e->qual && e->name) {
        for (int i = 0; i < np; i++) if (!strcasecmp(e->name, params[i]->name)) e->attr = RF_LAMBDA_VAR;
        return;
    }
    for (int i = 0; i < e->n_arg; i++) mark_vars(e->arg[i], params, np);
}

rf_expr *rf__p_lambda(rf_parser *P)
{
    rf_token t = P->cur;
    rf_expr *v[9] = { 0 };   /* body, then up to 8 parameters */
    int np = 0;
    bool paren = rf__p_accept(P, "(");
    do {
        if (np == 8) { P->rc = rf__p_error(P, "a lambda takes at most 8 parameters"); goto fail; }
        char *name = rf__p_ident(P);
        if (!name) goto fail;
        for (int i = 0; i < np; i++)
            if (!strcasecmp(v[1 + i]->name, name)) { P->rc = rf__p_error(P, "lambda parameter '%s' named twice", name); rf_free(name); goto fail; }
        if (!(v[1 + np] = rf__expr_new(RF_E_COL, 0, NULL))) { rf_free(name); P->rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); goto fail; }
        v[1 + np]->name = name;
        v[1 + np]->attr = RF_LAMBDA_VAR;
        np++;
    } while (paren && rf__p_accept(P, ","));
    if ((paren && (P->rc = rf__p_expect(P, ")"))) || (P->rc = rf__p_expect(P, "->"))) goto fail;
    if (!(v[0] = rf__p_expr(P))) goto fail;
    mark_vars(v[0], v + 1, np);
    rf_expr *e = rf__expr_new(RF_E_LAMBDA, 1 + np, v);
    if (!e) { P->rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); return NULL; }
    e->line = t.line;
    e->col = t.col;
    return e;
fail:
    for (int i = 0; i < 9; i++) rf_expr_destroy(&v[i]);
    if (!P->rc) P->rc = RF_ERR_INVALID;
    return NULL;
}

/* ---------------------------------------------------------------- a[i], m[k], s.f */
rf_expr *rf__p_postfix(rf_parser *P, rf_expr *e)
{
    while (e && !P->rc) {
        rf_token t = P->cur;
        rf_expr *a[2] = { e, NULL };
        if (rf__p_accept(P, "[")) {
            if (!(a[1] = rf__p_expr(P)) || (P->rc = rf__p_expect(P, "]"))) { rf_expr_destroy(&a[0]); rf_expr_destroy(&a[1]); return NULL; }
            e = rf__expr_new(RF_E_FUNC, 2, a);
            if (e) e->op = RF_F_SUBSCRIPT;
        } else if (rf__p_is(P, ".") && ident_tok(&P->nxt)) {
            rf__p_adv(P);
            char *f = rf__p_ident_any(P);
            if (!f) { rf_expr_destroy(&a[0]); return NULL; }
            a[1] = rf_lit_str(f);
            rf_free(f);
            e = rf__expr_new(RF_E_FUNC, 2, a);
            if (e) e->op = RF_F_GET_FIELD;
        } else {
            break;
        }
        if (!e) { P->rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); return NULL; }
        e->line = t.line;
        e->col = t.col;
        if (e->depth > RF_MAX_EXPR_DEPTH) {
            P->rc = rf__err_set(RF_ERR_LIMIT, "syntax error: expression nested too deeply (more than %d levels)", RF_MAX_EXPR_DEPTH);
            rf__err_at(t.line, t.col);
            rf_expr_destroy(&e);
            return NULL;
        }
    }
    return e;
}
