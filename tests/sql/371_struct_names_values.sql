-- struct(x AS name) and (x AS a, y AS b) name their fields; generators take AS (a, b); VALUES rows may
-- hold arrays and maps. Expected rows: DuckDB (its structs and maps printed field by field).
-- duckdb: SELECT '{"a":' || id || ',"b":"x"}', id + 3, p, v, '[' || array_to_string([id, id + 1], ', ') || ']' FROM range(1, 3) t(id), (SELECT unnest([0, 1]) AS p, unnest([5, 6]) AS v) ORDER BY 1, 3;
SELECT to_json(struct(id AS a, 'x' AS b)), (id AS x, id + 3 AS y).y, p, v, a
FROM (SELECT id, posexplode(array(5, 6)) AS (p, v) FROM range(1, 3)) JOIN VALUES (1, array(1, 2)), (2, array(2, 3)) AS t(k, a) ON id = k ORDER BY 1, 3;
