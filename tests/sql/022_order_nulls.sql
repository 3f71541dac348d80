SELECT id, salary FROM people ORDER BY salary DESC NULLS FIRST, id;
-- sqlite: SELECT id, salary FROM people ORDER BY salary IS NOT NULL, salary DESC, id;
