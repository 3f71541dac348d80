-- Hints change plans, never rows: BROADCAST(alias), COALESCE(n), REPARTITION(n, col); an unknown hint is
-- ignored, as Spark ignores it.
-- sqlite: SELECT p.id, x.floor FROM people p JOIN depts x ON p.dept = x.dept UNION ALL SELECT id, 0 FROM people;
-- unordered
SELECT /*+ BROADCAST(x), NO_SUCH_HINT(y) */ p.id, x.floor FROM people p JOIN depts x ON p.dept = x.dept
UNION ALL
SELECT /*+ REPARTITION(3, id) */ id, 0 FROM (SELECT /*+ COALESCE(1) */ id FROM people);
