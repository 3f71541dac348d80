SELECT id, salary FROM people ORDER BY salary DESC, id LIMIT 3;
-- sqlite: SELECT id, salary FROM people ORDER BY salary IS NULL, salary DESC, id LIMIT 3;
