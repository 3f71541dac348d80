-- over no rows: the counts are 0 and the other aggregates NULL
SELECT COUNT(DISTINCT k), COUNT(DISTINCT s), COUNT(*), SUM(v) FROM t1 WHERE k > 1000;
