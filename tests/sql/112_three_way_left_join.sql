SELECT p.id, d.floor, COUNT(o.order_id) AS n FROM people p LEFT JOIN depts d ON p.dept = d.dept LEFT JOIN orders o ON o.person_id = p.id AND o.status = 'open'
GROUP BY p.id, d.floor ORDER BY p.id;
