-- error: DISTINCT aggregates mixed with non-DISTINCT aggregates of other columns are not supported
SELECT COUNT(DISTINCT x), COUNT(*) FROM vals;
