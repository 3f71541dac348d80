-- no equality: a nested-loop join
SELECT t1.v, t2.w FROM t1 JOIN t2 ON t1.v * 10 > t2.w AND t2.w >= 500 ORDER BY t1.v, t2.w;
