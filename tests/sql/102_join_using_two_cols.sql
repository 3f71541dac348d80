SELECT k, s, v, w FROM t1 JOIN (SELECT k, CASE WHEN k = 6 THEN 'f' ELSE 'b' END AS s, w FROM t2) x USING (k, s) ORDER BY k, v, w;
