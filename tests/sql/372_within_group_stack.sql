-- percentile_cont / percentile_disc WITHIN GROUP (ORDER BY x [DESC]), stack(n, ...) (n rows, NULL where
-- values run out), equal_null, and an identifier that starts with digits (2012_s, as Spark's lexer
-- reads it). Expected rows: DuckDB (the same WITHIN GROUP syntax; stack spelled as VALUES).
-- duckdb: SELECT g, percentile_cont(0.25) WITHIN GROUP (ORDER BY id), percentile_disc(0.5) WITHIN GROUP (ORDER BY id), percentile_cont(0.1) WITHIN GROUP (ORDER BY id DESC), s1, s2, NULL IS NOT DISTINCT FROM NULL, 1 IS NOT DISTINCT FROM NULL
-- duckdb: FROM (SELECT id, id % 2 AS g FROM range(0, 11) t(id)), (VALUES (1, 'a'), (2, NULL)) v(s1, s2) GROUP BY g, s1, s2 ORDER BY g, s1;
SELECT g, percentile_cont(0.25) WITHIN GROUP (ORDER BY id), percentile_disc(0.5) WITHIN GROUP (ORDER BY id), percentile_cont(0.1) WITHIN GROUP (ORDER BY id DESC), s1, s2, equal_null(NULL, NULL), equal_null(1, NULL)
FROM (SELECT id, id % 2 AS g FROM range(0, 11)), (SELECT stack(2, 1, 'a', 2) AS (s1, s2)) AS `2012_s` GROUP BY g, s1, s2 ORDER BY g, s1;
