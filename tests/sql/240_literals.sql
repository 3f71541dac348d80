-- sqlite has no 10L suffix, reads "dq" as an identifier and prints 1e3 as 1000.0 only when written so: plain spellings there
SELECT 10L + k, 1e3, 2.5E-1, "dq" || 'x', CASE WHEN k == 1 THEN 'eq' END, CASE WHEN k != 1 THEN 'ne' ELSE 'same' END, 'it''s' FROM t1 WHERE k = 1;
-- sqlite: SELECT 10 + k, 1000.0, 0.25, 'dq' || 'x', CASE WHEN k == 1 THEN 'eq' END, CASE WHEN k != 1 THEN 'ne' ELSE 'same' END, 'it''s' FROM t1 WHERE k = 1;
