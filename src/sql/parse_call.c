/*
 * parse_call.c — function calls in SQL expressions: the argument list, aggregates with DISTINCT /
 * FILTER / WITHIN GROUP, window specifications (OVER (...), named windows of the WINDOW clause),
 * Spark's special forms (TRIM(... FROM ...), SUBSTRING(... FROM ... FOR ...), EXTRACT), and the calls
 * written as other expressions (int(x), if(), nvl2(), json_tuple(), stack(), equal_null()).
 */
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include "sql/parser.h"
#include "sql/ast.h"
#include "expr/expr.h"
#include "expr/udf.h"

static rf_expr *fn2(int op, int n, rf_expr **v)
{
    rf_expr *f = rf__expr_new(RF_E_FUNC, n, v);
    if (f) f->op = op;
    return f;
}

/* SQL's keyword forms: TRIM([BOTH | LEADING | TRAILING] [chars] FROM s), SUBSTRING(s FROM n [FOR m]),
 * POSITION(sub IN s). NULL without an error when the call has the plain form (parsed as usual then;
 * nothing is consumed). */
static rf_expr *p_special_call(rf_parser *P, char *name, rf_token t0)
{
    bool trim = !strcasecmp(name, "trim"), pos = !strcasecmp(name, "position");
    if (trim) {
        int op = RF_F_BTRIM;
        bool kw = false;
        if ((rf__p_is(P, "BOTH") || rf__p_is(P, "LEADING") || rf__p_is(P, "TRAILING")) && !rf__tok_is(&P->nxt, ",") && !rf__tok_is(&P->nxt, ")")) {
            op = rf__p_is(P, "LEADING") ? RF_F_LTRIM : rf__p_is(P, "TRAILING") ? RF_F_RTRIM : RF_F_BTRIM;
            rf__p_adv(P);
            kw = true;
        }
        rf_expr *chars = NULL, *str = NULL;
        if (kw && rf__p_accept(P, "FROM")) {   /* TRIM(LEADING FROM s) */
            if (!(str = rf__p_expr_d(P))) return NULL;
        } else if (kw) {
            if (!(chars = rf__p_expr_d(P))) return NULL;
            if ((P->rc = rf__p_expect(P, "FROM")) || !(str = rf__p_expr_d(P))) { rf_expr_destroy(&chars); return NULL; }
        } else return NULL;   /* trim(s) / trim(chars FROM s) without a keyword: the plain call */
        if ((P->rc = rf__p_expect(P, ")"))) { rf_expr_destroy(&chars); rf_expr_destroy(&str); return NULL; }
        rf_free(name);
        rf_expr *v[2] = { str, chars };   /* Spark: btrim(str, chars), but ltrim / rtrim(chars, str) */
        if (chars && op != RF_F_BTRIM) { v[0] = chars; v[1] = str; }
        return rf__p_at(fn2(op, chars ? 2 : 1, v), &t0);
    }
    /* substring(s FROM n [FOR m]) and position(sub IN s): the first argument (for position below IN,
     * which would read `sub IN s` as a list), then the keyword */
    rf_expr *x = pos ? rf__p_operand(P) : rf__p_expr_d(P);
    if (!x) return NULL;
    if (pos && rf__p_accept(P, "IN")) {
        rf_expr *y = rf__p_expr_d(P);
        if (!y || (P->rc = rf__p_expect(P, ")"))) { rf_expr_destroy(&x); rf_expr_destroy(&y); return NULL; }
        rf_free(name);
        rf_expr *v[2] = { x, y };
        return rf__p_at(fn2(RF_F_LOCATE, 2, v), &t0);
    }
    rf_expr *v[3] = { x, NULL, NULL };
    int n = 1;
    if (rf__p_accept(P, "FROM")) {
        if (!(v[n++] = rf__p_expr_d(P))) { rf_expr_destroy(&x); return NULL; }
        if (rf__p_accept(P, "FOR") && !(v[n++] = rf__p_expr_d(P))) { rf_expr_destroy(&x); rf_expr_destroy(&v[1]); return NULL; }
    } else {
        while (rf__p_accept(P, ",")) {
            if (n >= 3) { P->rc = rf__p_error(P, "substring() takes 2 or 3 arguments"); break; }
            if (!(v[n++] = rf__p_expr_d(P))) break;
        }
        if (P->rc) { for (int i = 0; i < n; i++) rf_expr_destroy(&v[i]); return NULL; }
    }
    if ((P->rc = rf__p_expect(P, ")"))) { for (int i = 0; i < n; i++) rf_expr_destroy(&v[i]); return NULL; }
    rf_free(name);
    return rf__p_at(fn2(pos ? RF_F_LOCATE : RF_F_SUBSTRING, n, v), &t0);
}

/* EXTRACT(field FROM x): the function of that field (year(x), month(x), ...). */
static rf_expr *p_extract(rf_parser *P, char *name, rf_token t0)
{
    static const struct { const char *field; const char *fn; } fields[] = {
        { "YEAR", "year" }, { "YEARS", "year" }, { "Y", "year" }, { "YYYY", "year" }, { "QUARTER", "quarter" },
        { "QTR", "quarter" }, { "MONTH", "month" }, { "MONTHS", "month" }, { "MON", "month" }, { "WEEK", "weekofyear" },
        { "WEEKS", "weekofyear" }, { "W", "weekofyear" }, { "DAY", "dayofmonth" }, { "DAYS", "dayofmonth" }, { "D", "dayofmonth" },
        { "DAYOFWEEK", "dayofweek" }, { "DOW", "dayofweek" }, { "DOY", "dayofyear" }, { "HOUR", "hour" }, { "HOURS", "hour" },
        { "H", "hour" }, { "MINUTE", "minute" }, { "MINUTES", "minute" }, { "M", "minute" }, { "SECOND", "second" },
        { "SECONDS", "second" }, { "S", "second" },
    };
    rf_token ft = P->cur;
    char *field = rf__p_ident(P);
    const char *fn = NULL;
    rf_free(name);
    if (!field) return NULL;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0] && !fn; i++) if (!strcasecmp(field, fields[i].field)) fn = fields[i].fn;
    if (!fn) {
        P->rc = rf__err_set(RF_ERR_ANALYSIS, "EXTRACT: unknown field '%s' (YEAR, QUARTER, MONTH, WEEK, DAY, DAYOFWEEK, DOY, HOUR, MINUTE, SECOND)", field);
        rf__err_at(ft.line, ft.col);
        rf_free(field);
        return NULL;
    }
    rf_free(field);
    if ((P->rc = rf__p_expect(P, "FROM"))) return NULL;
    rf_expr *x = rf__p_expr_d(P);
    if (!x) return NULL;
    if ((P->rc = rf__p_expect(P, ")"))) { rf_expr_destroy(&x); return NULL; }
    rf_expr *f = rf__expr_new(RF_E_FUNC, 1, &x);
    if (f) f->op = rf__func_lookup(fn);
    return rf__p_at(f, &t0);
}

/* A window specification's inside: [PARTITION BY ...] [ORDER BY ...] [frame], appending the keys and
 * orders to (*v)[*n ...) and counting them in *np_ and *no. */
static int p_window_spec(rf_parser *P, rf_expr ***v, int *n, int64_t *vcap, int *np_, int *no, int *frame, int64_t *lo, int64_t *hi)
{
    if (rf__p_accept(P, "PARTITION")) {
        if ((P->rc = rf__p_expect(P, "BY"))) return P->rc ? P->rc : RF_ERR_INVALID;
        do {
            if (*n >= 1000000 || rf__grow((void **)v, vcap, *n + 1, sizeof **v)) { P->rc = rf__p_error(P, "too many window keys"); return P->rc ? P->rc : RF_ERR_INVALID; }
            if (!((*v)[*n] = rf__p_expr_d(P))) return P->rc ? P->rc : RF_ERR_INVALID;
            (*n)++; (*np_)++;
        } while (rf__p_accept(P, ","));
    }
    if (rf__p_accept(P, "ORDER")) {
        if ((P->rc = rf__p_expect(P, "BY"))) return P->rc ? P->rc : RF_ERR_INVALID;
        do {
            if (*n >= 1000000 || rf__grow((void **)v, vcap, *n + 1, sizeof **v)) { P->rc = rf__p_error(P, "too many window keys"); return P->rc ? P->rc : RF_ERR_INVALID; }
            rf_expr *k = rf__p_expr_d(P);
            if (!k) return P->rc ? P->rc : RF_ERR_INVALID;
            bool desc = rf__p_accept(P, "DESC");
            if (!desc) rf__p_accept(P, "ASC");
            rf_expr *o = desc ? rf_desc(k) : rf_asc(k);
            if (o && rf__p_accept(P, "NULLS")) {
                if (rf__p_accept(P, "FIRST")) o->nulls_first = true;
                else if (rf__p_accept(P, "LAST")) o->nulls_first = false;
                else { rf_expr_destroy(&o); P->rc = rf__p_error(P, "expected FIRST or LAST"); return P->rc ? P->rc : RF_ERR_INVALID; }
            }
            (*v)[(*n)++] = o;
            (*no)++;
        } while (rf__p_accept(P, ","));
    }
    if (rf__p_is(P, "ROWS") || rf__p_is(P, "RANGE")) {
        *frame = rf__p_is(P, "ROWS") ? RF_FRAME_ROWS : RF_FRAME_RANGE;
        rf__p_adv(P);
        bool between = rf__p_accept(P, "BETWEEN");
        for (int side = 0; side < (between ? 2 : 1); side++) {
            int64_t bound;
            if (side == 1 && (P->rc = rf__p_expect(P, "AND"))) return P->rc ? P->rc : RF_ERR_INVALID;
            if (rf__p_accept(P, "UNBOUNDED")) {
                if (!rf__p_accept(P, "PRECEDING") && !rf__p_accept(P, "FOLLOWING")) { P->rc = rf__p_error(P, "expected PRECEDING or FOLLOWING"); return P->rc ? P->rc : RF_ERR_INVALID; }
                bound = RF_UNBOUNDED;
            } else if (rf__p_accept(P, "CURRENT")) {
                if ((P->rc = rf__p_expect(P, "ROW"))) return P->rc ? P->rc : RF_ERR_INVALID;
                bound = 0;
            } else if (P->cur.t == T_INT || (*frame != RF_FRAME_ROWS && rf__p_is(P, "INTERVAL"))) {
                int64_t k = 0;
                if (rf__p_accept(P, "INTERVAL")) {   /* RANGE ... INTERVAL 'n' DAY / HOUR / MINUTE / SECOND: microseconds */
                    bool ok = false;
                    if (P->cur.t == T_STRING) { char *t = rf__p_string(P); ok = t && rf_parse_int64(t, strlen(t), &k); rf_free(t); }
                    else if (P->cur.t == T_INT) { ok = rf_parse_int64(P->cur.p, (size_t)P->cur.len, &k); rf__p_adv(P); }
                    int64_t per = rf__p_accept(P, "DAY") || rf__p_accept(P, "DAYS") ? 86400000000LL
                                : rf__p_accept(P, "HOUR") || rf__p_accept(P, "HOURS") ? 3600000000LL
                                : rf__p_accept(P, "MINUTE") || rf__p_accept(P, "MINUTES") ? 60000000LL
                                : rf__p_accept(P, "SECOND") || rf__p_accept(P, "SECONDS") ? 1000000LL : 0;
                    if (!ok || !per || k < 0 || k >= INT64_MAX / 2 / per) {
                        P->rc = rf__p_error(P, "a RANGE frame takes INTERVAL n DAY / HOUR / MINUTE / SECOND (n whole, not negative)");
                        return P->rc ? P->rc : RF_ERR_INVALID;
                    }
                    k *= per;
                    *frame = RF_FRAME_RANGE_IV;
                } else {
                    if (!rf_parse_int64(P->cur.p, (size_t)P->cur.len, &k) || k >= INT64_MAX / 2) {
                        P->rc = rf__p_error(P, "the frame bound is too large");
                        return P->rc ? P->rc : RF_ERR_INVALID;
                    }
                    rf__p_adv(P);
                }
                if (rf__p_accept(P, "PRECEDING")) bound = -k;
                else if (rf__p_accept(P, "FOLLOWING")) bound = k;
                else { P->rc = rf__p_error(P, "expected PRECEDING or FOLLOWING"); return P->rc ? P->rc : RF_ERR_INVALID; }
            } else { P->rc = rf__p_error(P, "expected a frame bound (UNBOUNDED, CURRENT ROW, n PRECEDING / FOLLOWING)"); return P->rc ? P->rc : RF_ERR_INVALID; }
            if (side == 0) *lo = bound; else *hi = bound;
        }
        if (!between) *hi = 0;
        if (*hi == RF_UNBOUNDED) *hi = INT64_MAX;
    }
    return RF_OK;
}

/* json_tuple(json, k0, k1, ...) (consumes v): one row of the keys' values as text (c0, c1, ...), NULL
 * where a key is missing; made of get_json_object with the path $['k'], which takes any key. */
static rf_expr *json_tuple(rf_expr **v, int n)
{
    if (n < 2) {
        for (int i = 0; i < n; i++) rf_expr_destroy(&v[i]);
        rf__err_set(RF_ERR_ANALYSIS, "json_tuple() takes a JSON string and at least one key");
        return NULL;
    }
    rf_expr **fields = rf_calloc((size_t)(2 * (n - 1)), sizeof *fields);
    bool bad = !fields;
    for (int i = 1; i < n && !bad; i++) {
        char nm[24];
        snprintf(nm, sizeof nm, "c%d", i - 1);
        rf_expr *j = NULL;
        if (i + 1 < n) { if (rf__expr_copy(v[0], &j)) bad = true; }
        else { j = v[0]; v[0] = NULL; }
        rf_expr *path = rf_fn("concat", 3, rf_lit_str("$['"), v[i], rf_lit_str("']"));
        v[i] = NULL;
        fields[2 * (i - 1)] = rf_lit_str(nm);
        fields[2 * (i - 1) + 1] = rf_fn("get_json_object", 2, j, path);
        bad |= !fields[2 * (i - 1)] || !fields[2 * (i - 1) + 1];
    }
    for (int i = 0; i < n; i++) rf_expr_destroy(&v[i]);
    rf_expr *st = NULL, *arr = NULL, *gen = NULL;
    if (!bad && (st = rf__expr_new(RF_E_FUNC, 2 * (n - 1), fields))) st->op = RF_F_NAMED_STRUCT;
    else if (fields) for (int i = 0; i < 2 * (n - 1); i++) rf_expr_destroy(&fields[i]);
    rf_free(fields);
    if (st && (arr = rf__expr_new(RF_E_FUNC, 1, &st))) arr->op = RF_F_ARRAY;
    if (arr && (gen = rf__expr_new(RF_E_FUNC, 1, &arr))) gen->op = RF_F_INLINE_OUTER;
    if (!gen) rf__err_set(RF_ERR_NOMEM, "out of memory");
    return gen;
}

/* stack(n, v1, ..., vk) (consumes v): n rows of ceil(k / n) columns col0, col1, ... (NULL where the
 * values run out), as inline(array(named_struct('col0', v1, ...), ...)). */
static rf_expr *stack_gen(rf_expr **v, int n)
{
    const rf_expr *k = n ? v[0] : NULL;
    if (!k || k->kind != RF_E_LIT || k->lit.null || (k->lit.type != RF_TYPE_INT32 && k->lit.type != RF_TYPE_INT64) || k->lit.v.i < 1 || k->lit.v.i > 10000 || n < 2) {
        for (int i = 0; i < n; i++) rf_expr_destroy(&v[i]);
        rf__err_set(RF_ERR_ANALYSIS, "stack() takes a row count (an integer literal from 1) and values");
        return NULL;
    }
    int rows = (int)k->lit.v.i, vals = n - 1, cols = (vals + rows - 1) / rows;
    rf_expr **sv = rf_calloc((size_t)rows, sizeof *sv), **f = rf_calloc((size_t)cols * 2 + 1, sizeof *f);
    bool bad = !sv || !f;
    for (int r = 0; r < rows && !bad; r++) {
        for (int c = 0; c < cols && !bad; c++) {
            char nm[24];
            snprintf(nm, sizeof nm, "col%d", c);
            int at = 1 + r * cols + c;
            f[2 * c] = rf_lit_str(nm);
            f[2 * c + 1] = at < n ? v[at] : rf_lit_null();
            if (at < n) v[at] = NULL;
            bad = !f[2 * c] || !f[2 * c + 1];
        }
        if (!bad && (sv[r] = rf__expr_new(RF_E_FUNC, 2 * cols, f))) sv[r]->op = RF_F_NAMED_STRUCT;
        else bad = true;
    }
    for (int i = 0; i < n; i++) rf_expr_destroy(&v[i]);
    rf_expr *arr = NULL, *gen = NULL;
    if (!bad && (arr = rf__expr_new(RF_E_FUNC, rows, sv))) arr->op = RF_F_ARRAY;
    else if (sv) for (int r = 0; r < rows; r++) rf_expr_destroy(&sv[r]);
    rf_free(sv);
    rf_free(f);
    if (arr && (gen = rf__expr_new(RF_E_FUNC, 1, &arr))) gen->op = RF_F_INLINE;
    if (!gen) rf__err_set(RF_ERR_NOMEM, "out of memory");
    return gen;
}

rf_expr *rf__p_call(rf_parser *P, char *name, rf_token t0)
{
    rf_expr **v = NULL;
    int64_t vcap = 0;
    int n = 0;
    bool distinct = false, star = false;
    int agg = rf__agg_lookup(name);
    if (agg < 0 && rf__name_is_udaf(name)) agg = RF_A_UDAF;   /* a registered aggregate UDF */
    bool approx_distinct = !strcasecmp(name, "approx_count_distinct");   /* an exact count is within any error bound */
    if (approx_distinct) agg = RF_A_COUNT;
    if (!strcasecmp(name, "extract") && rf__p_at_ident(P) && P->nxt.t != T_OP) return p_extract(P, name, t0);
    if (!strcasecmp(name, "trim") || !strcasecmp(name, "substring") || !strcasecmp(name, "substr") || !strcasecmp(name, "position")) {
        rf_expr *sp = p_special_call(P, name, t0);
        if (sp || P->rc) return sp;
    }
    if (rf__p_accept(P, "DISTINCT")) distinct = true;
    else rf__p_accept(P, "ALL");
    if (rf__p_is(P, "*") && agg == RF_A_COUNT) { rf__p_adv(P); star = true; }
    else if (!rf__p_is(P, ")")) {
        do {
            if (n >= 1000000 || rf__grow((void **)&v, &vcap, n + 1, sizeof *v)) { P->rc = rf__p_error(P, "too many arguments"); goto fail; }
            if (!(v[n++] = rf__p_expr_d(P))) { n--; goto fail; }
            if (!strcasecmp(name, "struct") && rf__p_accept(P, "AS")) {   /* struct(x AS name): the field's name */
                char *al = rf__p_ident(P);
                if (!al) goto fail;
                v[n - 1] = rf_as(v[n - 1], al);
                rf_free(al);
                if (!v[n - 1]) { n--; P->rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); goto fail; }
            }
            if (n == 1 && !strcasecmp(name, "trim") && rf__p_accept(P, "FROM")) {   /* TRIM(chars FROM s) */
                if (rf__grow((void **)&v, &vcap, 2, sizeof *v) || !(v[1] = rf__p_expr_d(P))) goto fail;
                rf_expr *tmp = v[0];
                v[0] = v[1];
                v[1] = tmp;
                n = 2;
                rf_free(name);
                name = rf_strdup("btrim");
                break;
            }
        } while (rf__p_accept(P, ","));
    }
    if ((P->rc = rf__p_expect(P, ")"))) goto fail;
    if ((!strcasecmp(name, "percentile_cont") || !strcasecmp(name, "percentile_disc")) && n == 1) {
        /* percentile_cont(p) WITHIN GROUP (ORDER BY x [ASC | DESC]): percentile(x, p); _disc: the exact
         * percentile_approx(x, p) (the value of rank ceil(p n)) */
        bool cont = !strcasecmp(name, "percentile_cont"), desc = false;
        rf_expr *x = NULL;
        if ((P->rc = rf__p_expect(P, "WITHIN")) || (P->rc = rf__p_expect(P, "GROUP")) || (P->rc = rf__p_expect(P, "(")) ||
            (P->rc = rf__p_expect(P, "ORDER")) || (P->rc = rf__p_expect(P, "BY")) || !(x = rf__p_expr_d(P))) goto fail;
        if (rf__p_accept(P, "DESC")) desc = true;
        else rf__p_accept(P, "ASC");
        if ((P->rc = rf__p_expect(P, ")"))) { rf_expr_destroy(&x); goto fail; }
        if (desc && !cont) { rf_expr_destroy(&x); P->rc = rf__err_set(RF_ERR_ANALYSIS, "percentile_disc(...) WITHIN GROUP (ORDER BY ... DESC) is not supported yet"); rf__err_at(t0.line, t0.col); goto fail; }
        if (desc) {   /* the (1 - p) percentile ascending; p a constant, as percentile wants it */
            const rf_expr *pl = v[0];
            bool num = pl->kind == RF_E_LIT && !pl->lit.null;
            double d = !num ? -1 : pl->lit.type == RF_TYPE_DOUBLE ? pl->lit.v.d
                     : rf_type_is_decimal(pl->lit.type) ? rf_dec_to_double(pl->lit.v.x, rf_type_scale(pl->lit.type)) : (double)pl->lit.v.i;
            rf_expr_destroy(&v[0]);
            v[0] = rf_lit_double(d < 0 || d > 1 ? -1 : 1 - d);
        }
        rf_expr *pair[2] = { x, v[0] };
        v[0] = NULL;
        rf_expr *pe_ = rf__expr_new(RF_E_AGG, 2, pair);
        if (pe_) pe_->op = cont ? RF_A_PERCENTILE : RF_A_PERCENTILE_APPROX;
        rf_free(name);
        rf_free(v);
        return rf__p_at(pe_, &t0);
    }
    if (approx_distinct) {
        if (n < 1 || n > 2) { P->rc = rf__err_set(RF_ERR_ANALYSIS, "approx_count_distinct() takes 1 or 2 arguments"); rf__err_at(t0.line, t0.col); goto fail; }
        if (n == 2) rf_expr_destroy(&v[--n]);
        distinct = true;
    }
    if (agg >= 0 && rf__p_is(P, "FILTER") && rf__tok_is(&P->nxt, "(")) {   /* agg(x) FILTER (WHERE c): agg over CASE WHEN c THEN x END */
        rf__p_adv(P);
        rf__p_adv(P);
        rf_expr *c = NULL;
        if ((P->rc = rf__p_expect(P, "WHERE")) || !(c = rf__p_expr_d(P)) || (P->rc = rf__p_expect(P, ")"))) { rf_expr_destroy(&c); goto fail; }
        if (star) {
            if (rf__grow((void **)&v, &vcap, 1, sizeof *v)) { rf_expr_destroy(&c); P->rc = RF_ERR_NOMEM; goto fail; }
            v[0] = rf_lit_int(1);
            n = 1;
            star = false;
            if (!distinct && agg == RF_A_COUNT) { v[0] = rf_case(NULL, 1, c, v[0]); c = NULL; }
        }
        for (int i = 0; i < n && c; i++) {
            rf_expr *ci = NULL;
            if (i + 1 < n) { if (rf__expr_copy(c, &ci)) { rf_expr_destroy(&c); P->rc = RF_ERR_NOMEM; goto fail; } }
            else { ci = c; c = NULL; }
            v[i] = rf_case(NULL, 1, ci, v[i]);
        }
    }
    if (agg == RF_A_COUNT && n > 1) {   /* count(a, b): rows where no argument is NULL; DISTINCT: distinct tuples */
        rf_expr *all = NULL, *key = NULL;
        for (int i = 0; i < n; i++) {
            rf_expr *c2 = NULL;
            if (rf__expr_copy(v[i], &c2)) { rf_expr_destroy(&all); rf_expr_destroy(&key); P->rc = RF_ERR_NOMEM; goto fail; }
            all = all ? rf_and(all, rf_is_not_null(c2)) : rf_is_not_null(c2);
            if (distinct) {   /* length-prefixed text of each value: one string per tuple, never two tuples one string */
                rf_expr *sv = rf_cast(v[i], RF_TYPE_STRING), *s2 = NULL;
                if (rf__expr_copy(sv, &s2)) { rf_expr_destroy(&sv); rf_expr_destroy(&all); rf_expr_destroy(&key); P->rc = RF_ERR_NOMEM; goto fail; }
                rf_expr *part = rf_fn("concat", 3, rf_cast(rf_fn("length", 1, s2), RF_TYPE_STRING), rf_lit_str(":"), sv);
                key = key ? rf_fn("concat", 2, key, part) : part;
            } else rf_expr_destroy(&v[i]);
            v[i] = NULL;
        }
        v[0] = rf_case(NULL, 1, all, distinct ? key : rf_lit_int(1));
        n = 1;
    }
    if (rf__p_accept(P, "OVER")) {
        static const char *wf[] = { "row_number", "rank", "dense_rank", "lag", "lead", "first_value", "last_value", "nth_value" };
        int op = agg;
        for (int i = 0; i < 8; i++) if (!strcasecmp(name, wf[i])) op = RF_W_ROW_NUMBER + i;
        if (op < 0) { P->rc = rf__err_set(RF_ERR_ANALYSIS, "%s() is not a window function", name); rf__err_at(t0.line, t0.col); goto fail; }
        if (distinct) { P->rc = rf__p_error(P, "DISTINCT is not supported in window functions"); goto fail; }
        if (star || (op == RF_A_COUNT && n == 1 && v[0]->kind == RF_E_LIT && !v[0]->lit.null)) { for (int i = 0; i < n; i++) rf_expr_destroy(&v[i]); n = 0; }
        int np_ = 0, no = 0, frame = RF_FRAME_DEFAULT;
        int64_t lo = RF_UNBOUNDED, hi = 0;
        char *wname = NULL;
        if (rf__p_at_ident(P) && !rf__p_is(P, "(")) {   /* OVER w: a window named in the WINDOW clause (filled in there) */
            if (!(wname = rf__p_ident(P))) goto fail;
        } else if ((P->rc = rf__p_expect(P, "(")) || p_window_spec(P, &v, &n, &vcap, &np_, &no, &frame, &lo, &hi) ||
                   (P->rc = rf__p_expect(P, ")"))) {
            if (!P->rc) P->rc = RF_ERR_INVALID;
            goto fail;
        }
        rf_expr *w = rf__expr_new(RF_E_WINDOW, n, v);
        rf_free(name);
        rf_free(v);
        if (!w) { P->rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); return NULL; }
        w->op = op;
        w->n_part = np_;
        w->n_order = no;
        w->frame = frame;
        w->frame_lo = lo;
        w->frame_hi = hi;
        w->qual = wname;   /* a named window: rf__p_named_windows resolves it */
        return rf__p_at(w, &t0);
    }
    rf_expr *e;
    if (agg >= 0) {
        if (star || (agg == RF_A_COUNT && n == 1 && v[0]->kind == RF_E_LIT && !v[0]->lit.null && !distinct)) {
            for (int i = 0; i < n; i++) rf_expr_destroy(&v[i]);
            e = rf_count(NULL);
        } else {
            bool two = agg >= RF_A_COVAR_POP && agg <= RF_A_REGR_R2;   /* covar / corr / regr_*: (x, y) */
            bool pct = agg == RF_A_PERCENTILE || agg == RF_A_PERCENTILE_APPROX || agg == RF_A_FIRST || agg == RF_A_LAST || agg == RF_A_UDAF;   /* arity checked when typed */
            if (!pct && n != (two ? 2 : 1)) { P->rc = rf__err_set(RF_ERR_INVALID, "%s() takes %s", name, two ? "2 arguments" : "one argument"); rf__err_at(t0.line, t0.col); goto fail; }
            if ((two || pct) && distinct) { P->rc = rf__err_set(RF_ERR_INVALID, "%s(DISTINCT ...) is not supported", name); rf__err_at(t0.line, t0.col); goto fail; }
            e = rf__expr_new(RF_E_AGG, n, v);
            if (e) { e->op = agg; e->distinct = distinct; }
            if (e && agg == RF_A_UDAF) { e->qual = name; name = NULL; }
        }
        rf_free(name);
        rf_free(v);
        return rf__p_at(e, &t0);
    }
    if (distinct) { P->rc = rf__p_error(P, "DISTINCT is only allowed in aggregate functions"); goto fail; }
    {   /* Spark's conversion functions: int(x) is CAST(x AS INT), and so on */
        static const char *conv[] = { "int", "integer", "bigint", "smallint", "tinyint", "double", "float", "string", "boolean",
                                      "date", "timestamp", "decimal", "binary", NULL };
        for (int i = 0; conv[i] && n == 1; i++)
            if (!strcasecmp(name, conv[i])) {
                rf_type ty;
                if (!strcasecmp(name, "decimal")) ty = rf_type_decimal(10, 0);
                else if (!strcasecmp(name, "smallint") || !strcasecmp(name, "tinyint") || !strcasecmp(name, "integer")) ty = RF_TYPE_INT32;
                else if (!strcasecmp(name, "float")) ty = RF_TYPE_DOUBLE;
                else if (!strcasecmp(name, "binary")) ty = RF_TYPE_STRING;
                else if (rf_type_parse(name, &ty)) break;
                e = rf_cast(v[0], ty);
                rf_free(name);
                rf_free(v);
                return rf__p_at(e, &t0);
            }
        if (!strcasecmp(name, "mod") && n == 2) {   /* mod(a, b): a % b */
            rf_expr *pair[2] = { v[0], v[1] };
            e = rf__expr_new(RF_E_MOD, 2, pair);
            rf_free(name);
            rf_free(v);
            return rf__p_at(e, &t0);
        }
        if (!strcasecmp(name, "if") && n == 3) {   /* if(c, a, b): CASE WHEN c THEN a ELSE b END */
            e = rf_case(v[2], 1, v[0], v[1]);
            rf_free(name);
            rf_free(v);
            return rf__p_at(e, &t0);
        }
        if (!strcasecmp(name, "equal_null") && n == 2) {   /* equal_null(a, b): a <=> b */
            e = rf_eq_null_safe(v[0], v[1]);
            rf_free(name);
            rf_free(v);
            return rf__p_at(e, &t0);
        }
        if (!strcasecmp(name, "stack")) {   /* a generator: inline(array(named_struct('col0', a1, ...), ...)) */
            e = stack_gen(v, n);
            rf_free(name);
            rf_free(v);
            if (!e && !P->rc) P->rc = rf__err_slot()->code ? rf__err_slot()->code : RF_ERR_NOMEM;
            if (!e) rf__err_at(t0.line, t0.col);
            return e ? rf__p_at(e, &t0) : NULL;
        }
        if (!strcasecmp(name, "json_tuple")) {   /* a generator: inline_outer(array(named_struct('c0', get_json_object(j, '$.k0'), ...))) */
            e = json_tuple(v, n);
            rf_free(name);
            rf_free(v);
            if (!e && !P->rc) P->rc = rf__err_slot()->code ? rf__err_slot()->code : RF_ERR_NOMEM;
            if (!e) rf__err_at(t0.line, t0.col);
            return e ? rf__p_at(e, &t0) : NULL;
        }
        if (!strcasecmp(name, "nvl2") && n == 3) {   /* nvl2(x, a, b): a when x is not NULL, else b */
            e = rf_case(v[2], 1, rf_is_not_null(v[0]), v[1]);
            rf_free(name);
            rf_free(v);
            return rf__p_at(e, &t0);
        }
    }
    e = rf__expr_new(RF_E_FUNC, n, v);
    if (e) { e->op = rf__func_lookup(name); if (e->op < 0) { e->qual = name; name = NULL; } }   /* qual: the unknown name, for the error */
    rf_free(name);
    rf_free(v);
    return rf__p_at(e, &t0);
fail:
    for (int i = 0; i < n; i++) rf_expr_destroy(&v[i]);
    rf_free(v);
    rf_free(name);
    return NULL;
}

/* A number literal, typed as Spark types it, with its exact value or an error (never a silently
 * changed one): 1 int, 3000000000 bigint, past bigint an exact decimal; 1.50 and 2BD exact
 * decimals (5e36BD too); 1e3, 1.5D, 1.5F doubles; 10L bigint, 10S / 10Y small integers (as int).
 * A decimal of more than 38 digits, an integer past its type and a double past its range are
 * errors. */
/* ---------------------------------------------------------------- named windows */
typedef struct { char *name; rf_expr **v; int n, np_, no, frame; int64_t vcap, lo, hi; } wdef;

/* Fills the windows of e named `OVER w` from the definitions d[0..nd). */
static int fill_windows(rf_parser *P, rf_expr *e, const wdef *d, int nd)
{
    if (!e) return RF_OK;
    if (e->kind == RF_E_WINDOW && e->qual) {
        const wdef *w = NULL;
        for (int i = 0; i < nd && !w; i++) if (!strcasecmp(d[i].name, e->qual)) w = &d[i];
        if (!w) {
            P->rc = rf__err_set(RF_ERR_ANALYSIS, "window '%s' is not defined (WINDOW %s AS (...))", e->qual, e->qual);
            rf__err_at(e->line, e->col);
            return P->rc;
        }
        rf_expr **na = rf_realloc(e->arg, (size_t)(e->n_arg + w->n + 1) * sizeof *na);
        if (!na) return P->rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
        e->arg = na;
        for (int i = 0; i < w->n; i++) {
            if (rf__expr_copy(w->v[i], &e->arg[e->n_arg])) return P->rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
            e->n_arg++;
        }
        e->n_part = w->np_;
        e->n_order = w->no;
        e->frame = w->frame;
        e->frame_lo = w->lo;
        e->frame_hi = w->hi;
        RF_FREE(e->qual);
        return RF_OK;
    }
    for (int i = 0; i < e->n_arg; i++) { int rc = fill_windows(P, e->arg[i], d, nd); if (rc) return rc; }
    return RF_OK;
}

/* The WINDOW clause (WINDOW w AS (spec), ...), if there, and the windows of items[0..n) it names. */
int rf__p_window_clause(rf_parser *P, rf_expr **items, int n)
{
    wdef *d = NULL;
    int nd = 0, rc = RF_OK;
    if (rf__p_accept(P, "WINDOW")) {
        do {
            wdef *nw = rf_realloc(d, (size_t)(nd + 1) * sizeof *nw);
            if (!nw) { rc = P->rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); break; }
            d = nw;
            memset(&d[nd], 0, sizeof d[nd]);
            d[nd].frame = RF_FRAME_DEFAULT;
            d[nd].lo = RF_UNBOUNDED;
            nd++;
            if (!(d[nd - 1].name = rf__p_ident(P)) || (P->rc = rf__p_expect(P, "AS")) || (P->rc = rf__p_expect(P, "(")) ||
                p_window_spec(P, &d[nd - 1].v, &d[nd - 1].n, &d[nd - 1].vcap, &d[nd - 1].np_, &d[nd - 1].no, &d[nd - 1].frame,
                              &d[nd - 1].lo, &d[nd - 1].hi) ||
                (P->rc = rf__p_expect(P, ")"))) { rc = P->rc ? P->rc : RF_ERR_INVALID; break; }
        } while (rf__p_accept(P, ","));
    }
    for (int i = 0; i < n && !rc; i++) rc = fill_windows(P, items[i], d, nd);
    for (int i = 0; i < nd; i++) {
        rf_free(d[i].name);
        for (int k = 0; k < d[i].n; k++) rf_expr_destroy(&d[i].v[k]);
        rf_free(d[i].v);
    }
    rf_free(d);
    return rc;
}

