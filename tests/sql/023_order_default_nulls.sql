-- Spark puts NULLs first when ascending and last when descending
SELECT name FROM people ORDER BY name;
-- sqlite: SELECT name FROM people ORDER BY name IS NOT NULL, name;
