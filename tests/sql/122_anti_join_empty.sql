-- sqlite has no LEFT ANTI JOIN: NOT EXISTS
SELECT id FROM people LEFT ANTI JOIN empty ON people.id = empty.id ORDER BY id;
-- sqlite: SELECT id FROM people p WHERE NOT EXISTS (SELECT 1 FROM empty e WHERE e.id = p.id) ORDER BY id;
