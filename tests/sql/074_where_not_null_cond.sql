-- NOT (NULL) is NULL, so rows with a NULL v are in neither result
SELECT k, v FROM t1 WHERE NOT (v > 20) ORDER BY k;
