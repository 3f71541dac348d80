SELECT p.id, e.id FROM people p FULL JOIN empty e ON p.id = e.id ORDER BY p.id;
