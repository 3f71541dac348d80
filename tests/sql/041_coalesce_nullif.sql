SELECT id, COALESCE(dept, 'none') AS d, NULLIF(dept, 'eng') AS n FROM people ORDER BY id;
