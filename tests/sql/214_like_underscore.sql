-- Spark's LIKE is case sensitive; sqlite's is not by default
SELECT id, w FROM words WHERE w LIKE '_b' OR w LIKE 'a__' OR w LIKE '_____' ORDER BY id;
-- sqlite: PRAGMA case_sensitive_like = ON;
-- sqlite: SELECT id, w FROM words WHERE w LIKE '_b' OR w LIKE 'a__' OR w LIKE '_____' ORDER BY id;
