-- error: EXCEPT: the two sides have different numbers of columns
SELECT k, v FROM t1 EXCEPT SELECT k FROM t2;
