SELECT status, SUM(CASE WHEN amount > 250 THEN 1 ELSE 0 END) AS big, SUM(amount * 2) AS dbl, MAX(length(status)) AS len, COUNT(amount) AS known
FROM orders GROUP BY status ORDER BY status;
