SELECT p.id, d.floor FROM people p, depts d WHERE p.dept = d.dept AND d.floor > 1 ORDER BY p.id;
