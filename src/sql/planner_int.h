/*
 * planner_int.h — module-private: what planner.c (query blocks, FROM items, aggregation) and
 * subquery.c (subqueries as joins) share.
 */
#ifndef RF_PLANNER_INT_H
#define RF_PLANNER_INT_H

#include "sql/ast.h"
#include "sql/planner.h"

rf_df   *rf__sqlp_plan_query(rf_sqlctx *c, const q_select *q);
rf_df   *rf__sqlp_plan_from(rf_sqlctx *c, const q_from *f);
rf_df   *rf__sqlp_set_op(rf_sqlctx *c, const q_select *q);
rf_df   *rf__df_union_all_n(rf_df **d, int n);   /* runtime/dataframe_ops.c: one union of n inputs */   /* a UNION / INTERSECT / EXCEPT block (planner_setop.c) */
rf_expr *rf__sqlp_copy(const rf_expr *e);   /* a copy of e (NULL on OOM, the error set) */
/* Sets the error (fmt with a and b) at line / col; returns NULL. */
rf_df   *rf__sqlp_err_at(int line, int col, int code, const char *fmt, const char *a, const char *b);
/* d, or NULL with the session's error moved into the error slot when d failed. */
rf_df   *rf__sqlp_df_error(rf_df *d);
bool     rf__sqlp_has_agg(const rf_expr *e);
char    *rf__sqlp_display(const rf_expr *e);
void     rf__sqlp_free_v(rf_expr **v, int n);

/* subquery.c */
bool     rf__sqlp_has_subquery(const rf_expr *e);
/* WHERE (or HAVING) with subqueries: joins for [NOT] EXISTS / IN conjuncts, scalar subqueries joined
 * in, a filter for the rest; the result has d's columns only. */
rf_df   *rf__sqlp_where_with_subqueries(rf_sqlctx *c, rf_df *d, const rf_expr *where);
/* The scalar subqueries of *pe joined to d and replaced by their value columns. */
rf_df   *rf__sqlp_scalar_lift(rf_sqlctx *c, rf_df *d, rf_expr **pe);
/* d with the columns of `want` only, in its order (d itself when nothing was added). */
rf_df   *rf__sqlp_only_columns_of(rf_df *d, const rf_schema *want);

/* Whether hint h is named a (or b, or cc), case-insensitively. */
bool rf__sqlp_hint_is(const q_hint *h, const char *a, const char *b, const char *cc);

int rf__sqlp_struct_width(const rf_schema *s);

#endif
