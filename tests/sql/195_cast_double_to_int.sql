-- the fraction is truncated towards zero in both engines
SELECT x, CAST(x AS INT), CAST(x AS BIGINT), CAST(-x AS INT) FROM vals WHERE x IS NOT NULL ORDER BY x;
