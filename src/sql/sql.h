/*
 * sql.h — the Spark SQL front end: lexer, parser (text -> statements), and the planner that turns
 * statements into the same logical plans the DataFrame API builds (it calls the API).
 *
 * Errors carry the position of the offending token (rf_error line/col); rf__sql_format_error()
 * renders "line L, column C", the source line and a caret.
 */
#ifndef RF_SQL_H
#define RF_SQL_H

#include "core/core.h"
#include "expr/expr.h"
#include "riffle/riffle.h"

/* ---- lexer (lexer.c) ---- */
typedef enum rf_tok {
    T_EOF = 0, T_IDENT, T_QIDENT, T_STRING, T_INT, T_NUM, T_OP, T_KW
} rf_tok;

typedef struct rf_token {
    rf_tok      t;
    const char *p;       /* into the source text */
    int         len;
    int         line, col;
    int         kw;      /* keyword id for T_KW */
    const char *hint;    /* a hint comment right before the token (the text after the opening slash-star-plus), or NULL */
    int         hint_len, hint_line, hint_col;
} rf_token;

typedef struct rf_lexer {
    const char *src, *p, *end;
    int         line;
    const char *line_start;
} rf_lexer;

void rf__lex_init(rf_lexer *lx, const char *src, size_t len);
int  rf__lex_next(rf_lexer *lx, rf_token *out);   /* RF_ERR_INVALID on a bad character or unclosed literal */
bool rf__tok_is(const rf_token *t, const char *op_or_kw);   /* case-insensitive for keywords */

/* ---- statements (parser.c) ---- */
typedef struct rf_sql_session rf_sql_session;
/* Runs every statement of a script; results of SELECTs go to out in the given format.
 * Returns RF_OK or an error (rf__err_slot() holds message and position). */
typedef enum rf_outfmt { RF_OUT_TABLE = 0, RF_OUT_CSV, RF_OUT_JSON } rf_outfmt;
int  rf__sql_run_script(rf_session *s, const char *text, size_t len, rf_outfmt fmt, FILE *out, bool explain_only);
/* Formats the current error against the script text: message, position, source line, caret. */
void rf__sql_format_error(const rf_error *e, const char *text, size_t len, const char *file, FILE *f);

#endif
