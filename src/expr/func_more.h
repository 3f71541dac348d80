/*
 * func_more.h — module-private: the second set of built-in scalar functions (func_more.c), called
 * from func.c's typing and evaluation.
 */
#ifndef RF_FUNC_MORE_H
#define RF_FUNC_MORE_H

#include <regex.h>
#include "expr/expr.h"

int  rf__func_type_more(rf_expr *e);
/* Row i of e over its arguments a[] into r; arguments are not NULL unless rf__func_null_tolerant(op). */
int  rf__func_row_more(const rf_expr *e, rf_column **a, int64_t i, rf_column *r);
bool rf__func_null_tolerant(int op);
/* rlike / regexp_extract / regexp_replace over a batch. */
int  rf__func_eval_regex(const rf_expr *e, rf_column **a, int64_t n, rf_column **out);
/* Compiles a Java-style pattern (func.c: \d \s \w and negations become POSIX classes). */
int  rf__regex_compile(const char *p, int64_t n, regex_t *re, const char *fn);
/* UTF-8: code points in p[0..n), the byte offset of code point `chars` (n past the end), and one code
 * point appended to b. */
int64_t rf__u8_len(const char *p, int64_t n);
int64_t rf__u8_off(const char *p, int64_t n, int64_t chars);
void    rf__u8_put(rf_buf *b, uint32_t cp);
/* formats.c: us (UTC) written with a Spark datetime pattern (false for a letter riffle does not know);
 * text read with one (false when it does not match or names no valid time); a JSON path's value
 * appended to r (NULL when there is none), b scratch. */
bool rf__ts_format(int64_t us, const char *f, int64_t fl, rf_buf *b);
bool rf__ts_parse(const char *s, int64_t n, const char *f, int64_t fl, int64_t *out);
int  rf__json_path(rf_column *r, const char *p, int64_t n, const char *path, int64_t pl, rf_buf *b);
/* JSON text: the index past white space from i; past the value at i (-1 when malformed, depth bounds
 * nesting); a string's body (without quotes) with its escapes decoded into b. */
int64_t rf__js_ws(const char *p, int64_t n, int64_t i);
int64_t rf__js_skip(const char *p, int64_t n, int64_t i, int depth);
int     rf__js_unescape(const char *p, int64_t n, rf_buf *b);
/* func_nested.c / json.c: typing and evaluation of arrays, maps, structs and JSON (column at a time). */
int  rf__func_type_nested(rf_expr *e);
int  rf__func_eval_nested(const rf_expr *e, rf_column **a, int64_t n, rf_column **out);
bool rf__func_is_nested(const rf_expr *e);   /* e is evaluated by func_nested.c */
int  rf__json_type(rf_expr *e);
int  rf__json_eval(const rf_expr *e, rf_column **a, int64_t n, rf_column **out);

/* Time windows (func_time.c): typing (window() is rewritten in place) and one row's value. */
int rf__func_type_window(rf_expr *e);
int rf__func_row_window(const rf_expr *e, rf_column **a, int64_t i, rf_column *r);
/* window()'s durations: d[0] size, d[1] slide (= size when not given), d[2] start offset, in µs;
 * an error for a bad or non-positive one, or a slide longer than the window (func_more.c). */
int rf__window_durations(const rf_expr *e, int64_t d[3]);

#endif
