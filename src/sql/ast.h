/*
 * ast.h — module-private: the parsed form of a query, between parser.c and planner.c.
 * Expressions are rf_expr trees straight away (unresolved, with source positions); only the
 * query block structure needs its own nodes.
 */
#ifndef RF_SQL_AST_H
#define RF_SQL_AST_H

#include "sql/sql.h"

typedef struct q_select q_select;

typedef enum { Q_TABLE = 0, Q_SUBQUERY, Q_JOIN, Q_VALUES, Q_RANGE, Q_PIVOT } q_fromkind;

typedef struct q_from {
    q_fromkind     kind;
    char          *name;        /* TABLE (with format: the path) */
    char          *format;      /* TABLE read straight from a path: csv.`path`, text.`...`, hdf5.`...` */
    char          *alias;
    bool           stream;      /* TABLE: FROM STREAM v, the view read as a stream (runtime/stream.c) */
    char          *wm_col;      /* STREAM v WATERMARK col DELAY OF interval: the event-time column */
    rf_expr       *wm_delay;    /* ... and the delay (an INTERVAL or a string such as '10 minutes') */
    q_select      *sub;         /* SUBQUERY */
    struct q_from *l, *r;       /* JOIN */
    rf_join_type   jtype;
    rf_expr       *on;
    char          *using_cols;  /* "a,b" */
    bool           natural;     /* NATURAL JOIN: USING the columns both sides name */
    rf_expr      **vals;        /* VALUES: vrows x vcols expressions, row-major; RANGE: its 1 to 4 arguments (vcols) */
    int64_t        vrows;
    int            vcols;
    char         **colnames;    /* AS alias(c1, c2, ...): new names for the item's columns */
    /* PIVOT (aggs FOR col IN (vals)) over item l */
    rf_expr      **pv_aggs;     /* aggregates, each maybe aliased */
    int            n_pv_aggs;
    rf_expr       *pv_col;
    rf_expr      **pv_vals;     /* constants, each maybe aliased */
    int            n_pv_vals;
    int            n_colnames;
    int            line, col;
} q_from;

/* A hint (Spark's comment after SELECT that starts with a plus): NAME(args). */
typedef struct q_hint {
    char    *name;
    char   **ids;     /* identifier arguments (tables, columns) */
    int      n_ids;
    int64_t  num;     /* the number argument, -1 when none */
    int      line, col;
} q_hint;

typedef struct q_cte { char *name; q_select *q; char **cols; int n_cols; } q_cte;

/* LATERAL VIEW [OUTER] generator(args) table [AS] col [, col]: after the FROM items, in order. */
typedef struct q_lateral {
    rf_expr *gen;
    bool     outer;
    char    *table;
    char    *cols[16];
    int      n_cols;
    int      line, col;
} q_lateral;

typedef enum { Q_PLAIN = 0, Q_UNION, Q_INTERSECT, Q_EXCEPT } q_setop;

struct q_select {
    q_setop    op;              /* PLAIN: a query block; INTERSECT / EXCEPT: left op right; UNION: terms */
    bool       all;             /* INTERSECT ALL / EXCEPT ALL */
    q_select  *left, *right;
    q_select **terms;           /* UNION: a chain t0 UNION [ALL] t1 UNION [ALL] t2 ..., flat however long */
    bool      *all_before;      /* UNION: [i] whether the operator before terms[i] (i >= 1) was UNION ALL */
    int        n_terms;
    int        setops;          /* INTERSECT / EXCEPT operations chained below (bounded) */
    bool       distinct;
    rf_expr  **items;           /* '*' is a COL named "*" (qual for t.*) */
    int        n_items;
    q_from   **from;            /* comma-separated: cross joins */
    int        n_from;
    q_hint    *hints;
    int        n_hints;
    q_lateral *laterals;
    int        n_laterals;
    rf_expr   *where;
    rf_expr  **group;           /* the grouping expressions, each once */
    int        n_group;
    uint64_t  *gsets;           /* GROUPING SETS / ROLLUP / CUBE: bit i of a set = group[i] in it; NULL: plain */
    int        n_gsets;
    rf_expr   *having;
    rf_expr  **order;           /* RF_E_SORT nodes */
    int        n_order;
    int64_t    limit;           /* -1: none */
    rf_expr  **dist;            /* DISTRIBUTE BY / CLUSTER BY keys */
    int        n_dist;
    rf_expr  **sortw;           /* SORT BY / CLUSTER BY orders (RF_E_SORT): within each partition */
    int        n_sortw;
    q_cte     *ctes;
    int        n_ctes;
    int        line, col;
};

void rf__q_free(q_select *q);
void rf__qfrom_free(q_from *f);

#endif
