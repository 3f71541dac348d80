-- Correlated scalar subqueries of any correlation, in the select list and in WHERE: non-equality
-- conditions (t2.c < t1.a), outer columns inside expressions (t2.d > t1.a * 10), count over no rows
-- (0), and a subquery without an aggregate (its one row's value, NULL when none). sqlite3 runs the
-- same text.
WITH t1(a, b) AS (VALUES (1, 10), (2, 20), (3, NULL), (4, 40), (4, 41)), t2(c, d) AS (VALUES (1, 5), (2, 15), (2, 25), (5, 50), (NULL, 7))
SELECT a, b, (SELECT max(d) FROM t2 WHERE t2.c < t1.a), (SELECT count(*) FROM t2 WHERE t2.d > t1.b),
  (SELECT d FROM t2 WHERE t2.c = t1.a AND t2.d < 10), (SELECT sum(d) FROM t2 WHERE t2.c = t1.a AND t2.d > t1.a * 10),
  (SELECT count(c) + 1 FROM t2 WHERE t2.c BETWEEN t1.a - 1 AND t1.a + 1)
FROM t1 WHERE b IS NULL OR b >= (SELECT avg(d) FROM t2 WHERE t2.c <= t1.a) ORDER BY a, b;
