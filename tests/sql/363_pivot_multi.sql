-- PIVOT over two columns: FOR (q, r) IN ((v1, v2) AS name, ...), each value a pair; a pair without a
-- name is named {v1, v2}, as Spark prints it. sqlite3 computes the same sums with CASE.
-- sqlite: WITH s(y, q, r, amt) AS (VALUES ('2024', 'q1', 'east', 10), ('2024', 'q1', 'west', 5), ('2024', 'q2', 'east', 7), ('2025', 'q1', 'east', 1), ('2025', 'q2', 'west', 3))
-- sqlite: SELECT y, sum(CASE WHEN q = 'q1' AND r = 'east' THEN amt END), sum(CASE WHEN q = 'q1' AND r = 'west' THEN amt END), sum(CASE WHEN q = 'q2' AND r = 'west' THEN amt END) FROM s GROUP BY y ORDER BY y;
WITH s(y, q, r, amt) AS (VALUES ('2024', 'q1', 'east', 10), ('2024', 'q1', 'west', 5), ('2024', 'q2', 'east', 7), ('2025', 'q1', 'east', 1), ('2025', 'q2', 'west', 3))
SELECT y, q1e, q1w, `{q2, west}` FROM s PIVOT (sum(amt) FOR (q, r) IN (('q1', 'east') AS q1e, ('q1', 'west') AS q1w, ('q2', 'west'))) ORDER BY y;
