SELECT id FROM people WHERE EXISTS (SELECT 1 FROM depts WHERE floor = 4) AND id <= 3 ORDER BY id;
