-- explode_outer of maps and inline_outer keep a row for a NULL or empty input (NULL columns);
-- posexplode_outer likewise (NULL position). Expected rows: DuckDB's unnest over a list padded with NULL.
-- duckdb: SELECT id, k, v FROM (SELECT id, unnest(CASE WHEN id = 1 THEN [('a', 1)] ELSE [(NULL, NULL)] END) AS e FROM range(1, 4) t(id)) , LATERAL (SELECT e[1] AS k, e[2] AS v)
-- duckdb: UNION ALL SELECT id + 10, NULL, NULL FROM range(1, 3) t(id)
-- duckdb: ORDER BY 1, 2;
SELECT id, key, value FROM (SELECT id, explode_outer(CASE WHEN id = 1 THEN map('a', 1) WHEN id = 2 THEN map_filter(map('z', 0), (k, v) -> false) END) FROM range(1, 4))
UNION ALL SELECT id + 10, a, b FROM (SELECT id, inline_outer(filter(array(named_struct('a', 'x', 'b', 1)), s -> false)) FROM range(1, 3))
ORDER BY 1, 2;
