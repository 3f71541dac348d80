SELECT t1.k, t2.k FROM t1 LEFT JOIN t2 ON t2.k > t1.k + 4 ORDER BY t1.k, t2.k;
