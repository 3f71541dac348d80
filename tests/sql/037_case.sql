SELECT id, CASE WHEN salary >= 90 THEN 'high' WHEN salary >= 60 THEN 'mid' ELSE 'low' END AS band FROM people ORDER BY id;
