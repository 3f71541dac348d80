WITH rich AS (SELECT * FROM people WHERE id IN (SELECT person_id FROM orders GROUP BY person_id HAVING SUM(amount) > 7000))
SELECT name, dept FROM rich ORDER BY id;
