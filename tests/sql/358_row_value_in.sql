-- Row values: (a, b) [NOT] IN (subquery) compares column by column in three-valued logic (a row with
-- a NULL is never IN and never surely NOT IN), with an aggregated subquery too; (a, b) IN a list of
-- row values. sqlite3 has row values, so it runs the same text.
WITH a(k, v) AS (VALUES (1, 'x'), (2, 'y'), (3, 'z'), (NULL, 'x')), b(k, v) AS (VALUES (1, 'x'), (2, 'q'), (2, 'y'))
SELECT 'in', k, v FROM a WHERE (k, v) IN (SELECT k, v FROM b)
UNION ALL SELECT 'not in', k, v FROM a WHERE (k, v) NOT IN (SELECT k, v FROM b)
UNION ALL SELECT 'in agg', k, v FROM a WHERE (k, v) IN (SELECT k, max(v) FROM b GROUP BY k)
UNION ALL SELECT 'not in agg', k, v FROM a WHERE (k, v) NOT IN (SELECT k, min(v) FROM b GROUP BY k)
UNION ALL SELECT 'list', k, v FROM a WHERE (k, v) IN ((1, 'x'), (3, 'z'))
ORDER BY 1, 2, 3;
