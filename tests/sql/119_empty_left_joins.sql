-- unordered
-- sqlite has no LEFT SEMI JOIN: EXISTS
SELECT e.id, p.id FROM empty e LEFT JOIN people p ON p.id = e.id
UNION ALL SELECT e.id, p.id FROM empty e JOIN people p ON p.id = e.id
UNION ALL SELECT p.id, p.id FROM people p LEFT SEMI JOIN empty e ON p.id = e.id;
-- sqlite: SELECT e.id, p.id FROM empty e LEFT JOIN people p ON p.id = e.id
-- sqlite: UNION ALL SELECT e.id, p.id FROM empty e JOIN people p ON p.id = e.id
-- sqlite: UNION ALL SELECT p.id, p.id FROM people p WHERE EXISTS (SELECT 1 FROM empty e WHERE p.id = e.id);
