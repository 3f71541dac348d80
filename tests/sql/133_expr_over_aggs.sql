-- / is a double division in Spark; sqlite needs a REAL operand
SELECT status, MAX(amount) - MIN(amount) AS spread, ROUND(SUM(amount) / COUNT(amount), 2) AS mean FROM orders GROUP BY status ORDER BY spread DESC, status;
-- sqlite: SELECT status, MAX(amount) - MIN(amount) AS spread, ROUND(SUM(amount) * 1.0 / COUNT(amount), 2) AS mean FROM orders GROUP BY status ORDER BY spread DESC, status;
