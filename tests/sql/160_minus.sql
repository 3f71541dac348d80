-- sqlite has no MINUS: EXCEPT
SELECT dept FROM depts MINUS SELECT dept FROM people WHERE salary > 60 ORDER BY dept;
-- sqlite: SELECT dept FROM depts EXCEPT SELECT dept FROM people WHERE salary > 60 ORDER BY dept;
