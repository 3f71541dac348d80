SELECT k, v, k + v, k * v, v - k, -v FROM t1 ORDER BY v, k;
