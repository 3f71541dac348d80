-- error: COUNT() takes one argument
SELECT COUNT(DISTINCT k, s) FROM t1;
