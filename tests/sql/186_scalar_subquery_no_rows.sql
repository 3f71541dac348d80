-- a scalar subquery that returns no rows is NULL (the outer rows remain)
SELECT k, (SELECT w FROM t2 WHERE w > 1000) AS w FROM t1 WHERE k < 3 ORDER BY k, v;
