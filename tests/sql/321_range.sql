-- range(): one argument (0 .. n-1), start / end / step (negative too) and a partition count, joined with
-- a table; sqlite3 counts with a recursive CTE.
-- sqlite: WITH RECURSIVE r(id) AS (SELECT 10 UNION ALL SELECT id + 7 FROM r WHERE id + 7 < 100000) SELECT (SELECT count(*) FROM r), (SELECT sum(id) FROM r), (SELECT max(id) FROM r), (SELECT count(*) FROM t1 WHERE k IN (1, 2, 3, 4)), 4, 9;
SELECT (SELECT count(*) FROM range(10, 100000, 7, 3)), (SELECT sum(id) FROM range(10, 100000, 7)), (SELECT max(id) FROM range(10, 100000, 7)),
       (SELECT count(*) FROM range(1, 5) r JOIN t1 ON r.id = t1.k), (SELECT count(*) FROM range(4)), (SELECT sum(id) FROM range(5, 0, -2));
