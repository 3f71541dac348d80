/*
 * query.c — parsing query blocks: WITH, SELECT lists, FROM with joins and subqueries, WHERE,
 * GROUP BY, HAVING, set operations, ORDER BY and LIMIT, into q_select trees (ast.h).
 */
#include <stdlib.h>
#include <strings.h>
#include "sql/ast.h"
#include "sql/parser.h"

q_select *rf__p_query(rf_parser *P);
int rf__p_window_clause(rf_parser *P, rf_expr **items, int n);

static void free_list(rf_expr **v, int n);

void rf__qfrom_free(q_from *f)
{
    if (!f) return;
    rf_free(f->name);
    rf_free(f->alias);
    rf_free(f->wm_col);
    rf_expr_destroy(&f->wm_delay);
    rf__q_free(f->sub);
    rf__qfrom_free(f->l);
    rf__qfrom_free(f->r);
    rf_expr_destroy(&f->on);
    rf_free(f->using_cols);
    rf_free(f->format);
    for (int64_t i = 0; i < f->vrows * f->vcols; i++) rf_expr_destroy(&f->vals[i]);
    rf_free(f->vals);
    for (int i = 0; i < f->n_colnames; i++) rf_free(f->colnames[i]);
    rf_free(f->colnames);
    free_list(f->pv_aggs, f->n_pv_aggs);
    rf_expr_destroy(&f->pv_col);
    free_list(f->pv_vals, f->n_pv_vals);
    rf_free(f);
}

static void free_list(rf_expr **v, int n)
{
    for (int i = 0; i < n; i++) rf_expr_destroy(&v[i]);
    rf_free(v);
}

void rf__q_free(q_select *q)
{
    if (!q) return;
    rf__q_free(q->left);
    rf__q_free(q->right);
    for (int i = 0; i < q->n_terms; i++) rf__q_free(q->terms[i]);
    rf_free(q->terms);
    rf_free(q->all_before);
    free_list(q->items, q->n_items);
    for (int i = 0; i < q->n_from; i++) rf__qfrom_free(q->from[i]);
    rf_free(q->from);
    rf_expr_destroy(&q->where);
    free_list(q->group, q->n_group);
    for (int i = 0; i < q->n_hints; i++) {
        rf_free(q->hints[i].name);
        for (int k = 0; k < q->hints[i].n_ids; k++) rf_free(q->hints[i].ids[k]);
        rf_free(q->hints[i].ids);
    }
    rf_free(q->hints);
    for (int i = 0; i < q->n_laterals; i++) {
        rf_expr_destroy(&q->laterals[i].gen);
        rf_free(q->laterals[i].table);
        for (int k = 0; k < q->laterals[i].n_cols; k++) rf_free(q->laterals[i].cols[k]);
    }
    rf_free(q->laterals);
    free_list(q->dist, q->n_dist);
    free_list(q->sortw, q->n_sortw);
    rf_free(q->gsets);
    rf_expr_destroy(&q->having);
    free_list(q->order, q->n_order);
    for (int i = 0; i < q->n_ctes; i++) {
        rf_free(q->ctes[i].name);
        rf__q_free(q->ctes[i].q);
        for (int k = 0; k < q->ctes[i].n_cols; k++) rf_free(q->ctes[i].cols[k]);
        rf_free(q->ctes[i].cols);
    }
    rf_free(q->ctes);
    rf_free(q);
}

static int push_expr(rf_expr ***v, int *n, rf_expr *e)
{
    rf_expr **nv = rf_realloc(*v, (size_t)(*n + 1) * sizeof **v);
    if (!nv) { rf_expr_destroy(&e); return rf__err_set(RF_ERR_NOMEM, "out of memory"); }
    *v = nv;
    (*v)[(*n)++] = e;
    return RF_OK;
}

/* An optional alias: AS name, or a bare non-reserved name. */
/* Clause keywords Spark does not reserve, so they could read as an alias: CLUSTER BY,
 * DISTRIBUTE BY, SORT BY, LATERAL VIEW. */
static bool at_clause(rf_parser *P)
{
    return ((rf__p_is(P, "CLUSTER") || rf__p_is(P, "DISTRIBUTE") || rf__p_is(P, "SORT")) && rf__tok_is(&P->nxt, "BY")) ||
           (rf__p_is(P, "LATERAL") && rf__tok_is(&P->nxt, "VIEW")) || (rf__p_is(P, "PIVOT") && rf__tok_is(&P->nxt, "("));
}

static char *p_alias(rf_parser *P)
{
    if (rf__p_accept(P, "AS")) return rf__p_ident(P);
    if (rf__p_at_ident(P) && !at_clause(P)) return rf__p_ident(P);
    return NULL;
}

static q_from *p_from_item(rf_parser *P);
/* item PIVOT (agg [AS name], ... FOR col IN (value [AS name], ...)) [AS alias]: a Q_PIVOT over item
 * (consumed). */
static q_from *p_pivot(rf_parser *P, q_from *item)
{
    q_from *f = rf_calloc(1, sizeof *f);
    if (!f) { rf__qfrom_free(item); P->rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); return NULL; }
    f->kind = Q_PIVOT;
    f->l = item;
    f->line = P->cur.line;
    f->col = P->cur.col;
    rf__p_adv(P);
    rf__p_adv(P);
    do {
        rf_token t = P->cur;
        rf_expr *e = rf__p_expr(P);
        if (!e) goto fail;
        char *al = rf__p_is(P, "FOR") ? NULL : p_alias(P);
        if (al) { e = rf_as(e, al); rf_free(al); if (e) { e->line = t.line; e->col = t.col; } }
        if ((P->rc = push_expr(&f->pv_aggs, &f->n_pv_aggs, e))) goto fail;
    } while (rf__p_accept(P, ","));
    if ((P->rc = rf__p_expect(P, "FOR")) || !(f->pv_col = rf__p_operand(P)) || (P->rc = rf__p_expect(P, "IN")) || (P->rc = rf__p_expect(P, "(")))
        goto fail;
    do {
        rf_token t = P->cur;
        rf_expr *e = rf__p_expr(P);
        if (!e) goto fail;
        char *al = p_alias(P);
        if (al) { e = rf_as(e, al); rf_free(al); if (e) { e->line = t.line; e->col = t.col; } }
        if ((P->rc = push_expr(&f->pv_vals, &f->n_pv_vals, e))) goto fail;
    } while (rf__p_accept(P, ","));
    if ((P->rc = rf__p_expect(P, ")")) || (P->rc = rf__p_expect(P, ")"))) goto fail;
    {
        bool had_as = rf__p_is(P, "AS");
        f->alias = p_alias(P);
        if (had_as && !f->alias) goto fail;
    }
    return f;
fail:
    rf__qfrom_free(f);
    if (!P->rc) P->rc = RF_ERR_INVALID;
    return NULL;
}

/* After VALUES: rows of expressions, `(a, b), (c, d)` or `a, b` (one column), into f (Q_VALUES). f
 * owns whole rows only (vrows x vcols): a row that fails is freed here. */
static int p_values(rf_parser *P, q_from *f)
{
    int64_t cap = 0, n = 0;
    int rc = RF_OK;
    f->kind = Q_VALUES;
    do {
        rf_token t = P->cur;
        int64_t start = n;
        bool paren = rf__p_accept(P, "(");
        do {
            if (n >= 10000000 || rf__grow((void **)&f->vals, &cap, n + 1, sizeof *f->vals)) { rc = P->rc = rf__p_error(P, "too many VALUES"); break; }
            if (!(f->vals[n] = rf__p_expr(P))) { rc = P->rc ? P->rc : RF_ERR_INVALID; break; }
            n++;
            if (paren && rf__p_accept(P, "AS")) {   /* (1 AS one, ...): Spark takes and ignores the name */
                char *al = rf__p_ident(P);
                if (!al) { rc = P->rc ? P->rc : RF_ERR_INVALID; break; }
                rf_free(al);
            }
        } while (paren && rf__p_accept(P, ","));
        if (!rc && paren) rc = P->rc = rf__p_expect(P, ")");
        int cols = (int)(n - start);
        if (!rc && f->vrows > 0 && cols != f->vcols) {
            rc = P->rc = rf__err_set(RF_ERR_ANALYSIS, "VALUES rows must all have %d column%s; this one has %d", f->vcols, f->vcols == 1 ? "" : "s", cols);
            rf__err_at(t.line, t.col);
        }
        if (rc) {   /* the partial row is not f's */
            for (int64_t i = start; i < n; i++) rf_expr_destroy(&f->vals[i]);
            return rc;
        }
        if (f->vrows == 0) f->vcols = cols;
        f->vrows++;
    } while (rf__p_accept(P, ","));
    return RF_OK;
}

/* An optional column list after an alias: (c1, c2, ...). */
static int p_colnames(rf_parser *P, q_from *f)
{
    if (!rf__p_accept(P, "(")) return RF_OK;
    do {
        char *n = rf__p_ident(P);
        if (!n) return P->rc ? P->rc : RF_ERR_INVALID;
        char **v = rf_realloc(f->colnames, (size_t)(f->n_colnames + 1) * sizeof *v);
        if (!v) { rf_free(n); return P->rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); }
        f->colnames = v;
        f->colnames[f->n_colnames++] = n;
    } while (rf__p_accept(P, ","));
    return P->rc = rf__p_expect(P, ")");
}

static q_from *p_from_primary(rf_parser *P)
{
    q_from *f = rf_calloc(1, sizeof *f);
    if (!f) { P->rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); return NULL; }
    f->line = P->cur.line;
    f->col = P->cur.col;
    if (rf__p_accept(P, "VALUES")) {
        if (p_values(P, f)) goto fail;
    } else if (rf__p_accept(P, "(")) {
        if (rf__p_accept(P, "VALUES")) {
            if (p_values(P, f)) goto fail;
        } else if (rf__p_is(P, "SELECT") || rf__p_is(P, "WITH") || rf__p_is(P, "(")) {
            f->kind = Q_SUBQUERY;
            if (!(f->sub = rf__p_query(P))) goto fail;
        } else {   /* a parenthesized join */
            rf__qfrom_free(f);
            if (++P->depth > RF_MAX_SQL_NESTING) { P->rc = rf__p_error(P, "joins nested too deeply (more than %d levels)", RF_MAX_SQL_NESTING); P->depth--; return NULL; }
            f = p_from_item(P);
            P->depth--;
            if (!f) return NULL;
        }
        if ((P->rc = rf__p_expect(P, ")"))) goto fail;
    } else {
        if (rf__p_is(P, "range") && rf__tok_is(&P->nxt, "(")) {   /* range(end | start, end[, step[, partitions]]) */
            rf__p_adv(P);
            rf__p_adv(P);
            f->kind = Q_RANGE;
            f->vrows = 1;
            int64_t cap = 0;
            do {
                if (f->vcols == 4) { P->rc = rf__p_error(P, "range() takes 1 to 4 arguments"); goto fail; }
                if (rf__grow((void **)&f->vals, &cap, f->vcols + 1, sizeof *f->vals)) { P->rc = RF_ERR_NOMEM; goto fail; }
                if (!(f->vals[f->vcols] = rf__p_expr(P))) goto fail;
                f->vcols++;
            } while (rf__p_accept(P, ","));
            if ((P->rc = rf__p_expect(P, ")"))) goto fail;
            goto alias;
        }
        f->kind = Q_TABLE;
        /* STREAM v (Databricks SQL): a view read as a stream; "stream" before a keyword stays a name */
        if (P->cur.t == T_IDENT && rf__p_is(P, "STREAM") && (P->nxt.t == T_QIDENT || (P->nxt.t == T_IDENT && !rf__tok_reserved(&P->nxt) &&
            !rf__tok_is(&P->nxt, "LATERAL") && !rf__tok_is(&P->nxt, "NATURAL") && !rf__tok_is(&P->nxt, "PIVOT")))) {
            rf__p_adv(P);
            f->stream = true;
        }
        bool fmt = (rf__p_is(P, "csv") || rf__p_is(P, "text") || rf__p_is(P, "hdf5")) && rf__tok_is(&P->nxt, ".");
        if (!(f->name = rf__p_ident(P))) goto fail;
        if (fmt && P->nxt.t == T_QIDENT) {   /* csv.`/data/x.csv`: the file itself, Spark's direct query */
            rf__p_adv(P);
            f->format = f->name;
            if (!(f->name = rf__p_ident(P))) goto fail;
        }
        while (!f->format && rf__p_accept(P, ".")) {   /* db.table: the last part names the view */
            char *n = rf__p_ident(P);
            if (!n) goto fail;
            rf_free(f->name);
            f->name = n;
        }
        if (f->stream && rf__p_is(P, "WATERMARK") && (P->nxt.t == T_IDENT || P->nxt.t == T_QIDENT)) {   /* Databricks SQL's watermark clause */
            rf__p_adv(P);
            if (!(f->wm_col = rf__p_ident(P))) goto fail;
            if ((P->rc = rf__p_expect(P, "DELAY")) || (P->rc = rf__p_expect(P, "OF"))) goto fail;
            if (!(f->wm_delay = rf__p_operand(P))) goto fail;
        }
    }
alias:
    if (P->rc) goto fail;
    bool natural_next = rf__p_is(P, "NATURAL") && (rf__tok_is(&P->nxt, "JOIN") || rf__tok_is(&P->nxt, "INNER") ||
                        rf__tok_is(&P->nxt, "LEFT") || rf__tok_is(&P->nxt, "RIGHT") || rf__tok_is(&P->nxt, "FULL"));
    if (!rf__p_is(P, "ON") && !rf__p_is(P, "USING") && !natural_next) {
        bool had_as = rf__p_is(P, "AS");
        f->alias = p_alias(P);
        if (had_as && !f->alias) goto fail;
        if (f->alias && p_colnames(P, f)) goto fail;
    }
    if (f->kind == Q_SUBQUERY && !f->alias) f->alias = rf_strdup("__subquery");
    if (rf__p_is(P, "PIVOT") && rf__tok_is(&P->nxt, "(")) return p_pivot(P, f);
    return f;
fail:
    rf__qfrom_free(f);
    if (!P->rc) P->rc = RF_ERR_INVALID;
    return NULL;
}

static int join_type(rf_parser *P, rf_join_type *t, bool *is_join, bool *natural)
{
    *is_join = true;
    *natural = rf__p_accept(P, "NATURAL");
    if (rf__p_accept(P, "JOIN")) { *t = RF_JOIN_INNER; return RF_OK; }
    if (rf__p_accept(P, "INNER")) { *t = RF_JOIN_INNER; return rf__p_expect(P, "JOIN"); }
    if (rf__p_accept(P, "CROSS")) { *t = RF_JOIN_CROSS; return rf__p_expect(P, "JOIN"); }
    if (rf__p_accept(P, "LEFT")) {
        if (rf__p_accept(P, "SEMI")) *t = RF_JOIN_SEMI;
        else if (rf__p_accept(P, "ANTI")) *t = RF_JOIN_ANTI;
        else { rf__p_accept(P, "OUTER"); *t = RF_JOIN_LEFT; }
        return rf__p_expect(P, "JOIN");
    }
    if (rf__p_accept(P, "RIGHT")) { rf__p_accept(P, "OUTER"); *t = RF_JOIN_RIGHT; return rf__p_expect(P, "JOIN"); }
    if (rf__p_accept(P, "FULL")) { rf__p_accept(P, "OUTER"); *t = RF_JOIN_FULL; return rf__p_expect(P, "JOIN"); }
    if (rf__p_is(P, "SEMI") || rf__p_is(P, "ANTI")) {
        *t = rf__p_is(P, "SEMI") ? RF_JOIN_SEMI : RF_JOIN_ANTI;
        rf__p_adv(P);
        return rf__p_expect(P, "JOIN");
    }
    *is_join = false;
    return *natural ? rf__p_error(P, "expected JOIN after NATURAL") : RF_OK;
}

static q_from *p_from_item(rf_parser *P)
{
    q_from *l = p_from_primary(P);
    while (l) {
        rf_join_type t = RF_JOIN_INNER;
        bool is_join, natural;
        rf_token jt = P->cur;
        if ((P->rc = join_type(P, &t, &is_join, &natural))) { rf__qfrom_free(l); return NULL; }
        if (natural && (t == RF_JOIN_CROSS || t == RF_JOIN_SEMI || t == RF_JOIN_ANTI)) {
            P->rc = rf__err_set(RF_ERR_INVALID, "syntax error: NATURAL goes with [INNER], LEFT, RIGHT or FULL joins");
            rf__err_at(jt.line, jt.col);
            rf__qfrom_free(l);
            return NULL;
        }
        if (!is_join) break;
        q_from *j = rf_calloc(1, sizeof *j), *r = p_from_primary(P);
        if (!j || !r) { rf_free(j); rf__qfrom_free(r); rf__qfrom_free(l); if (!P->rc) P->rc = RF_ERR_NOMEM; return NULL; }
        j->kind = Q_JOIN;
        j->jtype = t;
        j->l = l;
        j->r = r;
        j->line = jt.line;
        j->col = jt.col;
        l = j;
        j->natural = natural;
        if (natural) continue;
        if (rf__p_accept(P, "ON")) {
            if (!(j->on = rf__p_expr(P))) { rf__qfrom_free(l); return NULL; }
        } else if (rf__p_accept(P, "USING")) {
            rf_buf b = { 0 };
            if ((P->rc = rf__p_expect(P, "("))) { rf__qfrom_free(l); return NULL; }
            do {
                char *n = rf__p_ident(P);
                if (!n) { rf_buf_fini(&b); rf__qfrom_free(l); return NULL; }
                rf_buf_printf(&b, "%s%s", b.len ? "," : "", n);
                rf_free(n);
            } while (rf__p_accept(P, ","));
            j->using_cols = rf_strndup((const char *)b.data, b.len);
            rf_buf_fini(&b);
            if ((P->rc = rf__p_expect(P, ")"))) { rf__qfrom_free(l); return NULL; }
        } else if (t == RF_JOIN_SEMI || t == RF_JOIN_ANTI) {
            P->rc = rf__p_error(P, "expected ON or USING after the join");
            rf__qfrom_free(l);
            return NULL;
        }   /* an outer join without a condition joins every pair (ON true), as Spark */
    }
    return l;
}

static int p_order(rf_parser *P, rf_expr ***v, int *n)
{
    do {
        rf_token t = P->cur;
        rf_expr *e = rf__p_expr(P);
        if (!e) return P->rc;
        bool desc = false;
        if (rf__p_accept(P, "DESC")) desc = true;
        else rf__p_accept(P, "ASC");
        rf_expr *s = desc ? rf_desc(e) : rf_asc(e);
        if (!s) return P->rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
        if (rf__p_accept(P, "NULLS")) {
            if (rf__p_accept(P, "FIRST")) s->nulls_first = true;
            else if (rf__p_accept(P, "LAST")) s->nulls_first = false;
            else return P->rc = rf__p_error(P, "expected FIRST or LAST after NULLS");
        }
        s->line = t.line;
        s->col = t.col;
        if ((P->rc = push_expr(v, n, s))) return P->rc;
    } while (rf__p_accept(P, ","));
    return RF_OK;
}

/* Index of e among q's grouping expressions, added when new (e consumed). */
static int group_key(rf_parser *P, q_select *q, rf_expr *e)
{
    for (int i = 0; i < q->n_group; i++)
        if (rf__expr_equal(q->group[i], e)) { rf_expr_destroy(&e); return i; }
    if ((P->rc = push_expr(&q->group, &q->n_group, e))) return -1;
    return q->n_group - 1;
}

typedef struct { uint64_t *v; int64_t n, cap; } setlist;

static int sets_push(rf_parser *P, setlist *l, uint64_t m)
{
    if (l->n >= 4096) return P->rc = rf__p_error(P, "more than 4096 grouping sets");
    if (rf__grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v)) return P->rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
    l->v[l->n++] = m;
    return RF_OK;
}

/* A parenthesized list of grouping expressions, or one expression: the mask of their keys. */
static int p_key_tuple(rf_parser *P, q_select *q, uint64_t *mask)
{
    *mask = 0;
    bool paren = rf__p_is(P, "(") && (rf__tok_is(&P->nxt, ")") || true);
    if (paren) {
        /* (a, b) or () is a tuple; ((a)) or (a + b) * 2 would also start with '(': a tuple of one expression */
        rf__p_adv(P);
        if (rf__p_accept(P, ")")) return RF_OK;
        do {
            rf_expr *e = rf__p_expr(P);
            int k = e ? group_key(P, q, e) : -1;
            if (k < 0) return P->rc ? P->rc : RF_ERR_INVALID;
            if (k >= 64) return P->rc = rf__p_error(P, "more than 64 grouping expressions with GROUPING SETS, ROLLUP or CUBE");
            *mask |= (uint64_t)1 << k;
        } while (rf__p_accept(P, ","));
        return P->rc = rf__p_expect(P, ")");
    }
    rf_expr *e = rf__p_expr(P);
    int k = e ? group_key(P, q, e) : -1;
    if (k < 0) return P->rc ? P->rc : RF_ERR_INVALID;
    if (k >= 64) return P->rc = rf__p_error(P, "more than 64 grouping expressions with GROUPING SETS, ROLLUP or CUBE");
    *mask = (uint64_t)1 << k;
    return RF_OK;
}

/* GROUP BY items: expressions, ROLLUP (...), CUBE (...), GROUPING SETS (...), and a trailing WITH ROLLUP /
 * WITH CUBE. The sets are the cross product of the items' sets (a plain expression is one set of one). */
static int p_group_by(rf_parser *P, q_select *q)
{
    setlist acc = { 0 };
    bool sets = false;
    int rc = sets_push(P, &acc, 0);
    bool many = false;   /* a key past the 64th: fine for a plain GROUP BY, not with sets */
    while (!rc) {
        setlist item = { 0 };
        bool roll = rf__p_is(P, "ROLLUP") && rf__tok_is(&P->nxt, "("), cube = rf__p_is(P, "CUBE") && rf__tok_is(&P->nxt, "(");
        bool gs = rf__p_is(P, "GROUPING") && rf__tok_is(&P->nxt, "SETS");
        if (roll || cube) {
            rf__p_adv(P);
            rf__p_adv(P);
            uint64_t parts[64];
            int np = 0;
            do {
                if (np >= 12 && cube) { rc = P->rc = rf__p_error(P, "CUBE of more than 12 expressions"); break; }
                if (np >= 64) { rc = P->rc = rf__p_error(P, "ROLLUP of more than 64 expressions"); break; }
                if ((rc = p_key_tuple(P, q, &parts[np]))) break;
                np++;
            } while (rf__p_accept(P, ","));
            if (!rc) rc = P->rc = rf__p_expect(P, ")");
            if (roll) {   /* (a, b, c): (a,b,c), (a,b), (a), () */
                for (int k = np; k >= 0 && !rc; k--) {
                    uint64_t m = 0;
                    for (int j = 0; j < k; j++) m |= parts[j];
                    rc = sets_push(P, &item, m);
                }
            } else {      /* every subset, largest first */
                for (int64_t bits = ((int64_t)1 << np) - 1; bits >= 0 && !rc; bits--) {
                    uint64_t m = 0;
                    for (int j = 0; j < np; j++) if (bits >> (np - 1 - j) & 1) m |= parts[j];
                    rc = sets_push(P, &item, m);
                }
            }
            sets = true;
        } else if (gs) {
            rf__p_adv(P);
            rf__p_adv(P);
            if (!(rc = P->rc = rf__p_expect(P, "(")))
                do {
                    uint64_t m;
                    if ((rc = p_key_tuple(P, q, &m)) || (rc = sets_push(P, &item, m))) break;
                } while (rf__p_accept(P, ","));
            if (!rc) rc = P->rc = rf__p_expect(P, ")");
            sets = true;
        } else {
            rf_expr *e = rf__p_expr(P);
            int k = e ? group_key(P, q, e) : -1;
            if (k < 0) rc = P->rc ? P->rc : RF_ERR_INVALID;
            else if (k >= 64) many = true;
            else rc = sets_push(P, &item, (uint64_t)1 << k);
            if (!rc && k >= 64) rc = sets_push(P, &item, 0);
        }
        if (!rc) {   /* acc x item */
            setlist nx = { 0 };
            for (int64_t a = 0; a < acc.n && !rc; a++)
                for (int64_t b = 0; b < item.n && !rc; b++) rc = sets_push(P, &nx, acc.v[a] | item.v[b]);
            rf_free(acc.v);
            acc = nx;
        }
        rf_free(item.v);
        if (rc || !rf__p_accept(P, ",")) break;
    }
    if (!rc && rf__p_is(P, "WITH") && (rf__tok_is(&P->nxt, "ROLLUP") || rf__tok_is(&P->nxt, "CUBE"))) {   /* Hive's GROUP BY a, b WITH ROLLUP */
        rf__p_adv(P);
        bool cube = rf__p_is(P, "CUBE");
        rf__p_adv(P);
        int n = q->n_group;
        if (sets || n > (cube ? 12 : 64)) rc = P->rc = rf__p_error(P, "WITH ROLLUP / CUBE goes with a plain GROUP BY list (at most %d expressions)", cube ? 12 : 64);
        rf_free(acc.v);
        memset(&acc, 0, sizeof acc);
        for (int64_t k = cube ? ((int64_t)1 << n) - 1 : n; k >= 0 && !rc; k--) {
            uint64_t m = 0;
            if (cube) { for (int j = 0; j < n; j++) if (k >> (n - 1 - j) & 1) m |= (uint64_t)1 << j; }
            else for (int j = 0; j < k; j++) m |= (uint64_t)1 << j;
            rc = sets_push(P, &acc, m);
        }
        sets = true;
    }
    if (!rc && sets && many) rc = P->rc = rf__p_error(P, "more than 64 grouping expressions with GROUPING SETS, ROLLUP or CUBE");
    if (!rc && sets) {
        if (acc.n > 4096) rc = P->rc = rf__p_error(P, "more than 4096 grouping sets");
        else { q->gsets = acc.v; q->n_gsets = (int)acc.n; acc.v = NULL; }
    }
    rf_free(acc.v);
    return rc;
}

/* The hints of the hint comment after SELECT: NAME, NAME(n), NAME(a, b), NAME(n, a, ...). */
static int p_hints(rf_parser *P, q_select *q, const rf_token *at)
{
    rf_lexer lx;
    rf_token t;
    rf__lex_init(&lx, at->hint, (size_t)at->hint_len);
    lx.line = at->hint_line;
    int rc = rf__lex_next(&lx, &t);
    while (!rc && t.t != T_EOF) {
        if (t.t == T_OP && t.len == 1 && *t.p == ',') { rc = rf__lex_next(&lx, &t); continue; }
        if (t.t != T_IDENT && t.t != T_KW) { rc = rf__err_set(RF_ERR_INVALID, "syntax error in a hint: expected a hint name"); rf__err_at(t.line, t.col); break; }
        q_hint h = { .num = -1, .line = t.line, .col = t.col };
        h.name = rf_strndup(t.p, (size_t)t.len);
        if (!(rc = rf__lex_next(&lx, &t)) && t.t == T_OP && t.len == 1 && *t.p == '(') {
            while (!(rc = rf__lex_next(&lx, &t)) && !(t.t == T_OP && t.len == 1 && *t.p == ')')) {
                if (t.t == T_OP && t.len == 1 && *t.p == ',') continue;
                if (t.t == T_INT) { int64_t v; if (rf_parse_int64(t.p, (size_t)t.len, &v)) h.num = v; continue; }
                if (t.t == T_IDENT || t.t == T_KW || t.t == T_QIDENT) {
                    char **nv = rf_realloc(h.ids, (size_t)(h.n_ids + 1) * sizeof *nv);
                    if (!nv) { rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); break; }
                    h.ids = nv;
                    h.ids[h.n_ids++] = t.t == T_QIDENT ? rf_strndup(t.p + 1, (size_t)t.len - 2) : rf_strndup(t.p, (size_t)t.len);
                    continue;
                }
                if (t.t == T_EOF) { rc = rf__err_set(RF_ERR_INVALID, "syntax error in a hint: expected )"); rf__err_at(t.line, t.col); break; }
                /* t.x and other column references: the last name counts */
            }
            if (!rc) rc = rf__lex_next(&lx, &t);
        }
        q_hint *nh = rc ? NULL : rf_realloc(q->hints, (size_t)(q->n_hints + 1) * sizeof *nh);
        if (!nh) {
            rf_free(h.name);
            for (int k = 0; k < h.n_ids; k++) rf_free(h.ids[k]);
            rf_free(h.ids);
            if (!rc) rc = rf__err_set(RF_ERR_NOMEM, "out of memory");
            break;
        }
        q->hints = nh;
        q->hints[q->n_hints++] = h;
    }
    return P->rc = rc;
}

static q_select *p_select_core(rf_parser *P)
{
    if (rf__p_accept(P, "(")) {
        q_select *q = rf__p_query(P);
        if (q && (P->rc = rf__p_expect(P, ")"))) { rf__q_free(q); return NULL; }
        return q;
    }
    q_select *q = rf_calloc(1, sizeof *q);
    if (!q) { P->rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); return NULL; }
    q->limit = -1;
    q->line = P->cur.line;
    q->col = P->cur.col;
    if (rf__p_is(P, "VALUES")) {   /* VALUES as a query: SELECT * FROM VALUES ... */
        q_from *f = p_from_primary(P);
        rf_expr *star = f ? rf_col("*") : NULL;
        if (!f || !star || (q->from = rf_calloc(1, sizeof *q->from)) == NULL) { rf__qfrom_free(f); rf_expr_destroy(&star); goto fail; }
        q->from[q->n_from++] = f;
        if ((P->rc = push_expr(&q->items, &q->n_items, star))) goto fail;
        return q;
    }
    if ((P->rc = rf__p_expect(P, "SELECT"))) goto fail;
    if (P->cur.hint && (P->rc = p_hints(P, q, &P->cur))) goto fail;
    if (rf__p_accept(P, "DISTINCT")) q->distinct = true;
    else rf__p_accept(P, "ALL");
    do {
        rf_token t = P->cur;
        rf_expr *e = rf__p_expr(P);
        if (!e) goto fail;
        bool had_as = rf__p_is(P, "AS");
        char *alias = NULL;
        if (had_as && rf__tok_is(&P->nxt, "(") && e->kind == RF_E_FUNC && rf__is_generator(e->op)) {
            /* gen(...) AS (a, b): the generator's columns named, kept as one alias with 0x1f before each name */
            rf_buf nb = { 0 };
            rf__p_adv(P);
            rf__p_adv(P);
            do {
                char *nm = rf__p_ident(P);
                if (!nm) break;
                rf_buf_put_u8(&nb, 0x1f);   /* before each name */
                rf_buf_printf(&nb, "%s", nm);
                rf_free(nm);
            } while (rf__p_accept(P, ","));
            if (P->rc || (P->rc = rf__p_expect(P, ")"))) { rf_buf_fini(&nb); rf_expr_destroy(&e); goto fail; }
            alias = (char *)nb.data;
        } else alias = p_alias(P);
        if (had_as && !alias) { rf_expr_destroy(&e); goto fail; }
        if (alias) {
            if (e->kind == RF_E_COL && !strcmp(e->name, "*")) { rf_free(alias); rf_expr_destroy(&e); P->rc = rf__p_error(P, "* cannot have an alias"); goto fail; }
            e = rf_as(e, alias);
            rf_free(alias);
            if (e) { e->line = t.line; e->col = t.col; }
        }
        if ((P->rc = push_expr(&q->items, &q->n_items, e))) goto fail;
    } while (rf__p_accept(P, ","));
    if (rf__p_accept(P, "FROM")) {
        do {
            q_from *f = p_from_item(P);
            if (!f) goto fail;
            q_from **nf = rf_realloc(q->from, (size_t)(q->n_from + 1) * sizeof *nf);
            if (!nf) { rf__qfrom_free(f); P->rc = RF_ERR_NOMEM; goto fail; }
            q->from = nf;
            q->from[q->n_from++] = f;
        } while (rf__p_accept(P, ","));
    }
    while (rf__p_is(P, "LATERAL") && rf__tok_is(&P->nxt, "VIEW")) {
        q_lateral lv = { .line = P->cur.line, .col = P->cur.col };
        rf__p_adv(P);
        rf__p_adv(P);
        lv.outer = rf__p_accept(P, "OUTER");
        rf_token gt = P->cur;
        if (!(lv.gen = rf__p_expr(P))) goto fail;
        if (lv.gen->kind != RF_E_FUNC || !rf__is_generator(lv.gen->op)) {
            rf_expr_destroy(&lv.gen);
            P->rc = rf__err_set(RF_ERR_ANALYSIS, "LATERAL VIEW needs a generator: explode(), posexplode(), inline() or their _outer forms, or json_tuple()");
            rf__err_at(gt.line, gt.col);
            goto fail;
        }
        bool ok = (lv.table = rf__p_ident(P)) != NULL;
        if (ok && (rf__p_accept(P, "AS") || (rf__p_at_ident(P) && !at_clause(P)))) {
            do {
                if (lv.n_cols == 16) { P->rc = rf__p_error(P, "LATERAL VIEW names at most 16 columns"); ok = false; break; }
                if (!(lv.cols[lv.n_cols] = rf__p_ident(P))) { ok = false; break; }
                lv.n_cols++;
            } while (rf__p_accept(P, ","));
        }
        q_lateral *nl = ok ? rf_realloc(q->laterals, (size_t)(q->n_laterals + 1) * sizeof *nl) : NULL;
        if (!nl) {
            rf_expr_destroy(&lv.gen);
            rf_free(lv.table);
            for (int k = 0; k < lv.n_cols; k++) rf_free(lv.cols[k]);
            if (!P->rc) P->rc = ok ? RF_ERR_NOMEM : RF_ERR_INVALID;
            goto fail;
        }
        q->laterals = nl;
        q->laterals[q->n_laterals++] = lv;
    }
    if (rf__p_accept(P, "WHERE") && !(q->where = rf__p_expr(P))) goto fail;
    if (rf__p_accept(P, "GROUP")) {
        if ((P->rc = rf__p_expect(P, "BY")) || p_group_by(P, q)) goto fail;
    }
    if (rf__p_accept(P, "HAVING") && !(q->having = rf__p_expr(P))) goto fail;
    if (rf__p_window_clause(P, q->items, q->n_items)) goto fail;
    return q;
fail:
    rf__q_free(q);
    if (!P->rc) P->rc = RF_ERR_INVALID;
    return NULL;
}

/* At the set operator in P->cur: parses [ALL | DISTINCT] and the right operand with `operand`, and
 * returns `left op right` (consumes left; NULL and P->rc on error). A UNION whose left side is a
 * UNION chain made here (not one in parentheses) gets one more term instead of another level, so
 * a chain of any length is one node; INTERSECT and EXCEPT nest, at most RF_MAX_SQL_NESTING deep. */
static q_select *set_op(rf_parser *P, q_setop op, q_select *left, bool *left_chain, q_select *(*operand)(rf_parser *))
{
    rf_token t = P->cur;
    rf__p_adv(P);
    bool all = rf__p_accept(P, "ALL");
    if (!all) rf__p_accept(P, "DISTINCT");
    int setops = (left->op == Q_INTERSECT || left->op == Q_EXCEPT ? left->setops : 0) + (op != Q_UNION);
    if (setops > RF_MAX_SQL_NESTING) {
        rf__q_free(left);
        P->rc = rf__err_set(RF_ERR_LIMIT, "syntax error: more than %d INTERSECT / EXCEPT operations in one chain", RF_MAX_SQL_NESTING);
        rf__err_at(t.line, t.col);
        return NULL;
    }
    q_select *r = operand(P);
    if (!r) { rf__q_free(left); if (!P->rc) P->rc = RF_ERR_NOMEM; return NULL; }
    if (op == Q_UNION && *left_chain && left->op == Q_UNION) {
        q_select **nt = rf_realloc(left->terms, (size_t)(left->n_terms + 1) * sizeof *nt);
        if (nt) left->terms = nt;
        bool *na = rf_realloc(left->all_before, (size_t)(left->n_terms + 1) * sizeof *na);
        if (na) left->all_before = na;
        if (!nt || !na || left->n_terms == INT32_MAX) { rf__q_free(r); rf__q_free(left); P->rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); return NULL; }
        left->terms[left->n_terms] = r;
        left->all_before[left->n_terms++] = all;
        return left;
    }
    q_select *s = rf_calloc(1, sizeof *s);
    if (!s) { rf__q_free(r); rf__q_free(left); P->rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); return NULL; }
    s->op = op;
    s->limit = -1;
    s->line = t.line;
    s->col = t.col;
    s->setops = setops;
    if (op == Q_UNION) {
        s->terms = rf_calloc(2, sizeof *s->terms);
        s->all_before = rf_calloc(2, sizeof *s->all_before);
        if (!s->terms || !s->all_before) { rf__q_free(r); rf__q_free(left); rf__q_free(s); P->rc = rf__err_set(RF_ERR_NOMEM, "out of memory"); return NULL; }
        s->terms[0] = left;
        s->terms[1] = r;
        s->all_before[1] = all;
        s->n_terms = 2;
        *left_chain = true;
        return s;
    }
    s->all = all;
    s->left = left;
    s->right = r;
    *left_chain = false;
    return s;
}

/* INTERSECT binds tighter than UNION and EXCEPT, as in Spark and the SQL standard. */
static q_select *p_intersect(rf_parser *P)
{
    q_select *q = p_select_core(P);
    bool chain = false;
    while (q && rf__p_is(P, "INTERSECT")) q = set_op(P, Q_INTERSECT, q, &chain, p_select_core);
    return q;
}

q_select *rf__p_query(rf_parser *P)
{
    q_cte *ctes = NULL;
    int n_ctes = 0;
    if (++P->depth > RF_MAX_SQL_NESTING) { P->rc = rf__p_error(P, "query nested too deeply (more than %d levels)", RF_MAX_SQL_NESTING); P->depth--; return NULL; }
    if (rf__p_accept(P, "WITH")) {
        do {
            char *name = rf__p_ident(P);
            q_select *sub = NULL;
            q_from cl = { 0 };   /* WITH t (c1, c2) AS: the column list */
            if (name && rf__p_is(P, "(")) p_colnames(P, &cl);
            if (!name || P->rc || (P->rc = rf__p_expect(P, "AS")) || (P->rc = rf__p_expect(P, "(")) || !(sub = rf__p_query(P)) ||
                (P->rc = rf__p_expect(P, ")"))) {
                rf_free(name);
                rf__q_free(sub);
                for (int i = 0; i < cl.n_colnames; i++) rf_free(cl.colnames[i]);
                rf_free(cl.colnames);
                goto fail_ctes;
            }
            q_cte *nc = rf_realloc(ctes, (size_t)(n_ctes + 1) * sizeof *nc);
            if (!nc) { rf_free(name); rf__q_free(sub); for (int i = 0; i < cl.n_colnames; i++) rf_free(cl.colnames[i]); rf_free(cl.colnames); P->rc = RF_ERR_NOMEM; goto fail_ctes; }
            ctes = nc;
            ctes[n_ctes++] = (q_cte){ name, sub, cl.colnames, cl.n_colnames };
        } while (rf__p_accept(P, ","));
    }
    q_select *q = p_intersect(P);
    bool chain = false;
    while (q) {
        q_setop op = rf__p_is(P, "UNION") ? Q_UNION : (rf__p_is(P, "EXCEPT") || rf__p_is(P, "MINUS")) ? Q_EXCEPT : Q_PLAIN;
        if (op == Q_PLAIN) break;
        q = set_op(P, op, q, &chain, p_intersect);
    }
    if (!q) goto fail_ctes;
    if (rf__p_accept(P, "ORDER")) {
        if ((P->rc = rf__p_expect(P, "BY")) || p_order(P, &q->order, &q->n_order)) goto fail_q;
    }
    if (rf__p_is(P, "CLUSTER") && rf__tok_is(&P->nxt, "BY")) {   /* CLUSTER BY x: DISTRIBUTE BY x SORT BY x */
        rf__p_adv(P);
        rf__p_adv(P);
        do {
            rf_expr *e = rf__p_expr(P), *c = NULL;
            if (!e || (P->rc = push_expr(&q->dist, &q->n_dist, e))) goto fail_q;
            if (rf__expr_copy(e, &c) || (P->rc = push_expr(&q->sortw, &q->n_sortw, rf_asc(c)))) { if (!P->rc) P->rc = RF_ERR_NOMEM; goto fail_q; }
        } while (rf__p_accept(P, ","));
    } else {
        if (rf__p_is(P, "DISTRIBUTE") && rf__tok_is(&P->nxt, "BY")) {
            rf__p_adv(P);
            rf__p_adv(P);
            do {
                rf_expr *e = rf__p_expr(P);
                if (!e || (P->rc = push_expr(&q->dist, &q->n_dist, e))) goto fail_q;
            } while (rf__p_accept(P, ","));
        }
        if (rf__p_is(P, "SORT") && rf__tok_is(&P->nxt, "BY")) {
            rf__p_adv(P);
            rf__p_adv(P);
            if (p_order(P, &q->sortw, &q->n_sortw)) goto fail_q;
        }
    }
    if (rf__p_accept(P, "LIMIT")) {
        int64_t v;
        if (P->cur.t != T_INT || !rf_parse_int64(P->cur.p, (size_t)P->cur.len, &v)) { P->rc = rf__p_error(P, "LIMIT needs a whole number"); goto fail_q; }
        rf__p_adv(P);
        q->limit = v;
    }
    if (at_clause(P)) {
        P->rc = rf__p_error(P, "%.*s %s is not supported here", P->cur.len, P->cur.p, rf__p_is(P, "LATERAL") ? "VIEW" : "BY");
        goto fail_q;
    }
    q->ctes = ctes;
    q->n_ctes = n_ctes;
    P->depth--;
    return q;
fail_q:
    rf__q_free(q);
fail_ctes:
    for (int i = 0; i < n_ctes; i++) {
        rf_free(ctes[i].name);
        rf__q_free(ctes[i].q);
        for (int k = 0; k < ctes[i].n_cols; k++) rf_free(ctes[i].cols[k]);
        rf_free(ctes[i].cols);
    }
    rf_free(ctes);
    P->depth--;
    if (!P->rc) P->rc = RF_ERR_INVALID;
    return NULL;
}
