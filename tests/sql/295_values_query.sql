-- VALUES as a query (columns col1, col2, ...), in a UNION and as an IN subquery; 2 and 2.5 widen to a
-- decimal with one digit (so do t1's integers in the union: 50.0), which sqlite3 prints with printf.
-- sqlite: WITH u(a, b) AS (SELECT * FROM (VALUES (1, 2.0), (NULL, 2.5)) UNION ALL SELECT k, v FROM t1 WHERE k IN (VALUES (5), (7))) SELECT a, printf('%.1f', b) FROM u ORDER BY 1, 2;
SELECT * FROM (VALUES (1, 2), (NULL, 2.5)) UNION ALL SELECT k, v FROM t1 WHERE k IN (VALUES (5), (7)) ORDER BY 1, 2;
