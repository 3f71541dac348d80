SELECT id, CAST(salary AS STRING), CAST(id AS DOUBLE), CAST(manager AS STRING) || '!' FROM people ORDER BY id;
-- sqlite's REAL/TEXT spellings
-- sqlite: SELECT id, CAST(salary AS TEXT), CAST(id AS REAL), CAST(manager AS TEXT) || '!' FROM people ORDER BY id;
