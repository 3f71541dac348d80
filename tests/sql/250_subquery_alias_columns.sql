SELECT x.key, x.total FROM (SELECT k AS key, SUM(v) AS total FROM t1 GROUP BY k) x WHERE x.total IS NOT NULL AND x.key IS NOT NULL ORDER BY x.total DESC;
