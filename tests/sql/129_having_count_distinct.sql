SELECT person_id, COUNT(DISTINCT status) AS statuses FROM orders WHERE amount > 300 GROUP BY person_id HAVING COUNT(DISTINCT status) < 4 ORDER BY person_id;
