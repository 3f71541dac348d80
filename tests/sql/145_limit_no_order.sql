-- LIMIT without ORDER BY: which rows is unspecified, but how many is not
SELECT COUNT(*) FROM (SELECT * FROM orders LIMIT 7) t;
