-- a condition on the left side in ON does not filter the left rows either
SELECT t1.k, t1.v, t2.w FROM t1 LEFT JOIN t2 ON t1.k = t2.k AND t1.v >= 21 ORDER BY t1.v NULLS LAST, t1.k, t2.w;
