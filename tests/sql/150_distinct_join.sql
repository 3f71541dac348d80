SELECT DISTINCT p.dept, o.status FROM people p JOIN orders o ON o.person_id = p.id WHERE o.amount > 480 ORDER BY p.dept, o.status;
