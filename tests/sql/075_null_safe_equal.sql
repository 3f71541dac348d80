-- <=> is true for two NULLs; sqlite spells it IS
SELECT a.k, b.k, CASE WHEN a.k <=> b.k THEN 1 ELSE 0 END AS nse, CASE WHEN a.k = b.k THEN 1 WHEN NOT (a.k = b.k) THEN 0 END AS eq
FROM (SELECT DISTINCT k FROM t1 WHERE k IS NULL OR k < 3) a CROSS JOIN (SELECT DISTINCT k FROM t2 WHERE k IS NULL OR k < 4) b
ORDER BY a.k, b.k;
-- sqlite: SELECT a.k, b.k, CASE WHEN a.k IS b.k THEN 1 ELSE 0 END AS nse, CASE WHEN a.k = b.k THEN 1 WHEN NOT (a.k = b.k) THEN 0 END AS eq
-- sqlite: FROM (SELECT DISTINCT k FROM t1 WHERE k IS NULL OR k < 3) a CROSS JOIN (SELECT DISTINCT k FROM t2 WHERE k IS NULL OR k < 4) b
-- sqlite: ORDER BY a.k, b.k;
