-- a NULL k finds no match, so NOT EXISTS keeps it
SELECT k, v FROM t1 WHERE NOT EXISTS (SELECT 1 FROM t2 WHERE t2.k = t1.k) ORDER BY v NULLS LAST;
