-- DISTINCT aggregates over different columns in one aggregation (Spark's Expand rewrite)
SELECT COUNT(DISTINCT k), COUNT(DISTINCT s) FROM t1;
