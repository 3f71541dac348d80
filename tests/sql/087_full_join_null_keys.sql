-- unordered
SELECT t1.k, t1.v, t2.k, t2.w FROM t1 FULL OUTER JOIN t2 ON t1.k = t2.k;
