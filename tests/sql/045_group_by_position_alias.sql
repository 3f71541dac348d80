SELECT upper(dept) AS d, COUNT(*) AS n FROM people WHERE dept IS NOT NULL GROUP BY 1 ORDER BY d;
