-- after USING, each side's columns (the key too) can still be qualified by the table's name
SELECT k, t1.k, t2.k, t1.s, t2.s FROM t1 LEFT JOIN t2 USING (k) ORDER BY t1.v NULLS LAST, t1.k, t2.w;
