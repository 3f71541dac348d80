-- Typed arrays: array(), a[i] (from 0, past the end NULL), element_at (from 1, negative from the end),
-- size, NULL elements printed "null" (Spark's cast to string). Expected rows: DuckDB's lists (its
-- indexes start at 1; it prints NULL as NULL, so the text is adjusted).
-- duckdb: SELECT id, replace([id, id * 2, NULL]::VARCHAR, 'NULL', 'null'), len([id, id * 2]), [id, id + 1][1], [id, id + 1, id + 2][-1], [id][5], [id, id + 1][3], len([]::INT[]) FROM range(1, 4) t(id) ORDER BY id;
SELECT id, array(id, id * 2, NULL), size(array(id, id * 2)), array(id, id + 1)[0], element_at(array(id, id + 1, id + 2), -1), element_at(array(id), 5), array(id, id + 1)[2], size(array()) FROM range(1, 4) ORDER BY id;
