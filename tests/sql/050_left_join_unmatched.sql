SELECT o.person_id, COUNT(*) AS n FROM orders o LEFT JOIN people p ON p.id = o.person_id WHERE p.id IS NULL GROUP BY o.person_id ORDER BY o.person_id;
