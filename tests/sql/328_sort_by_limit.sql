-- SORT BY then LIMIT: the limit applies after the sort (one partition here), as Spark's.
-- sqlite: SELECT k FROM t1 WHERE k IS NOT NULL ORDER BY k DESC LIMIT 3;
SELECT k FROM (SELECT /*+ COALESCE(1) */ k FROM t1 WHERE k IS NOT NULL) SORT BY k DESC LIMIT 3;
