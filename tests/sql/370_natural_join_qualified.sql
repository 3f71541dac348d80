-- After NATURAL JOIN / JOIN USING the key is one column for * and unqualified names, but each side's
-- key stays reachable by its table name (nt2.k, nt2.*), as in Spark. sqlite3 runs the same text.
WITH nt1(k, v1) AS (VALUES ('one', 1), ('two', 2), ('three', 3)), nt2(k, v2) AS (VALUES ('one', 1), ('two', 22), ('one', 5))
SELECT 'star', nt2.*, NULL FROM nt1 NATURAL JOIN nt2
UNION ALL SELECT 'both', nt1.k, nt2.k, k FROM nt1 NATURAL JOIN nt2
UNION ALL SELECT 'using', nt2.k, v1, v2 FROM nt1 JOIN nt2 USING (k) WHERE nt2.k = 'one'
ORDER BY 1, 2, 3, 4;
