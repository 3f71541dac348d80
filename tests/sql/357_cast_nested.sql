-- CAST of nested values: arrays element by element (a string that is not a number becomes NULL),
-- structs field by field, to STRING in Spark's text; typeof names nested types. Expected rows: DuckDB
-- (its TRY_CAST for the elements, its NULL spelled null).
-- duckdb: SELECT replace([TRY_CAST('1' AS INT), TRY_CAST('x' AS INT), 3]::VARCHAR, 'NULL', 'null'), [1.5::DOUBLE, 2]::VARCHAR, '{' || 7 || ', ' || 'a' || '}', 'array<int>', 'map<string,array<bigint>>', 'struct<a:int,b:string>';
SELECT CAST(array('1', 'x', '3') AS ARRAY<INT>), CAST(array(1.5, 2) AS ARRAY<DOUBLE>), CAST(named_struct('a', 7, 'b', 'a') AS STRING),
  typeof(array(1)), typeof(map('k', array(1L))), typeof(named_struct('a', 1, 'b', 'x'));
