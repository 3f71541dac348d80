-- a DISTINCT aggregate beside plain aggregates of other columns
SELECT COUNT(DISTINCT x), COUNT(*), SUM(n), AVG(x) FROM vals;
