-- Higher-order functions with lambdas, reading the row's own columns inside the lambda: transform
-- (with the element's index from 0), filter, exists / forall (three-valued), aggregate with and
-- without a finish, zip_with (the shorter array padded with NULL), nested lambdas. Expected rows:
-- DuckDB's list_transform / list_filter / list_reduce (its lambda index starts at 1).
-- duckdb: SELECT id,
-- duckdb:   list_transform([1, 2, 3], x -> x * id)::VARCHAR, list_transform([10, 20], (x, i) -> x + i - 1)::VARCHAR,
-- duckdb:   list_filter([1, 2, 3, 4, 5, 6], x -> x % id = 0)::VARCHAR,
-- duckdb:   CASE WHEN id = 3 THEN NULL ELSE list_bool_or(list_transform([1, id], x -> x > 1)) END,
-- duckdb:   list_bool_and(list_transform([id, 5], x -> x > 1)),
-- duckdb:   list_reduce([1, 2, 3], (acc, x) -> acc + x * id, 0), list_reduce([1, 2, 3], (acc, x) -> acc * x, id) * 10,
-- duckdb:   replace(list_transform(list_zip([1, 2], [10, 20, 30 + id]), p -> p[1] + p[2])::VARCHAR, 'NULL', 'null'),
-- duckdb:   list_transform([[1, 2], [id]], a -> list_transform(a, y -> y + id))::VARCHAR,
-- duckdb:   coalesce(list_sum(list_transform(list_filter([1, 2, 3, 4], x -> x > id), x -> x * x)), 0)
-- duckdb: FROM range(1, 5) t(id) ORDER BY id;
SELECT id,
  transform(array(1, 2, 3), x -> x * id), transform(array(10, 20), (x, i) -> x + i),
  filter(array(1, 2, 3, 4, 5, 6), x -> x % id = 0),
  exists(array(1, CASE WHEN id = 3 THEN NULL ELSE id END), x -> x > 1),
  forall(array(id, 5), x -> x > 1),
  aggregate(array(1, 2, 3), 0L, (acc, x) -> acc + x * id), aggregate(array(1, 2, 3), id, (acc, x) -> acc * x, acc -> acc * 10),
  zip_with(array(1, 2), array(10, 20, 30 + id), (x, y) -> x + y),
  transform(array(array(1, 2), array(id)), a -> transform(a, y -> y + id)),
  aggregate(transform(filter(array(1, 2, 3, 4), x -> x > id), x -> x * x), 0L, (s, x) -> s + x)
FROM range(1, 5) ORDER BY id;
