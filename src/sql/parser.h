/*
 * parser.h — module-private: the parser's token cursor, shared by parser.c (expressions) and
 * statement.c (queries and statements).
 */
#ifndef RF_SQL_PARSER_H
#define RF_SQL_PARSER_H

#include "sql/sql.h"

typedef struct rf_parser {
    rf_lexer lx;
    rf_token *toks;   /* every token of the text, T_EOF last */
    int64_t  n_toks, pos;
    rf_token prev, cur, nxt;
    int      depth;
    int      rc;      /* sticky error */
    void   **subs;    /* subqueries met inside expressions (q_select *), freed with the statement */
    int      n_subs;
} rf_parser;
/* Registers a subquery for freeing; returns a SUBQUERY expression (op 0 scalar, 1 EXISTS, 2 IN). */
rf_expr *rf__p_subquery(rf_parser *P, void *q, int op);

int      rf__p_init(rf_parser *P, const char *src, size_t len);   /* tokenizes all of src; a lexical error is returned */
void     rf__p_fini(rf_parser *P);
int      rf__p_adv(rf_parser *P);
bool     rf__p_is(rf_parser *P, const char *s);
bool     rf__p_accept(rf_parser *P, const char *s);
int      rf__p_expect(rf_parser *P, const char *s);
int      rf__p_error(rf_parser *P, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char    *rf__p_ident(rf_parser *P);       /* returned-owned; NULL + P->rc on error */
char    *rf__p_ident_any(rf_parser *P);   /* the same, reserved words too (a name after a dot) */
bool     rf__p_at_ident(rf_parser *P);
bool     rf__tok_reserved(const rf_token *t);   /* a keyword that is never a bare name */
char    *rf__p_string(rf_parser *P);      /* returned-owned */
int      rf__p_type(rf_parser *P, rf_type *out);   /* INT, DECIMAL(10,2), VARCHAR(n), ... */
rf_expr *rf__p_expr(rf_parser *P);
rf_expr *rf__p_operand(rf_parser *P);   /* an operand of a comparison: no IN / LIKE / = at its top */
/* parser.c, for parse_call.c: an expression one nesting level down; a new node's position and depth
 * check (NULL with the parser's error set). parse_call.c: a call after its name and "(" (name
 * consumed). */
rf_expr *rf__p_expr_d(rf_parser *P);
rf_expr *rf__p_at(rf_expr *e, const rf_token *t);
rf_expr *rf__p_call(rf_parser *P, char *name, rf_token t0);
/* parse_nested.c: the <...> after ARRAY / MAP / STRUCT in a type; whether a lambda starts here, and
 * the lambda; subscripts and field accesses after an operand (consumes e). */
int      rf__p_type_nested(rf_parser *P, const char *kind, rf_type *out);
bool     rf__p_at_lambda(rf_parser *P);
rf_expr *rf__p_lambda(rf_parser *P);
rf_expr *rf__p_postfix(rf_parser *P, rf_expr *e);

#endif
