-- NULL NOT IN (non-empty set) is NULL: rows with a NULL k are dropped
SELECT k, v FROM t1 WHERE k NOT IN (SELECT k FROM t2 WHERE k IS NOT NULL) ORDER BY v NULLS LAST;
