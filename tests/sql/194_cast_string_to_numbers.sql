-- a string that is not a number casts to NULL in Spark; sqlite casts it to 0, so the sqlite side casts only strings of digits
SELECT CAST(s AS INT), CAST('12' AS INT) + 1, CAST('2.5' AS DOUBLE) * 2, CAST('x1' AS BIGINT) FROM t1 WHERE k = 1;
-- sqlite: SELECT CASE WHEN s NOT GLOB '*[^0-9]*' THEN CAST(s AS INT) END, CAST('12' AS INT) + 1, CAST('2.5' AS REAL) * 2, CASE WHEN 'x1' NOT GLOB '*[^0-9]*' THEN CAST('x1' AS INT) END FROM t1 WHERE k = 1;
