-- DISTRIBUTE BY / SORT BY / CLUSTER BY: the rows are the query's rows (how they are laid out over
-- partitions is not compared here).
-- sqlite: SELECT dept, id FROM people UNION ALL SELECT dept, id FROM people WHERE id > 5;
-- unordered
(SELECT dept, id FROM people DISTRIBUTE BY dept SORT BY id DESC)
UNION ALL
SELECT dept, id FROM (SELECT dept, id FROM people WHERE id > 5 CLUSTER BY dept);
