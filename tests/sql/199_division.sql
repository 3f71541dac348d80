-- / is a double division in Spark and x / 0 is NULL; sqlite needs a REAL operand and also gives NULL for / 0
SELECT k, v, v / k, v / 0, k / (k - k), ROUND(v / 3, 3) FROM t1 ORDER BY v NULLS LAST, k;
-- sqlite: SELECT k, v, v * 1.0 / k, v * 1.0 / 0, k * 1.0 / (k - k), ROUND(v * 1.0 / 3, 3) FROM t1 ORDER BY v NULLS LAST, k;
