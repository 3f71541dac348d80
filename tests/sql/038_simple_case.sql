SELECT id, CASE dept WHEN 'eng' THEN 1 WHEN 'sales' THEN 2 ELSE 0 END AS code FROM people ORDER BY id;
