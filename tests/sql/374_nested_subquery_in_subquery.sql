-- A correlated EXISTS / NOT EXISTS whose own WHERE holds another subquery (correlated with the
-- subquery's table): the inner one joins the subquery's FROM first. sqlite3 runs the same text.
WITH bonus(emp_name, amt) AS (VALUES ('a', 10), ('b', 20), ('c', 30)), emp(emp_name, dept_id) AS (VALUES ('a', 1), ('b', 2), ('c', 9)),
     dept(dept_id, state) AS (VALUES (1, 'CA'), (2, 'NY'))
SELECT 'exists', emp_name, amt FROM bonus WHERE EXISTS (SELECT emp_name FROM emp WHERE bonus.emp_name = emp.emp_name AND EXISTS (SELECT state FROM dept WHERE dept.dept_id = emp.dept_id))
UNION ALL SELECT 'not exists', emp_name, amt FROM bonus WHERE NOT EXISTS (SELECT 1 FROM emp WHERE bonus.emp_name = emp.emp_name AND emp.dept_id IN (SELECT dept_id FROM dept WHERE state = 'CA'))
ORDER BY 1, 2;
