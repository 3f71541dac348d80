SELECT * FROM t1 a JOIN t2 b ON a.k = b.k WHERE a.k = 3;
