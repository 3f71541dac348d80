-- Structs: named_struct / struct, field access s.f (also through a subquery's column and an array
-- element's field), comparison and ORDER BY by struct (field by field), GROUP BY a struct, struct
-- printed {v1, v2}. Expected rows: DuckDB's structs, printed field by field.
-- duckdb: CREATE TABLE t AS SELECT id, {'x': id % 3, 'y': 'n' || id} AS s, [{'a': id}, {'a': id * 10}] AS arr FROM range(1, 7) t(id);
-- duckdb: SELECT '{' || s.x || ', ' || s.y || '}', s.x, s.y, arr[2].a, s > {'x': 1, 'y': 'n4'}, '{' || (s.x + 1) || ', ' || id || '}', '{' || s.x || '}'
-- duckdb: FROM t ORDER BY s DESC;
CREATE TEMPORARY VIEW t AS SELECT id, named_struct('x', id % 3, 'y', concat('n', id)) AS s, array(named_struct('a', id), named_struct('a', id * 10)) AS arr FROM range(1, 7);
SELECT s, s.x, t.s.y, arr[1].a, s > named_struct('x', 1, 'y', 'n4'), struct(s.x + 1, id), struct(s.x) FROM t ORDER BY s DESC;
