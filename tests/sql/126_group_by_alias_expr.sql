SELECT CASE WHEN amount >= 250 THEN 'big' WHEN amount IS NULL THEN 'unknown' ELSE 'small' END AS size, COUNT(*) AS n, MIN(amount), MAX(amount)
FROM orders GROUP BY size ORDER BY size;
