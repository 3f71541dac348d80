-- size (of NULL: -1, as Spark), element_at (1-based, negative from the end, past the ends NULL),
-- array_contains, array_join over split's arrays; sqlite3 counts and cuts the same strings.
-- sqlite: SELECT id, CASE WHEN born IS NULL THEN -1 ELSE 3 END, substr(born, 6, 2), substr(born, 9, 2), NULL, CASE WHEN born IS NULL THEN NULL WHEN substr(born, 6, 2) = '01' OR substr(born, 9, 2) = '01' OR substr(born, 1, 4) = '01' THEN 'true' ELSE 'false' END, replace(born, '-', '/') FROM people ORDER BY id;
SELECT id, size(split(CAST(born AS STRING), '-')), element_at(split(CAST(born AS STRING), '-'), 2), element_at(split(CAST(born AS STRING), '-'), -1),
       element_at(split(CAST(born AS STRING), '-'), 4), array_contains(split(CAST(born AS STRING), '-'), '01'), array_join(split(CAST(born AS STRING), '-'), '/')
FROM people ORDER BY id;
