/*
 * lexer.c — tokens of Spark SQL with their line and column: identifiers (`quoted` too), string
 * literals ('...' or "...", with '' and backslash escapes), integer and decimal numbers, operators,
 * keywords; "--" line comments and C-style block comments are skipped. Never reads past the end.
 */
#include <ctype.h>
#include <strings.h>
#include "sql/sql.h"

void rf__lex_init(rf_lexer *lx, const char *src, size_t len)
{
    lx->src = lx->p = src;
    lx->end = src + len;
    lx->line = 1;
    lx->line_start = src;
}

static void adv(rf_lexer *lx)
{
    if (*lx->p == '\n') { lx->line++; lx->line_start = lx->p + 1; }
    lx->p++;
}

static int err_at(rf_lexer *lx, const char *where, const char *what)
{
    /* the line of `where` (it may be behind the lexer, at the start of a literal that ran over lines) */
    int line = lx->line;
    const char *ls = lx->line_start;
    while (where < ls && ls > lx->src) {
        line--;
        ls--;
        while (ls > lx->src && ls[-1] != '\n') ls--;
    }
    int col = (int)(where - ls) + 1;
    rf__err_set(RF_ERR_INVALID, "syntax error: %s", what);
    rf__err_at(line, col);
    return RF_ERR_INVALID;
}

int rf__lex_next(rf_lexer *lx, rf_token *t)
{
    const char *hint = NULL;
    int hint_len = 0, hint_line = 0, hint_col = 0;
    for (;;) {   /* blanks and comments */
        while (lx->p < lx->end && isspace((unsigned char)*lx->p)) adv(lx);
        if (lx->p + 1 < lx->end && lx->p[0] == '-' && lx->p[1] == '-') {
            while (lx->p < lx->end && *lx->p != '\n') adv(lx);
            continue;
        }
        if (lx->p + 1 < lx->end && lx->p[0] == '/' && lx->p[1] == '*') {
            const char *start = lx->p;
            int sl = lx->line;
            const char *sls = lx->line_start;
            adv(lx); adv(lx);
            bool is_hint = lx->p < lx->end && *lx->p == '+';
            int hl = lx->line, hc = (int)(lx->p - lx->line_start) + 2;
            while (lx->p + 1 < lx->end && !(lx->p[0] == '*' && lx->p[1] == '/')) adv(lx);
            if (lx->p + 1 >= lx->end) {
                lx->line = sl; lx->line_start = sls;
                return err_at(lx, start, "unterminated /* comment");
            }
            if (is_hint) { hint = start + 3; hint_len = (int)(lx->p - hint); hint_line = hl; hint_col = hc; }   /* the text after the opening slash-star-plus */
            adv(lx); adv(lx);
            continue;
        }
        break;
    }
    memset(t, 0, sizeof *t);
    t->hint = hint;
    t->hint_len = hint_len;
    t->hint_line = hint_line;
    t->hint_col = hint_col;
    t->p = lx->p;
    t->line = lx->line;
    t->col = (int)(lx->p - lx->line_start) + 1;
    if (lx->p >= lx->end) { t->t = T_EOF; return RF_OK; }
    char c = *lx->p;
    if (isalpha((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80) {
        while (lx->p < lx->end && (isalnum((unsigned char)*lx->p) || *lx->p == '_' || (unsigned char)*lx->p >= 0x80)) adv(lx);
        t->t = T_IDENT;
    } else if (c == '`') {
        adv(lx);
        t->p = lx->p;
        while (lx->p < lx->end && *lx->p != '`' && *lx->p) adv(lx);
        if (lx->p < lx->end && !*lx->p) return err_at(lx, lx->p, "unexpected NUL byte in a quoted identifier");
        if (lx->p >= lx->end) return err_at(lx, t->p - 1, "unterminated `quoted identifier`");
        t->len = (int)(lx->p - t->p);
        adv(lx);
        t->t = T_QIDENT;
        return RF_OK;
    } else if (c == '\'' || c == '"') {
        adv(lx);
        while (lx->p < lx->end) {
            if (!*lx->p || (*lx->p == '\\' && lx->p + 1 < lx->end && !lx->p[1]))
                return err_at(lx, lx->p + (*lx->p ? 1 : 0), "unexpected NUL byte in a string literal");
            if (*lx->p == '\\' && lx->p + 1 < lx->end && lx->p[1] == '0')
                return err_at(lx, lx->p, "a NUL character (\\0) in a string literal is not supported");
            if (*lx->p == '\\' && lx->p + 1 < lx->end) { adv(lx); adv(lx); continue; }
            if (*lx->p == c) {
                if (lx->p + 1 < lx->end && lx->p[1] == c) { adv(lx); adv(lx); continue; }
                break;
            }
            adv(lx);
        }
        if (lx->p >= lx->end) return err_at(lx, t->p, "unterminated string literal");
        adv(lx);
        t->t = T_STRING;
    } else if (isdigit((unsigned char)c) || (c == '.' && lx->p + 1 < lx->end && isdigit((unsigned char)lx->p[1]))) {
        bool dec = false;
        while (lx->p < lx->end && isdigit((unsigned char)*lx->p)) adv(lx);
        if (lx->p < lx->end && *lx->p == '.') { dec = true; adv(lx); while (lx->p < lx->end && isdigit((unsigned char)*lx->p)) adv(lx); }
        if (lx->p < lx->end && (*lx->p == 'e' || *lx->p == 'E')) {
            const char *save = lx->p;
            adv(lx);
            if (lx->p < lx->end && (*lx->p == '+' || *lx->p == '-')) adv(lx);
            if (lx->p < lx->end && isdigit((unsigned char)*lx->p)) { dec = true; while (lx->p < lx->end && isdigit((unsigned char)*lx->p)) adv(lx); }
            else lx->p = save;
        }
        /* Spark suffixes: 10L, 1.5D, 2BD */
        if (lx->p < lx->end && *lx->p && strchr("LlDdSsYyFf", *lx->p) && !(lx->p + 1 < lx->end && isalnum((unsigned char)lx->p[1]))) adv(lx);
        else if (lx->p + 1 < lx->end && (lx->p[0] == 'B' || lx->p[0] == 'b') && (lx->p[1] == 'D' || lx->p[1] == 'd')) { adv(lx); adv(lx); dec = true; }
        if (lx->p < lx->end && (isalpha((unsigned char)*lx->p) || *lx->p == '_')) {
            /* letters after digits: an identifier (2012_s, 1abc), as Spark's lexer takes the longer token;
             * after a decimal point or an exponent, a malformed number */
            if (dec || c == '.') return err_at(lx, t->p, "malformed number");
            while (lx->p < lx->end && (isalnum((unsigned char)*lx->p) || *lx->p == '_')) adv(lx);
            t->t = T_IDENT;
            t->len = (int)(lx->p - t->p);
            return RF_OK;
        }
        t->t = dec ? T_NUM : T_INT;
    } else {
        static const char *ops[] = { "<=>", "->", "==", "!=", "<>", "<=", ">=", "||", "&&", "=", "<", ">", "+", "-", "*", "/", "%",
                                     "(", ")", ",", ".", ";", "[", "]", "!", "~", "&", "|", "^", ":" };
        for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
            size_t n = strlen(ops[k]);
            if ((size_t)(lx->end - lx->p) >= n && memcmp(lx->p, ops[k], n) == 0) {
                for (size_t i = 0; i < n; i++) adv(lx);
                t->t = T_OP;
                t->len = (int)n;
                return RF_OK;
            }
        }
        char what[64];
        if (c == '\0') snprintf(what, sizeof what, "unexpected NUL byte");
        else if ((unsigned char)c < 0x20 || c == 0x7f) snprintf(what, sizeof what, "unexpected control character 0x%02x", (unsigned char)c);
        else snprintf(what, sizeof what, "unexpected character '%c'", c);
        return err_at(lx, lx->p, what);
    }
    t->len = (int)(lx->p - t->p);
    return RF_OK;
}

bool rf__tok_is(const rf_token *t, const char *s)
{
    size_t n = strlen(s);
    if (t->t == T_OP) return (size_t)t->len == n && memcmp(t->p, s, n) == 0;
    if (t->t == T_IDENT) return (size_t)t->len == n && strncasecmp(t->p, s, n) == 0;
    return false;
}
