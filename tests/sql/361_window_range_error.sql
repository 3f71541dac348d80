-- A RANGE frame with a number offset over a timestamp key is an analysis error (Spark wants an INTERVAL).
-- error: cannot measure an ORDER BY key of type timestamp
SELECT sum(1) OVER (ORDER BY ts RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) FROM VALUES (TIMESTAMP '2024-01-01 00:00:00') AS v(ts);
