-- k % 2 is NULL for NULL k: one NULL group
SELECT k % 2 AS parity, COUNT(*), SUM(v) FROM t1 GROUP BY k % 2 ORDER BY parity;
