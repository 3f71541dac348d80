-- duplicate keys multiply, NULL keys never match
SELECT t1.k, t1.v, t2.w FROM t1 JOIN t2 ON t1.k = t2.k ORDER BY t1.k, t1.v, t2.w;
