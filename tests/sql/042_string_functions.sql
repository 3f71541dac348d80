SELECT id, lower(name), upper(name), length(name), substring(name, 2, 3), concat(name, '-', dept) FROM people WHERE id <= 5 ORDER BY id;
-- sqlite: SELECT id, lower(name), upper(name), length(name), substr(name, 2, 3), name || '-' || dept FROM people WHERE id <= 5 ORDER BY id;
