-- sqlite has no date_trunc: strftime
SELECT date_trunc('MONTH', day) AS m, COUNT(*), SUM(amount) FROM orders GROUP BY 1 ORDER BY 1 DESC;
-- sqlite: SELECT strftime('%Y-%m-01 00:00:00', day) AS m, COUNT(*), SUM(amount) FROM orders GROUP BY 1 ORDER BY 1 DESC;
