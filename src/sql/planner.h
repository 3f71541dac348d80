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
rf_df *rf__df_values(rf_session *s, int64_t rows, int cols, const char *const *names, rf_expr **lits);

/* ---- persistent tables (catalog.c); the parser sits after the statement's leading keywords ---- */
struct rf_parser;
q_select *rf__p_query(struct rf_parser *P);   /* query.c */
rf_df *rf__sql_table(rf_sqlctx *c, const char *name);   /* the catalog table's rows, or NULL (error set unless absent) */
int rf__sql_create_table(rf_sqlctx *c, struct rf_parser *P);
int rf__sql_insert_table(rf_sqlctx *c, struct rf_parser *P, bool overwrite);
int rf__sql_drop_table(rf_sqlctx *c, struct rf_parser *P);
int rf__sql_show_tables(rf_sqlctx *c, rf_df **out);
int rf__sql_describe(rf_sqlctx *c, struct rf_parser *P, rf_df **out);
#endif
