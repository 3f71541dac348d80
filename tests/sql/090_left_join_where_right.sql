-- the same condition in WHERE removes the unmatched rows
SELECT t1.k, t1.v, t2.w FROM t1 LEFT JOIN t2 ON t1.k = t2.k WHERE t2.w > 200 ORDER BY t1.v, t2.w;
