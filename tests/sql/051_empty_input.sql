SELECT id, v FROM empty WHERE id > 0 ORDER BY id;
