-- unordered
SELECT p.id FROM people p JOIN empty e ON p.id = e.id;
