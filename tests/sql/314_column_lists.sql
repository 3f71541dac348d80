-- Column lists: WITH t (a, b) AS (...) and a FROM item's alias list naming a subquery's columns.
-- sqlite: WITH t(a, b) AS (SELECT k, v FROM t1 WHERE v IS NOT NULL) SELECT t.a, b, x.c FROM t JOIN (SELECT k AS c FROM t2) x ON t.a = x.c ORDER BY 1, 2, 3;
WITH t (a, b) AS (SELECT k, v FROM t1 WHERE v IS NOT NULL)
SELECT t.a, b, x.c FROM t JOIN (SELECT k FROM t2) AS x (c) ON t.a = x.c ORDER BY 1, 2, 3;
