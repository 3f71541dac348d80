-- rows with a NULL key never match, so the anti join keeps them (sqlite has no LEFT ANTI JOIN: NOT EXISTS)
SELECT k, v FROM t1 LEFT ANTI JOIN t2 ON t1.k = t2.k ORDER BY v NULLS LAST;
-- sqlite: SELECT k, v FROM t1 WHERE NOT EXISTS (SELECT 1 FROM t2 WHERE t2.k = t1.k) ORDER BY v NULLS LAST;
