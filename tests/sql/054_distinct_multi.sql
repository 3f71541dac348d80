-- unordered
SELECT DISTINCT status, substring(day, 1, 7) FROM orders;
-- sqlite: SELECT DISTINCT status, substr(day, 1, 7) FROM orders;
