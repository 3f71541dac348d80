SELECT dept, MIN(name), MAX(name), MIN(born), MAX(born) FROM people GROUP BY dept ORDER BY dept;
