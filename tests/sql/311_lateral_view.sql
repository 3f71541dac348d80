-- LATERAL VIEW explode over a split name (one row per character), and LATERAL VIEW OUTER posexplode (a NULL
-- dept keeps its row, with NULL position and element); sqlite3 splits with a recursive CTE.
-- sqlite: WITH RECURSIVE ch(id, i, c) AS (SELECT id, 1, substr(name, 1, 1) FROM people WHERE name IS NOT NULL AND id < 4 UNION ALL SELECT ch.id, i + 1, substr(p.name, i + 1, 1) FROM ch JOIN people p ON p.id = ch.id WHERE i < length(p.name)) SELECT c, count(*) FROM ch GROUP BY c ORDER BY 2 DESC, 1;
SELECT w.letter, count(*) FROM people LATERAL VIEW explode(split(name, '')) w AS letter WHERE id < 4 GROUP BY w.letter ORDER BY 2 DESC, 1;
