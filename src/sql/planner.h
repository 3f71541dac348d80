/* planner.h — module-private: the SQL planning context (views, CTE scope) and its entry point. */
#ifndef RF_SQL_PLANNER_H
#define RF_SQL_PLANNER_H
#include "sql/ast.h"

typedef struct rf_sqlview { char *name; rf_df *df; } rf_sqlview;

typedef struct rf_sqlctx {
    rf_session *s;
    rf_sqlview *views;    /* temporary views of the session */
    int         n_views;
    rf_sqlview *ctes;     /* WITH names in scope, innermost last */
    int         n_ctes;
    rf_df      *one_row;  /* the relation SELECT without FROM reads, when available */
} rf_sqlctx;

rf_df *rf__sql_plan(rf_sqlctx *c, const q_select *q);   /* NULL on error (rf__err_slot) */
rf_df *rf__sql_lookup(rf_sqlctx *c, const char *name);
#endif
