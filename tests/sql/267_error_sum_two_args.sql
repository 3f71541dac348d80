-- error: sum() takes one argument
SELECT sum(v, k) FROM t1;
