-- Correlated scalar subqueries over several tables, with an expression of aggregates (TPC-H Q2, Q17):
-- a person whose salary is above 0.9 times the average of their department's people on some floor,
-- and the count of a department's orders (0, not NULL, where there are none).
SELECT p.id, p.name,
       (SELECT count(*) FROM orders o, people q WHERE o.person_id = q.id AND q.dept = p.dept) + 1 AS dept_orders
FROM people p, depts d
WHERE p.dept = d.dept
  AND p.salary > (SELECT 0.9 * avg(x.salary) FROM people x, depts y WHERE x.dept = y.dept AND y.floor >= 0 AND x.dept = p.dept)
ORDER BY p.id;
