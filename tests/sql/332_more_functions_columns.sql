-- The same functions over a column (vectorized paths), against sqlite3's equivalents.
-- sqlite: SELECT id, CASE WHEN salary IS NULL THEN 'true' ELSE 'false' END, ((id - 7) % 3 + 3) % 3, length(CAST(name AS BLOB)), substr(born, 1, 4) FROM people WHERE name IS NOT NULL AND born IS NOT NULL ORDER BY id;
SELECT id, isnull(salary), pmod(id - 7, 3), octet_length(name), substring_index(CAST(born AS STRING), '-', 1) FROM people WHERE name IS NOT NULL AND born IS NOT NULL ORDER BY id;
