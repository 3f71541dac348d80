SELECT id FROM people p WHERE id IN (SELECT person_id FROM orders WHERE amount > 490)
AND NOT EXISTS (SELECT 1 FROM depts d WHERE d.dept = p.dept AND d.floor = 3) ORDER BY id;
