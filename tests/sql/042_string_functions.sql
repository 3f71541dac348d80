SELECT id, lower(name), upper(name), length(name), substring(name, 2, 3), concat(name, '-', dept) FROM people WHERE id <= 5 ORDER BY id;
-- sqlite3's upper() changes ASCII letters only; Spark's changes é too (the one non-ASCII letter here).
-- sqlite: SELECT id, lower(name), replace(upper(name), 'é', 'É'), length(name), substr(name, 2, 3), name || '-' || dept FROM people WHERE id <= 5 ORDER BY id;
