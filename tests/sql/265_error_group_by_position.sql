-- error: GROUP BY position 5 is not in the select list
SELECT k FROM t1 GROUP BY 5;
