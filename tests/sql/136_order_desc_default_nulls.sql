-- descending: NULLs last by default in both engines
SELECT v FROM t1 ORDER BY v DESC;
