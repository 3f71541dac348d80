-- collect_list / collect_set of numbers, dates, structs and arrays keep their types (a set sorted by
-- value, duplicates dropped), also through the partial-then-final aggregation of several ranks.
-- Expected rows: DuckDB's list() in the input order of id and its sorted distinct lists.
-- duckdb: CREATE TABLE t AS SELECT id, id % 3 AS g, (id * 7) % 5 AS v, DATE '2024-01-01' + CAST(id % 4 AS INT) AS d FROM range(0, 30) t(id);
-- duckdb: SELECT g, list(v ORDER BY id)::VARCHAR, list_sort(list_distinct(list(v)))::VARCHAR, list_sort(list_distinct(list(d)))::VARCHAR,
-- duckdb:   list_sum(list(v)), '[' || array_to_string(list('{' || v || ', ' || id || '}' ORDER BY id)[1:3], ', ') || ']',
-- duckdb:   len(list_distinct(list([v, v % 2])))
-- duckdb: FROM t GROUP BY g ORDER BY g;
CREATE TEMPORARY VIEW t AS SELECT id, id % 3 AS g, (id * 7) % 5 AS v, date_add(DATE '2024-01-01', CAST(id % 4 AS INT)) AS d FROM range(0, 30);
SELECT g, collect_list(v), collect_set(v), collect_set(d), aggregate(collect_list(v), 0L, (s, x) -> s + x),
  slice(collect_list(named_struct('v', v, 'id', id)), 1, 3), size(collect_set(array(v, v % 2)))
FROM (SELECT * FROM t ORDER BY id) GROUP BY g ORDER BY g;
