-- error: DISTINCT aggregates over different expressions in one aggregation are not supported
SELECT COUNT(DISTINCT k), COUNT(DISTINCT s) FROM t1;
