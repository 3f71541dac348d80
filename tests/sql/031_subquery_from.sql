SELECT t.dept, t.n FROM (SELECT dept, COUNT(*) AS n FROM people GROUP BY dept) t WHERE t.n > 1 ORDER BY t.dept;
