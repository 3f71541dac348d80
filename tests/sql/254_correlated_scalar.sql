-- correlated scalar subqueries become a left join with the grouped subquery; count() of no rows is 0
-- Spark sorts NULLs first ascending; sqlite too, written out here for clarity
SELECT k, v, (SELECT MAX(w) FROM t2 WHERE t2.k = t1.k) AS m, (SELECT COUNT(*) FROM t2 WHERE t2.k = t1.k AND w > 200) AS c FROM t1 ORDER BY k, v;
-- sqlite: SELECT k, v, (SELECT MAX(w) FROM t2 WHERE t2.k = t1.k) AS m, (SELECT COUNT(*) FROM t2 WHERE t2.k = t1.k AND w > 200) AS c FROM t1 ORDER BY k IS NOT NULL, k, v IS NOT NULL, v;
