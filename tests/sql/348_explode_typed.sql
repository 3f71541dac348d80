-- Generators of typed values: explode of an int array (keeps its type: the sum is numeric),
-- posexplode, explode of a map into key and value, explode_outer of a NULL and an empty array,
-- inline of an array of structs, and LATERAL VIEW over maps and inline. Expected rows: DuckDB's
-- unnest (with generate_subscripts for positions).
-- duckdb: CREATE TABLE t AS SELECT id, CASE WHEN id = 3 THEN NULL WHEN id = 4 THEN []::INT[] ELSE range(id, id + 3)::INT[] END AS a, MAP {'k' || id: id, 'z': 0} AS m FROM range(1, 5) t(id);
-- duckdb: SELECT 'sum', NULL, sum(x) FROM (SELECT unnest(a) AS x FROM t)
-- duckdb: UNION ALL SELECT 'pos', id * 10 + p - 1, a[p] FROM (SELECT id, a, generate_subscripts(a, 1) AS p FROM t)
-- duckdb: UNION ALL SELECT 'outer', id, x FROM (SELECT id, unnest(CASE WHEN a IS NULL OR len(a) = 0 THEN [NULL] ELSE a END) AS x FROM t)
-- duckdb: UNION ALL SELECT 'map:' || k, id, m[k] FROM (SELECT id, m, unnest(map_keys(m)) AS k FROM t)
-- duckdb: UNION ALL SELECT 'inline:' || b, id, q FROM (SELECT id, unnest([{'q': id, 'b': 'u'}, {'q': id * 2, 'b': 'v'}], recursive := true) FROM t)
-- duckdb: ORDER BY 1, 2, 3;
CREATE TEMPORARY VIEW t AS SELECT id, CASE WHEN id = 3 THEN NULL WHEN id = 4 THEN filter(array(1), x -> false) ELSE sequence(id, id + 2) END AS a,
  map(concat('k', id), id, 'z', 0) AS m FROM range(1, 5);
SELECT 'sum', NULL, sum(x) FROM (SELECT explode(a) AS x FROM t)
UNION ALL SELECT 'pos', id * 10 + pos, col FROM (SELECT id, posexplode(a) FROM t)
UNION ALL SELECT 'outer', id, x FROM t LATERAL VIEW OUTER explode(a) e AS x
UNION ALL SELECT concat('map:', k), id, v FROM t LATERAL VIEW explode(m) e AS k, v
UNION ALL SELECT concat('inline:', b), id, q FROM t LATERAL VIEW inline(array(named_struct('q', id, 'b', 'u'), named_struct('q', id * 2, 'b', 'v'))) i
ORDER BY 1, 2, 3;
