SELECT t1.v, t2.k, t2.w FROM t1 RIGHT JOIN t2 ON t1.k = t2.k AND t1.v < 21 ORDER BY t2.w, t1.v;
