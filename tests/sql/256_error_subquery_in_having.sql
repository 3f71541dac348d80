-- error: this subquery is not supported here
SELECT k, COUNT(*) FROM t1 GROUP BY k HAVING COUNT(*) > (SELECT COUNT(*) FROM empty);
