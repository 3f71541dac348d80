-- NATURAL LEFT JOIN on k alone; the USING column comes first, as Spark puts it.
-- sqlite: SELECT t1.k, t1.v, t1.s, x.w FROM t1 LEFT JOIN (SELECT k, w FROM t2) x ON t1.k = x.k ORDER BY 1, 2, 4;
SELECT * FROM t1 NATURAL LEFT JOIN (SELECT k, w FROM t2) x ORDER BY 1, 2, 4;
