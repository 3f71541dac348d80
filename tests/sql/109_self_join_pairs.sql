-- every pair of colleagues in the same department, each pair once
SELECT a.name, b.name FROM people a JOIN people b ON a.dept = b.dept AND a.id < b.id ORDER BY a.id, b.id;
