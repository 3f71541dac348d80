SELECT p.id, d.floor FROM people p LEFT JOIN depts d ON p.dept = d.dept ORDER BY p.id;
