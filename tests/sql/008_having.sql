SELECT dept, COUNT(*) AS n FROM people GROUP BY dept HAVING COUNT(*) >= 2 ORDER BY n DESC, dept;
