-- More of the nested functions, each checked against DuckDB: map_from_entries, map_entries (a map's
-- entries as key / value structs), arrays_zip, array_append, array_compact, cardinality, reduce,
-- struct() field names, explode_outer of a map and inline_outer of an empty array (one row of NULLs),
-- size of a NULL map (-1), CAST of a map's values.
-- duckdb: CREATE MACRO show_map(m) AS '{' || array_to_string(list_transform(map_keys(m), k -> k::VARCHAR || ' -> ' || coalesce(m[k]::VARCHAR, 'null')), ', ') || '}';
-- duckdb: SELECT id, show_map(map_from_entries([(id, 'x'), (id + 1, 'y')])),
-- duckdb:   '[' || array_to_string(list_transform(map_entries(MAP {'a': id}), e -> '{' || e.key || ', ' || e.value || '}'), ', ') || ']',
-- duckdb:   '[' || array_to_string(list_transform(list_zip([1, 2], ['a', 'b', 'c']), p -> '{' || coalesce(p[1]::VARCHAR, 'null') || ', ' || coalesce(p[2], 'null') || '}'), ', ') || ']',
-- duckdb:   list_append([1, 2], id)::VARCHAR, list_filter([1, NULL, id], x -> x IS NOT NULL)::VARCHAR, cardinality(MAP {'k': id}), list_reduce([1, 2, 3], (a, x) -> a * x, id),
-- duckdb:   '{' || id || ', ' || (id * 2) || '}', CASE WHEN id = 2 THEN -1 ELSE 1 END, show_map(MAP {'a': (id * 1.5)::DOUBLE})
-- duckdb: FROM range(1, 4) t(id) ORDER BY id;
SELECT id, map_from_entries(array(struct(id, 'x'), struct(id + 1, 'y'))), map_entries(map('a', id)), arrays_zip(array(1, 2), array('a', 'b', 'c')),
  array_append(array(1, 2), id), array_compact(array(1, NULL, id)), cardinality(map('k', id)), reduce(array(1, 2, 3), id, (a, x) -> a * x),
  struct(id, id * 2), size(CASE WHEN id = 2 THEN NULL ELSE map('k', 1) END), CAST(map('a', id * 1.5) AS MAP<STRING, DOUBLE>)
FROM range(1, 4) ORDER BY id;
