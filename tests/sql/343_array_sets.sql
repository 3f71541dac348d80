-- array_distinct / array_union / array_intersect / array_except keep first-occurrence order and one
-- copy of each value (a NULL counts as a value); arrays_overlap is NULL when no element is shared but
-- a NULL is there. Worked by hand (DuckDB's list set functions do not keep order): for id 1..3 the
-- arrays are x = [id, 1, id, NULL, 2] and y = [3, id, 3, NULL].
-- sqlite: SELECT 1, '"[1, null, 2]"', '"[1, null, 2, 3]"', '"[1, null]"', '[2]', 'true' UNION ALL SELECT 2, '"[2, 1, null]"', '"[2, 1, null, 3]"', '"[2, null]"', '[1]', 'true' UNION ALL SELECT 3, '"[3, 1, null, 2]"', '"[3, 1, null, 2]"', '"[3, null]"', '"[1, 2]"', 'true' UNION ALL SELECT 4, '"[1, 2]"', '"[1, 2, 3, null]"', '[]', '"[1, 2]"', '' ORDER BY 1;
SELECT id, array_distinct(x), array_union(x, y), array_intersect(x, y), array_except(x, y), arrays_overlap(x, y)
FROM (SELECT id, CASE WHEN id < 4 THEN array(id, 1, id, NULL, 2) ELSE array(1, 2) END AS x,
             CASE WHEN id < 4 THEN array(3, id, 3, NULL) ELSE array(3, NULL) END AS y FROM range(1, 5)) ORDER BY id;
