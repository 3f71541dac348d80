SELECT dept, COUNT(*) AS n, SUM(salary) AS total, MIN(name) AS first, MAX(born) AS youngest, COUNT(salary) AS paid
FROM people GROUP BY dept ORDER BY dept NULLS FIRST;
-- sqlite: SELECT dept, COUNT(*), SUM(salary), MIN(name), MAX(born), COUNT(salary) FROM people GROUP BY dept ORDER BY dept;
