-- GROUP BY a struct and an array, and a join on array keys, at every rank count (keys hash and
-- compare field by field). Expected rows: DuckDB.
-- duckdb: CREATE TABLE t AS SELECT id, {'x': id % 3, 'y': id % 2} AS s, [id % 2, id % 5] AS a FROM range(0, 60) t(id);
-- duckdb: SELECT '{' || s.x || ', ' || s.y || '}', a::VARCHAR, count(*), sum(id) FROM t GROUP BY s, a ORDER BY s, a;
CREATE TEMPORARY VIEW t AS SELECT id, named_struct('x', id % 3, 'y', id % 2) AS s, array(id % 2, id % 5) AS a FROM range(0, 60);
SELECT s, a, count(*), sum(id) FROM t GROUP BY s, a ORDER BY s, a;
