-- A correlated scalar subquery that returns more than one row for an outer row is an error, as in Spark.
-- error: a scalar subquery returned more than one row
WITH t1(a) AS (VALUES (1), (2)), t2(c, d) AS (VALUES (1, 5), (2, 15), (2, 25))
SELECT a, (SELECT d FROM t2 WHERE t2.c = t1.a) FROM t1;
