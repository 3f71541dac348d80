-- Inline tables: FROM VALUES ... AS t(cols), (VALUES ...) joined with a table, and the columns' common type.
-- sqlite: WITH t(a, b) AS (VALUES (1, 'x'), (2, 'y'), (7, NULL)) SELECT t.a, t.b, t1.v FROM t JOIN t1 ON t.a = t1.k ORDER BY t.a, t1.v;
SELECT t.a, t.b, t1.v FROM VALUES (1, 'x'), (2, 'y'), (3 + 4, NULL) AS t(a, b) JOIN t1 ON t.a = t1.k ORDER BY t.a, t1.v;
