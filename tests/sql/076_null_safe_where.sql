-- sqlite spells <=> as IS
SELECT k, v FROM t1 WHERE s <=> NULL ORDER BY v;
-- sqlite: SELECT k, v FROM t1 WHERE s IS NULL ORDER BY v;
