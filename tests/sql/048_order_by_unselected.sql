SELECT name FROM people WHERE name IS NOT NULL ORDER BY salary DESC, id;
-- sqlite: SELECT name FROM people WHERE name IS NOT NULL ORDER BY salary IS NULL, salary DESC, id;
