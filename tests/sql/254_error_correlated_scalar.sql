-- correlated scalar subqueries are not supported yet: the error should say so (not just "column not found")
-- error: subquery
SELECT k, (SELECT MAX(w) FROM t2 WHERE t2.k = t1.k) AS m FROM t1;
