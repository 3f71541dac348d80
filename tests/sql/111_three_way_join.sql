SELECT p.name, d.floor, o.order_id, o.amount FROM people p JOIN depts d ON p.dept = d.dept JOIN orders o ON o.person_id = p.id
WHERE o.amount > 440 ORDER BY o.order_id;
