WITH spend AS (SELECT person_id, SUM(amount) AS total FROM orders WHERE status <> 'cancelled' GROUP BY person_id),
     top AS (SELECT person_id FROM spend WHERE total > 2000)
SELECT p.name, s.total FROM top t JOIN spend s ON s.person_id = t.person_id JOIN people p ON p.id = t.person_id ORDER BY s.total DESC;
