SELECT id FROM words WHERE lower(w) IN ('hello', 'upper', 'ab', NULL) ORDER BY id;
