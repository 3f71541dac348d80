-- LATERAL VIEW OUTER posexplode: positions from 0; a NULL array keeps its row with NULLs; worked by hand
-- from the data (dept eng, NULL, ops split on 'e' / no split for NULL).
-- sqlite: SELECT 1, 0, '""' UNION ALL SELECT 1, 1, 'ng' UNION ALL SELECT 4, NULL, NULL UNION ALL SELECT 5, 0, 'ops';
SELECT id, t.pos, t.c FROM people LATERAL VIEW OUTER posexplode(split(dept, 'e')) t AS pos, c WHERE id IN (1, 4, 5) ORDER BY id, t.pos;
