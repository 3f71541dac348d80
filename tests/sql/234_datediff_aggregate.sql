-- sqlite has no datediff: julianday()
SELECT person_id, datediff(MAX(day), MIN(day)) AS span FROM orders GROUP BY person_id ORDER BY span DESC, person_id;
-- sqlite: SELECT person_id, CAST(julianday(MAX(day)) - julianday(MIN(day)) AS INT) AS span FROM orders GROUP BY person_id ORDER BY span DESC, person_id;
