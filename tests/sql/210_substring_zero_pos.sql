-- Spark treats position 0 as 1; sqlite's substr(x, 0, n) returns n-1 characters, so it is written with 1 there
SELECT id, substring(w, 0, 3), '[' || substring(w, 10, 2) || ']', '[' || substring(w, 2, 0) || ']' FROM words WHERE id BETWEEN 2 AND 7 ORDER BY id;
-- sqlite: SELECT id, substr(w, 1, 3), '[' || substr(w, 10, 2) || ']', '[' || substr(w, 2, 0) || ']' FROM words WHERE id BETWEEN 2 AND 7 ORDER BY id;
