-- sqlite has no datediff: the difference of julianday()
SELECT id, datediff(d, DATE '2024-01-01'), datediff(DATE '2024-01-01', d), datediff(d, d) FROM events ORDER BY id;
-- sqlite: SELECT id, CAST(julianday(d) - julianday('2024-01-01') AS INT), CAST(julianday('2024-01-01') - julianday(d) AS INT), CAST(julianday(d) - julianday(d) AS INT) FROM events ORDER BY id;
