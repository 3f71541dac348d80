SELECT id, lower(w), upper(w) FROM words WHERE id > 1 ORDER BY id;
