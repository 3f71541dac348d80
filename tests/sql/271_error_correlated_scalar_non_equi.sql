-- a correlated scalar subquery that is not an aggregate over equality correlations is not supported yet
-- error: correlated scalar subqueries are not supported yet
SELECT k, (SELECT w FROM t2 WHERE t2.k > t1.k) AS m FROM t1;
