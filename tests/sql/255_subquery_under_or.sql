-- IN (subquery) under OR (per-row counts of the subquery, three-valued). sqlite3 runs the same text.
SELECT k, v FROM t1 WHERE k > 5 OR k IN (SELECT k FROM t2) ORDER BY k, v;
