/*
 * limits.h — riffle's fixed limits, in one place. Each is checked where input enters (the SQL
 * parser, the DataFrame API, plan decoding, file readers) and reported with its value; none is a
 * silent cap. The depth limits bound every recursive walk of expressions and plans (analysis,
 * optimizer rules, physical planning, EXPLAIN, plan encode / decode, evaluation), so a tree that
 * the driver accepts is one that every executor decodes and runs, at any rank count, on any
 * thread's stack (a worker thread's stack may be as small as 2 MiB). The stack guard
 * (rf__stack_check, core.h) backs them up: a walk that would still run out of stack stops with an
 * error instead.
 */
#ifndef RF_LIMITS_H
#define RF_LIMITS_H

#define RF_MAX_EXPR_DEPTH        1000     /* nesting of one expression tree (a + b + ... chains one level per term) */
#define RF_MAX_PUSHED_NODES      4096     /* a filter grows to at most this by moving below projections */
#define RF_MAX_PUSHED_DEPTH      128      /* ... and to at most this depth */
#define RF_MAX_PLAN_DEPTH        4000     /* nesting of a plan tree (stacked views, joins, set operations) */
#define RF_MAX_PLAN_NODES        200000   /* operators in one plan (a view read several times is counted each time) */
#define RF_MAX_WIRE_EXPR_DEPTH   (4 * RF_MAX_EXPR_DEPTH)   /* an analyzed expression (casts added) in a broadcast plan */
#define RF_MAX_EXPR_ARGS         (1 << 20)   /* arguments of one expression (an IN list, a concat, CASE branches) */
#define RF_MAX_NODE_EXPRS        (1 << 24)   /* expressions of one plan node (VALUES holds rows x columns) */
#define RF_MAX_PLAN_CHILDREN     (1 << 20)   /* inputs of one plan node (a UNION ALL chain is one node) */
#define RF_MAX_SQL_NESTING       200      /* parentheses, subqueries and nested joins in SQL text */
#define RF_MAX_PARTITION_COLUMNS 64       /* partition columns of one table (col=value directory levels) */
#define RF_STACK_RESERVE         (256 * 1024)   /* stack left free below the guard (bytes) */

#endif
