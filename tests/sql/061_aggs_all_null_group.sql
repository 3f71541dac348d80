-- group b has only NULLs: SUM/AVG/MIN/MAX are NULL, COUNT is 0
SELECT g, SUM(x), AVG(x), MIN(n), MAX(n), COUNT(x) FROM vals GROUP BY g ORDER BY g NULLS LAST;
