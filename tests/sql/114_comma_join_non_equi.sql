SELECT a.k, b.k FROM t1 a, t2 b WHERE a.k < b.k AND b.k < 4 ORDER BY a.k, b.k;
