-- sqlite has no INTERSECT ALL: number the duplicates and intersect (value, n) pairs
SELECT k FROM t1 INTERSECT ALL SELECT k FROM t2 ORDER BY k;
-- sqlite: SELECT k FROM (SELECT k, row_number() OVER (PARTITION BY k) AS n FROM t1 INTERSECT SELECT k, row_number() OVER (PARTITION BY k) FROM t2) ORDER BY k;
