-- Spark's LIKE is case sensitive; sqlite's is not by default
SELECT id, w FROM words WHERE w LIKE 'h%' OR w LIKE '%PER' ORDER BY id;
-- sqlite: PRAGMA case_sensitive_like = ON;
-- sqlite: SELECT id, w FROM words WHERE w LIKE 'h%' OR w LIKE '%PER' ORDER BY id;
