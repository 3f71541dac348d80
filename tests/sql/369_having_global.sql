-- HAVING without GROUP BY makes the query one global aggregate (one row or none), as in Spark; HAVING
-- may name select aliases of grouping expressions and aggregates. sqlite3 refuses HAVING on a query
-- without aggregates, so its first line is the one-row query that means.
-- sqlite: WITH r(id) AS (VALUES (0), (1), (2), (3), (4), (5))
-- sqlite: SELECT 'global', 1, NULL FROM (SELECT count(*) FROM r)
-- sqlite: UNION ALL SELECT 'none', count(*), NULL FROM r HAVING count(*) > 10
-- sqlite: UNION ALL SELECT 'max', max(id), NULL FROM r HAVING max(id) > 0
-- sqlite: UNION ALL SELECT 'alias', k, c FROM (SELECT id % 3 AS k, count(*) AS c FROM r GROUP BY id % 3 HAVING k > 0 AND c > 1)
-- sqlite: ORDER BY 1, 2;
WITH r(id) AS (VALUES (0), (1), (2), (3), (4), (5))
SELECT 'global', 1, NULL FROM r HAVING true
UNION ALL SELECT 'none', count(*), NULL FROM r HAVING count(*) > 10
UNION ALL SELECT 'max', max(id), NULL FROM r HAVING max(id) > 0
UNION ALL SELECT 'alias', k, c FROM (SELECT id % 3 AS k, count(*) AS c FROM r GROUP BY id % 3 HAVING k > 0 AND c > 1)
ORDER BY 1, 2;
