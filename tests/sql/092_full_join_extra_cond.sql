-- unordered
SELECT t1.k, t1.v, t2.k, t2.w FROM t1 FULL JOIN t2 ON t1.k = t2.k AND t2.w <> 201 AND t1.v IS NOT NULL;
