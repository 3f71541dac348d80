-- error: UNION: the two sides have different numbers of columns
SELECT k FROM t1 UNION SELECT k, w FROM t2;
