-- The array_* family over arrays built per row, with Spark's rules: sort_array puts NULLs first
-- ascending and last descending, array_sort last; array_distinct keeps one NULL; array_position is
-- 1-based and 0 when absent; slice(a, start, length); sequence is inclusive. Expected rows: DuckDB's
-- list functions (list_distinct drops NULLs, so that case is spelled out).
-- duckdb: SELECT id,
-- duckdb:   replace(list_sort([id % 3, NULL, id, 1], 'ASC', 'NULLS FIRST')::VARCHAR, 'NULL', 'null'),
-- duckdb:   replace(list_sort([id % 3, NULL, id, 1], 'DESC', 'NULLS LAST')::VARCHAR, 'NULL', 'null'),
-- duckdb:   replace(list_sort([id % 3, NULL, id], 'ASC', 'NULLS LAST')::VARCHAR, 'NULL', 'null'),
-- duckdb:   list_max([id, 7, NULL]), list_min([id, 7, NULL]), coalesce(list_position([5, 6, 7], id), 0),
-- duckdb:   list_filter([1, id, 2, id], x -> x != id)::VARCHAR, list_slice([1, 2, 3, 4, 5], id, id + 1)::VARCHAR,
-- duckdb:   flatten([[id], [id + 1, id + 2], []])::VARCHAR, range(1, id + 1)::VARCHAR, range(id, 0, -2)::VARCHAR,
-- duckdb:   list_has_any([1, 2], [id, 9]), [1, 2] || [id], list_reverse([1, 2, id])::VARCHAR, list_contains([4, 5, 6], id),
-- duckdb:   array_to_string(['a', NULL, 'c'], '-'), repeat([id], 3)::VARCHAR, list_concat([1, 1, 2], [id, 2, id])
-- duckdb: FROM range(1, 7) t(id) ORDER BY id;
SELECT id,
  sort_array(array(id % 3, NULL, id, 1)),
  sort_array(array(id % 3, NULL, id, 1), false),
  array_sort(array(id % 3, NULL, id)),
  array_max(array(id, 7, NULL)), array_min(array(id, 7, NULL)), array_position(array(5, 6, 7), id),
  array_remove(array(1, id, 2, id), id), slice(array(1, 2, 3, 4, 5), id, 2),
  flatten(array(array(id), array(id + 1, id + 2), array())), sequence(1, id), sequence(id, 1, -2),
  arrays_overlap(array(1, 2), array(id, 9)), concat(array(1, 2), array(id)), reverse(array(1, 2, id)), array_contains(array(4, 5, 6), id),
  array_join(array('a', NULL, 'c'), '-'), array_repeat(id, 3), concat(array(1, 1, 2), array(id, 2, id))
FROM range(1, 7) ORDER BY id;
