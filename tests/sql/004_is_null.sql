SELECT id, dept IS NULL AS no_dept FROM people WHERE dept IS NULL OR salary IS NULL ORDER BY id;
-- sqlite: SELECT id, CASE WHEN dept IS NULL THEN 'true' ELSE 'false' END FROM people WHERE dept IS NULL OR salary IS NULL ORDER BY id;
