SELECT g, COUNT(*) AS rows_, COUNT(x) AS xs, COUNT(n) AS ns FROM vals GROUP BY g ORDER BY g;
