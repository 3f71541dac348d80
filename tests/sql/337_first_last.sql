-- first / last in input order (the same at every rank count: partial states meet in task order), with
-- ignoreNulls, beside a DISTINCT aggregate (the Expand rewrite keeps ignoreNulls); people.csv is in id
-- order, so sqlite3 picks by id.
-- sqlite: SELECT dept, (SELECT name FROM people q WHERE q.dept IS p.dept ORDER BY id LIMIT 1), (SELECT name FROM people q WHERE q.dept IS p.dept ORDER BY id DESC LIMIT 1), (SELECT salary FROM people q WHERE q.dept IS p.dept AND salary IS NOT NULL ORDER BY id DESC LIMIT 1), (SELECT manager FROM people q WHERE q.dept IS p.dept ORDER BY id LIMIT 1), count(DISTINCT salary) FROM people p GROUP BY dept ORDER BY dept;
SELECT dept, first(name), last(name), last(salary, true), first_value(manager), count(DISTINCT salary) FROM people GROUP BY dept ORDER BY dept;
