SELECT b.*, a.v FROM t1 a JOIN t2 b ON a.k = b.k WHERE a.k >= 3 ORDER BY b.k;
