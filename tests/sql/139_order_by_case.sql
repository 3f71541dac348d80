SELECT name, dept FROM people ORDER BY CASE dept WHEN 'ops' THEN 0 WHEN 'eng' THEN 1 ELSE 2 END, id;
