-- agg(x) FILTER (WHERE c), count(a, b) (rows where neither is NULL), count(DISTINCT a, b) (distinct
-- tuples without NULLs) and approx_count_distinct (exact here, within any error bound).
-- sqlite: SELECT dept, sum(CASE WHEN salary > 80 THEN 1 ELSE 0 END), sum(CASE WHEN id > 3 THEN salary END), sum(CASE WHEN name IS NOT NULL AND manager IS NOT NULL THEN 1 ELSE 0 END), (SELECT count(*) FROM (SELECT DISTINCT salary, manager FROM people q WHERE q.dept IS p.dept AND salary IS NOT NULL AND manager IS NOT NULL)), count(DISTINCT salary) FROM people p GROUP BY dept ORDER BY dept;
SELECT dept, count(*) FILTER (WHERE salary > 80), sum(salary) FILTER (WHERE id > 3), count(name, manager),
       count(DISTINCT salary, manager), approx_count_distinct(salary)
FROM people GROUP BY dept ORDER BY dept;
