SELECT a.dept, a.n, b.total FROM (SELECT dept, COUNT(*) AS n FROM people GROUP BY dept) a
JOIN (SELECT p.dept, SUM(o.amount) AS total FROM orders o JOIN people p ON o.person_id = p.id GROUP BY p.dept) b ON a.dept = b.dept
ORDER BY a.dept;
