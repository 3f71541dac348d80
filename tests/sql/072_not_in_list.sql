-- NULL k is neither IN nor NOT IN the list
SELECT k, v FROM t1 WHERE k NOT IN (1, 2, 7) ORDER BY k, v;
