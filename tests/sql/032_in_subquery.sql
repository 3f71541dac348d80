SELECT id FROM people WHERE dept IN (SELECT dept FROM depts WHERE floor >= 2) ORDER BY id;
