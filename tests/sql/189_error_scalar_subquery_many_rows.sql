-- Spark fails when a scalar subquery returns more than one row (it must not multiply the outer rows)
-- error: more than one row
SELECT k, (SELECT w FROM t2 WHERE k = 2) AS w FROM t1 WHERE k < 3;
