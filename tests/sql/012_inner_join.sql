SELECT p.id, p.name, d.floor FROM people p JOIN depts d ON p.dept = d.dept ORDER BY p.id;
