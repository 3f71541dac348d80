SELECT a.k, a.s, a.v, b.w FROM t1 a JOIN (SELECT k, w, CASE WHEN w = 600 THEN 'f' ELSE s END AS s FROM t2) b ON a.k = b.k AND a.s = b.s ORDER BY a.k;
