SELECT status, month(day) AS m, COUNT(*) AS n, SUM(amount) FROM orders GROUP BY 1, 2 ORDER BY 1, 2;
-- sqlite has no month(): strftime
-- sqlite: SELECT status, CAST(strftime('%m', day) AS INT) AS m, COUNT(*) AS n, SUM(amount) FROM orders GROUP BY 1, 2 ORDER BY 1, 2;
