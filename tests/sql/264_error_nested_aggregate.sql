-- error: aggregate function max() is not allowed here
SELECT SUM(MAX(v)) FROM t1;
