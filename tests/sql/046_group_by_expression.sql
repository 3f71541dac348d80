SELECT year(born) AS y, COUNT(*) FROM people WHERE born IS NOT NULL GROUP BY year(born) HAVING COUNT(*) >= 1 ORDER BY y;
-- sqlite: SELECT CAST(strftime('%Y', born) AS INT) AS y, COUNT(*) FROM people WHERE born IS NOT NULL GROUP BY y ORDER BY y;
