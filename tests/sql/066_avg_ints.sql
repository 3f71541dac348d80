-- AVG of integers is a double in both engines
SELECT g, AVG(n), SUM(n) FROM vals WHERE g IS NOT NULL GROUP BY g ORDER BY g;
