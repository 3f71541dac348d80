-- struct(t.*), struct(*) and s.* of a struct column (its fields as columns), as Spark expands them.
-- Expected rows: DuckDB (its STRUCT_PACK of the same columns, printed as JSON).
-- duckdb: SELECT 1, to_json({'C': 2, 'D': 'x'}), 2, 'x', to_json({'ID': 1, 'ST': {'C': 2, 'D': 'x'}});
SELECT ID, to_json(STRUCT(ST.*)), ST.*, to_json(struct(*)) FROM (SELECT 1 AS ID, named_struct('C', 2, 'D', 'x') AS ST) tbl_x;
