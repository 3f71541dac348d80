-- GROUP BY a struct column, then its fields in the select list (s.f of the grouped s), as Spark allows.
-- Expected rows: DuckDB.
-- duckdb: SELECT (id % 3), 'n' || (id % 2), count(*) FROM range(0, 12) t(id) GROUP BY id % 3, id % 2 ORDER BY 1, 2;
SELECT s.a, s.b, count(*) FROM (SELECT named_struct('a', id % 3, 'b', concat('n', id % 2)) AS s FROM range(0, 12)) GROUP BY s ORDER BY 1, 2;
