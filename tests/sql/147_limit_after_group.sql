SELECT person_id, SUM(amount) AS total FROM orders GROUP BY person_id ORDER BY total DESC LIMIT 3;
