SELECT d.dept FROM depts d WHERE NOT EXISTS (SELECT 1 FROM people p WHERE p.dept = d.dept) ORDER BY d.dept;
