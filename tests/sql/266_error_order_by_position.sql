-- error: ORDER BY position 3 is not in the select list
SELECT k FROM t1 ORDER BY 3;
