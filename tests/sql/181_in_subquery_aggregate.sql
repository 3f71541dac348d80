SELECT id, name FROM people WHERE dept IN (SELECT dept FROM people GROUP BY dept HAVING COUNT(*) = 3) ORDER BY id;
