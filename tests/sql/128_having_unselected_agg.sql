SELECT person_id FROM orders GROUP BY person_id HAVING SUM(amount) > 6000 AND COUNT(*) < 40 ORDER BY person_id;
