SELECT dept, COUNT(DISTINCT salary) AS d FROM people GROUP BY dept ORDER BY dept NULLS FIRST;
-- sqlite: SELECT dept, COUNT(DISTINCT salary) FROM people GROUP BY dept ORDER BY dept;
