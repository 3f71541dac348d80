-- CREATE TEMPORARY VIEW v (c1, c2) AS query: the column list names the query's columns.
-- sqlite: SELECT dept, count(*) FROM people WHERE dept IS NOT NULL GROUP BY dept HAVING count(*) > 1 ORDER BY 1;
CREATE OR REPLACE TEMPORARY VIEW dept_sizes (d, n) AS SELECT dept, count(*) FROM people WHERE dept IS NOT NULL GROUP BY dept;
SELECT d, n FROM dept_sizes WHERE n > 1 ORDER BY d;
