-- t2 without w = 201 has one 2, so one of t1's two 2s remains; sqlite has no EXCEPT ALL: number the duplicates
SELECT k FROM t1 EXCEPT ALL SELECT k FROM t2 WHERE w <> 201 ORDER BY k;
-- sqlite: SELECT k FROM (SELECT k, row_number() OVER (PARTITION BY k) AS n FROM t1
-- sqlite: EXCEPT SELECT k, row_number() OVER (PARTITION BY k) FROM t2 WHERE w <> 201) ORDER BY k;
