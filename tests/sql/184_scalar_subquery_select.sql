SELECT id, salary, (SELECT MAX(salary) FROM people) - salary AS gap FROM people WHERE salary IS NOT NULL ORDER BY id;
