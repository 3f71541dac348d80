-- Subqueries in HAVING: a scalar one (TPC-H Q11's shape), IN and NOT EXISTS over the groups.
SELECT k, COUNT(*) AS n, SUM(v) AS s FROM t1 GROUP BY k
HAVING SUM(v) > (SELECT AVG(v) FROM t1) AND COUNT(*) > (SELECT COUNT(*) FROM empty)
   AND k IN (SELECT k FROM t2) ORDER BY k;
