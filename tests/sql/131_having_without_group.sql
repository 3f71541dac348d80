-- HAVING without GROUP BY filters the single global group
SELECT COUNT(*) FROM t1 HAVING COUNT(*) > 100;
