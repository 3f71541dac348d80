SELECT p.id, p.name FROM people p WHERE EXISTS (SELECT 1 FROM orders o WHERE o.person_id = p.id AND o.amount = p.id * 10) ORDER BY p.id;
