-- sqlite has no LEFT SEMI JOIN: EXISTS
SELECT k, v FROM t1 LEFT SEMI JOIN t2 ON t1.k = t2.k ORDER BY k, v;
-- sqlite: SELECT k, v FROM t1 WHERE EXISTS (SELECT 1 FROM t2 WHERE t2.k = t1.k) ORDER BY k, v;
