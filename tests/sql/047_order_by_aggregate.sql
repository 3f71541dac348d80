SELECT status, SUM(amount) AS total FROM orders GROUP BY status ORDER BY SUM(amount) DESC;
