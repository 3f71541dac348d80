SELECT dept, ROUND(AVG(salary), 2) AS avg_salary FROM people GROUP BY dept ORDER BY dept NULLS FIRST;
-- sqlite: SELECT dept, ROUND(AVG(salary), 2) FROM people GROUP BY dept ORDER BY dept;
