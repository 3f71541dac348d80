-- byte order: upper case before lower case, accented letters last
SELECT s FROM t1 WHERE s IS NOT NULL UNION ALL SELECT name FROM people WHERE id IN (3, 8) ORDER BY 1;
