-- NULL NOT LIKE ... is NULL: the NULL row is in neither result
SELECT id FROM words WHERE w NOT LIKE '%l%' ORDER BY id;
-- sqlite: PRAGMA case_sensitive_like = ON;
-- sqlite: SELECT id FROM words WHERE w NOT LIKE '%l%' ORDER BY id;
