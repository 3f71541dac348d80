-- round of an INT is an INT in Spark but a REAL in sqlite, so the sqlite side casts it back
SELECT g, x, abs(x), round(x), round(x, 1), abs(n), round(n) FROM vals WHERE x IS NOT NULL OR n IS NOT NULL ORDER BY x NULLS LAST, n;
-- sqlite: SELECT g, x, abs(x), round(x), round(x, 1), abs(n), CAST(round(n) AS INT) FROM vals WHERE x IS NOT NULL OR n IS NOT NULL ORDER BY x NULLS LAST, n;
