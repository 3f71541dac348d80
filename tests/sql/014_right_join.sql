-- unordered
SELECT p.id, d.dept FROM people p RIGHT JOIN depts d ON p.dept = d.dept;
-- sqlite: SELECT p.id, d.dept FROM depts d LEFT JOIN people p ON p.dept = d.dept;
