SELECT p.id, e.v FROM people p RIGHT JOIN empty e ON p.id = e.id;
