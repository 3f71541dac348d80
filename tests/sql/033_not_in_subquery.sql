SELECT id FROM people WHERE id NOT IN (SELECT person_id FROM orders WHERE status = 'cancelled') ORDER BY id;
