SELECT id FROM people WHERE id > (SELECT COUNT(*) FROM empty) + 8 ORDER BY id;
