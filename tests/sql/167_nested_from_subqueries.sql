SELECT d, total FROM (SELECT d, SUM(n) AS total FROM (SELECT coalesce(dept, '?') AS d, n FROM (SELECT dept, COUNT(*) AS n FROM people GROUP BY dept) a) b GROUP BY d) c
WHERE total >= 1 ORDER BY total DESC, d;
