-- INT UNION DOUBLE is DOUBLE in Spark; sqlite keeps each value's own type, so cast it there
SELECT k FROM t1 WHERE k < 3 UNION ALL SELECT x FROM vals WHERE g = 'a' ORDER BY 1;
-- sqlite: SELECT CAST(k AS REAL) FROM t1 WHERE k < 3 UNION ALL SELECT x FROM vals WHERE g = 'a' ORDER BY 1;
