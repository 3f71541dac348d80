-- v IN (10, NULL) is NULL unless v = 10; v NOT IN (10, NULL) is never true
SELECT v, CASE WHEN v IN (10, NULL) THEN 'in' WHEN NOT (v IN (10, NULL)) THEN 'out' ELSE 'null' END AS r FROM t1 ORDER BY v;
