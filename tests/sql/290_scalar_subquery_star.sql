-- SELECT * with a scalar subquery in WHERE: the subquery's value is not a column of the result.
SELECT * FROM t1 WHERE k = (SELECT max(k) FROM t1);
