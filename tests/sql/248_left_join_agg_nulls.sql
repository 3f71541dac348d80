-- COUNT(*) counts the unmatched row, COUNT(t2.w) does not
SELECT t1.k, COUNT(*), COUNT(t2.w), SUM(t2.w) FROM t1 LEFT JOIN t2 ON t1.k = t2.k GROUP BY t1.k ORDER BY t1.k;
