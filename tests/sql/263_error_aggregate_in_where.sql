-- error: aggregate functions are not allowed in WHERE
SELECT k FROM t1 WHERE SUM(v) > 1;
