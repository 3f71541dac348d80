SELECT d.dept FROM depts d WHERE EXISTS (SELECT 1 FROM people p WHERE p.dept = d.dept AND p.salary > 90) ORDER BY d.dept;
