SELECT id FROM people LEFT SEMI JOIN depts ON people.dept = depts.dept ORDER BY id;
-- sqlite: SELECT id FROM people WHERE dept IN (SELECT dept FROM depts) ORDER BY id;
