-- NULL keys form one group of their own
SELECT k, COUNT(*) AS n, SUM(v) AS total FROM t1 GROUP BY k ORDER BY k;
