-- a NULL condition is not true: the row falls through to ELSE; no ELSE gives NULL
SELECT k, v, CASE WHEN v > 30 THEN 'big' WHEN v <= 30 THEN 'small' ELSE 'unknown' END AS a, CASE WHEN k > 5 THEN 'hi' END AS b FROM t1 ORDER BY v NULLS LAST, k;
