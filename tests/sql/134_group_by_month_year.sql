-- sqlite has no year()/month(): strftime
SELECT year(day) AS y, month(day) AS m, COUNT(*), SUM(amount) FROM orders WHERE status = 'paid' GROUP BY year(day), month(day) ORDER BY y, m;
-- sqlite: SELECT CAST(strftime('%Y', day) AS INT) AS y, CAST(strftime('%m', day) AS INT) AS m, COUNT(*), SUM(amount) FROM orders WHERE status = 'paid' GROUP BY y, m ORDER BY y, m;
