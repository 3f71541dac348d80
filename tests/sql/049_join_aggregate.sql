SELECT p.dept, COUNT(o.order_id) AS orders, SUM(o.amount) AS total
FROM people p JOIN orders o ON p.id = o.person_id
GROUP BY p.dept ORDER BY p.dept NULLS FIRST;
-- sqlite: SELECT p.dept, COUNT(o.order_id), SUM(o.amount) FROM people p JOIN orders o ON p.id = o.person_id GROUP BY p.dept ORDER BY p.dept;
