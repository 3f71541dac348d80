SELECT p.id, e.v FROM people p LEFT JOIN empty e ON p.id = e.id WHERE p.id < 4 ORDER BY p.id;
