-- COUNT(DISTINCT) ignores NULLs; both aggregates are DISTINCT over the same column (supported)
SELECT COUNT(DISTINCT k), SUM(DISTINCT k) FROM t1;
