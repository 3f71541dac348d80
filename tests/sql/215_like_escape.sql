-- backslash escapes % and _ in Spark's LIKE; sqlite needs an explicit ESCAPE
SELECT id, w FROM words WHERE w LIKE '%0\%' OR w LIKE 'a\_%' ORDER BY id;
-- sqlite: PRAGMA case_sensitive_like = ON;
-- sqlite: SELECT id, w FROM words WHERE w LIKE '%0\%' ESCAPE '\' OR w LIKE 'a\_%' ESCAPE '\' ORDER BY id;
