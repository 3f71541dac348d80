-- Maps: map(), m[k] and element_at (NULL when absent), size, map_keys / map_values (insertion order),
-- map_contains_key, map_from_arrays, map_concat, str_to_map, map_filter, transform_values,
-- transform_keys; printed as Spark prints them ({k -> v, ...}). Expected rows: DuckDB's maps, printed
-- through their keys and values.
-- duckdb: CREATE MACRO show_map(m) AS '{' || array_to_string(list_transform(map_keys(m), k -> k::VARCHAR || ' -> ' || coalesce(m[k]::VARCHAR, 'null')), ', ') || '}';
-- duckdb: SELECT id, show_map(MAP {'a': id, 'b': id * 2}), MAP {'a': id, 'b': id * 2}['b'], MAP {'a': id}['z'],
-- duckdb:   cardinality(MAP {'a': id, 'b': id * 2}), map_keys(MAP {'x': 1, 'y': id})::VARCHAR, map_values(MAP {'x': 1, 'y': id})::VARCHAR,
-- duckdb:   map_contains(MAP {1: 'a', 2: 'b'}, id), show_map(map_from_entries([(1, 'one'), (id + 1, 'more')])),
-- duckdb:   show_map(map_concat(MAP {'a': 1::BIGINT}, MAP {'b': id})), show_map(MAP {'k1': 'v' || id, 'k2': NULL}),
-- duckdb:   show_map(map_from_entries(list_filter(map_entries(MAP {1: 'a', 2: 'b', 3: 'c'}), e -> e.key >= id))),
-- duckdb:   show_map(map_from_entries(list_transform(map_entries(MAP {'a': 1, 'b': 2}), e -> (e.key, e.value * id)))),
-- duckdb:   show_map(map_from_entries(list_transform(map_entries(MAP {'a': 1, 'b': 2}), e -> (e.key || id, e.value))))
-- duckdb: FROM range(1, 4) t(id) ORDER BY id;
SELECT id, map('a', id, 'b', id * 2), map('a', id, 'b', id * 2)['b'], element_at(map('a', id), 'z'),
  size(map('a', id, 'b', id * 2)), map_keys(map('x', 1, 'y', id)), map_values(map('x', 1, 'y', id)),
  map_contains_key(map(1, 'a', 2, 'b'), id), map_from_arrays(array(1, id + 1), array('one', 'more')),
  map_concat(map('a', 1), map('b', id)), str_to_map(concat('k1:v', id, ',k2')),
  map_filter(map(1, 'a', 2, 'b', 3, 'c'), (k, v) -> k >= id),
  transform_values(map('a', 1, 'b', 2), (k, v) -> v * id),
  transform_keys(map('a', 1, 'b', 2), (k, v) -> concat(k, id))
FROM range(1, 4) ORDER BY id;
