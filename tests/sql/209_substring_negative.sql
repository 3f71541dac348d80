-- a negative position counts from the end in both engines
SELECT id, substring(w, -3), substring(w, -3, 2), substr(w, 2), substr(w, 2, 100) FROM words WHERE id > 1 ORDER BY id;
-- sqlite: SELECT id, substr(w, -3), substr(w, -3, 2), substr(w, 2), substr(w, 2, 100) FROM words WHERE id > 1 ORDER BY id;
