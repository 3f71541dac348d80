SELECT id, CASE WHEN dept IS NULL THEN 'none' ELSE CASE WHEN salary IS NULL THEN dept || ':?' WHEN salary > 80 THEN dept || ':hi' ELSE dept || ':lo' END END AS c FROM people ORDER BY id;
