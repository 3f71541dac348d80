SELECT DISTINCT k % 3 AS r, s IS NULL AS no_s FROM t1 ORDER BY r, no_s;
-- booleans print as 1/0 in sqlite: CASE
-- sqlite: SELECT DISTINCT k % 3 AS r, CASE WHEN s IS NULL THEN 'true' ELSE 'false' END AS no_s FROM t1 ORDER BY r, no_s;
