SELECT id, CAST(salary AS INT), CAST(id AS STRING) || 'x', CAST('42' AS BIGINT) + id FROM people ORDER BY id;
