-- EXISTS and IN (subquery) inside OR, NOT (...) and the select list, correlated (also by a
-- non-equality) or not, with SQL's three-valued IN (NULL when nothing matches but a NULL is there).
-- sqlite3 runs the same text.
WITH t1(a, b) AS (VALUES (1, 10), (2, 20), (3, NULL), (4, 40), (NULL, 5)), t2(c, d) AS (VALUES (1, 5), (2, 15), (2, 25), (5, 50), (NULL, 7))
SELECT 'or exists', a, b FROM t1 WHERE b > 30 OR EXISTS (SELECT 1 FROM t2 WHERE t2.c = t1.a AND t2.d > 10)
UNION ALL SELECT 'or in', a, b FROM t1 WHERE b < 8 OR a IN (SELECT c FROM t2 WHERE d < 20)
UNION ALL SELECT 'not or in', a, b FROM t1 WHERE NOT (a IN (SELECT c FROM t2 WHERE c > 1) OR b = 10)
UNION ALL SELECT 'in value', a, CASE WHEN a IN (SELECT c FROM t2) THEN 'true' WHEN NOT (a IN (SELECT c FROM t2)) THEN 'false' ELSE 'null' END FROM t1
UNION ALL SELECT 'exists value', a, CASE WHEN EXISTS (SELECT 1 FROM t2 WHERE t2.d < t1.b) THEN 'yes' ELSE 'no' END FROM t1
ORDER BY 1, 2, 3;
