SELECT p.name, d.budget, o.amount FROM people p, depts d, orders o
WHERE p.dept = d.dept AND o.person_id = p.id AND o.status = 'cancelled' AND d.budget < 500 ORDER BY o.order_id;
