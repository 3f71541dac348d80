-- Edge cases of nested values, worked by hand from Spark's rules: slice from before the start is empty;
-- sequence(x, x, 0) is [x]; a correlated scalar subquery may return an array; a struct field name of
-- 300 characters travels between ranks (GROUP BY shuffles it); RANGE frames put NaN above every number
-- (its frame is the NaN rows) and infinity within no offset of a number.
-- sqlite: SELECT 'a', '[]', '[4]', NULL UNION ALL SELECT 'b', '1', '[2]', NULL UNION ALL SELECT 'b', '2', '[3]', NULL UNION ALL SELECT 'b', '5', NULL, NULL
-- sqlite: UNION ALL SELECT 'c', '0', '5', NULL UNION ALL SELECT 'c', '1', '5', NULL
-- sqlite: UNION ALL SELECT 'd', '1.0', '1', '1' UNION ALL SELECT 'd', '5.0', '1', '1' UNION ALL SELECT 'd', 'Infinity', '1', '1' UNION ALL SELECT 'd', 'NaN', '2', '2' UNION ALL SELECT 'd', 'NaN', '2', '2' ORDER BY 1, 2, 3;
SELECT 'a', CAST(slice(array(1, 2, 3), -5, 3) AS STRING), CAST(sequence(4, 4, 0) AS STRING), NULL
UNION ALL SELECT 'b', CAST(k AS STRING), CAST((SELECT array(v) FROM VALUES (1), (2), (3) AS t2(v) WHERE t2.v = t1.k + 1) AS STRING), NULL FROM VALUES (1), (2), (5) AS t1(k)
UNION ALL SELECT 'c', CAST(s.ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff AS STRING), CAST(count(*) AS STRING), NULL FROM (SELECT named_struct('ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', id % 2) AS s FROM range(10)) GROUP BY s
UNION ALL SELECT 'd', CAST(x AS STRING), CAST(count(*) OVER (ORDER BY x RANGE BETWEEN CURRENT ROW AND 1 FOLLOWING) AS STRING),
  CAST(count(*) OVER (ORDER BY x DESC RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) AS STRING)
  FROM VALUES (1.0D), (5.0D), (double('NaN')), (double('NaN')), (double('inf')) AS t(x)
ORDER BY 1, 2, 3;
