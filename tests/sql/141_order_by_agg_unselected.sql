SELECT dept FROM people GROUP BY dept ORDER BY COUNT(*) DESC, MAX(salary) NULLS FIRST, dept;
