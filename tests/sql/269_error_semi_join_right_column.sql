-- the right side of a LEFT SEMI JOIN is not in its output
-- error: column 'e.v' not found
SELECT p.id, e.v FROM people p LEFT SEMI JOIN empty e ON p.id = e.id;
