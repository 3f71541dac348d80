-- x NOT IN (empty set) is true even for a NULL x
SELECT k, v FROM t1 WHERE k NOT IN (SELECT id FROM empty) ORDER BY v NULLS LAST, k;
