SELECT id FROM people LEFT ANTI JOIN depts ON people.dept = depts.dept ORDER BY id;
-- sqlite: SELECT id FROM people p WHERE NOT EXISTS (SELECT 1 FROM depts d WHERE d.dept = p.dept) ORDER BY id;
