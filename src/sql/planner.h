/* planner.h — module-private: the SQL planning context (views, CTE scope) and its entry point. */
#ifndef RF_SQL_PLANNER_H
#define RF_SQL_PLANNER_H
#include "sql/ast.h"

/* A view; one defined USING csv / text also keeps its source (format, reader options with path=),
 * so that FROM STREAM v can read it as a stream. */
typedef struct rf_sqlview { char *name; rf_df *df; char *sfmt, *sopts; } rf_sqlview;

/*
 * A script is read in passes. CHECK parses and analyzes every statement and runs nothing, so an
 * error anywhere stops the script before anything is touched; then RUN executes the statements in
 * order. EXPLAIN (riffle explain) is a CHECK that prints each query's plans.
 * During CHECK nothing is written, so what earlier statements would write is modelled: the paths
 * they write (a view over one is analyzed when it runs: its relation is "deferred", an
 * RF_ERR_DEFERRED DataFrame) and the tables they create or drop (catalog.c's shadow entries).
 */
typedef enum rf_sqlmode { RF_SQL_RUN = 0, RF_SQL_CHECK, RF_SQL_EXPLAIN } rf_sqlmode;
struct rf_shadow;

typedef struct rf_sqlctx {
    rf_session *s;
    rf_sqlmode  mode;
    char      **written;  /* CHECK / EXPLAIN: normalized paths earlier statements write */
    int         n_written;
    struct rf_shadow *shadow;   /* CHECK / EXPLAIN: tables earlier statements create or drop (catalog.c) */
    int         n_shadow;
    FILE       *out;      /* where results and plans print (rank 0) */
    rf_outfmt   fmt;
    rf_sqlview *views;    /* temporary views of the session */
    int         n_views;
    rf_sqlview *ctes;     /* WITH names in scope, innermost last */
    int         n_ctes;
    rf_df      *one_row;  /* the relation SELECT without FROM reads, when available */
    const q_hint *hints;  /* the hints of the query block whose FROM items are being planned (BROADCAST) */
    int         n_hints;
} rf_sqlctx;

rf_df *rf__sql_plan(rf_sqlctx *c, const q_select *q);   /* NULL on error (rf__err_slot) */
rf_df *rf__sql_lookup(rf_sqlctx *c, const char *name);
rf_df *rf__sql_rename(rf_df *d, int n, char *const *names, const char *alias, int line, int col);
rf_df *rf__df_values(rf_session *s, int64_t rows, int cols, const char *const *names, rf_expr **lits);
rf_df *rf__df_deferred(rf_session *s, const char *what);   /* a relation analyzed only when the script runs */
/* CHECK / EXPLAIN: records that the script writes path; whether an earlier statement writes path
 * (the same path, or one inside the other). */
int  rf__sql_note_write(rf_sqlctx *c, const char *path);
bool rf__sql_written(const rf_sqlctx *c, const char *path);
/* Runs the checks an action would make before running (optimizer, physical planning) without
 * running anything (CHECK), or prints the plans (EXPLAIN) under an optional header line. */
int rf__sql_check_df(rf_sqlctx *c, rf_df *d, const char *header);
void rf__sql_shadow_free(rf_sqlctx *c);   /* catalog.c */

/* ---- persistent tables (catalog.c); the parser sits after the statement's leading keywords ---- */
struct rf_parser;
q_select *rf__p_query(struct rf_parser *P);   /* query.c */
rf_df *rf__sql_table(rf_sqlctx *c, const char *name);   /* the catalog table's rows, or NULL (error set unless absent) */
int rf__sql_create_table(rf_sqlctx *c, struct rf_parser *P);
int rf__sql_insert_table(rf_sqlctx *c, struct rf_parser *P, bool overwrite);
/* OPTIONS (key 'value', key = value, ...) as parsed (statement.c); freed by rf__kv_free. */
typedef struct rf_kvlist { char **k, **v; int n; } rf_kvlist;
int  rf__p_options(struct rf_parser *P, rf_kvlist *out);
void rf__kv_free(rf_kvlist *l);
/* A streaming query d written to directory path as fmt (csv, hdf5) with the statement's OPTIONS
 * (checkpointLocation, outputMode, trigger, ...): run until its trigger ends it or a stop signal,
 * or only checked in a CHECK pass (statement.c). */
int  rf__sql_insert_stream(rf_sqlctx *c, rf_df *d, const char *path, const char *fmt, const rf_kvlist *opts, int line, int col);
int rf__sql_drop_table(rf_sqlctx *c, struct rf_parser *P);
int rf__sql_show_tables(rf_sqlctx *c, rf_df **out);
int rf__sql_show_functions(rf_sqlctx *c, struct rf_parser *P, rf_df **out);   /* SHOW FUNCTIONS [LIKE 'p'] */
int rf__sql_describe(rf_sqlctx *c, struct rf_parser *P, rf_df **out);
#endif
