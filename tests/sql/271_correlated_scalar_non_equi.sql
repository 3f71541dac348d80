-- A correlated scalar subquery with a non-equality correlation and no aggregate (Spark's one-row
-- rule): each outer row's one value, NULL where no row matches. sqlite3 runs the same text.
SELECT k, v, (SELECT w FROM t2 WHERE t2.k > t1.k AND t2.k <= t1.k + 1 AND t2.s <> 'y') AS m FROM t1 ORDER BY k, v;
