SELECT d.dept, d.floor FROM depts d JOIN (SELECT DISTINCT dept FROM people WHERE salary > 60) p ON p.dept = d.dept ORDER BY d.floor;
