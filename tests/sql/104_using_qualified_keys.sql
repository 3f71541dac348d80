-- after USING, each side's other columns and the left key can still be qualified by the table's name
-- (riffle does not keep the right side's key under its qualifier yet: docs/SQL.md)
SELECT k, t1.k, t1.s, t2.s FROM t1 LEFT JOIN t2 USING (k) ORDER BY t1.v NULLS LAST, t1.k, t2.w;
-- sqlite: SELECT t1.k, t1.k, t1.s, t2.s FROM t1 LEFT JOIN t2 ON t1.k = t2.k ORDER BY t1.v IS NULL, t1.v, t1.k, t2.w;
