-- unordered
SELECT p.id, d.dept FROM people p FULL OUTER JOIN depts d ON p.dept = d.dept;
-- sqlite: SELECT p.id, d.dept FROM people p LEFT JOIN depts d ON p.dept = d.dept UNION ALL SELECT NULL, d.dept FROM depts d WHERE d.dept NOT IN (SELECT dept FROM people WHERE dept IS NOT NULL);
