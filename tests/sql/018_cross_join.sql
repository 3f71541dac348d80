-- unordered
SELECT p.id, d.dept FROM people p CROSS JOIN depts d WHERE p.id <= 2;
