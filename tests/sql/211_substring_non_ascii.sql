-- positions and lengths count characters, not bytes
SELECT id, name, length(name), substring(name, 2, 2), substring(name, -2) FROM people WHERE id IN (3, 8) ORDER BY id;
-- sqlite: SELECT id, name, length(name), substr(name, 2, 2), substr(name, -2) FROM people WHERE id IN (3, 8) ORDER BY id;
