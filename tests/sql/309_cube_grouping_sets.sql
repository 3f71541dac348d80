-- CUBE, GROUPING SETS with an empty set, HAVING over the sets, and Hive's WITH ROLLUP.
-- sqlite: SELECT * FROM (SELECT dept, manager, count(*) AS n FROM people GROUP BY dept, manager UNION ALL SELECT dept, NULL, count(*) FROM people GROUP BY dept UNION ALL SELECT NULL, manager, count(*) FROM people GROUP BY manager UNION ALL SELECT NULL, NULL, count(*) FROM people) WHERE n > 1 UNION ALL SELECT * FROM (SELECT dept, NULL, count(*) AS n FROM people GROUP BY dept UNION ALL SELECT NULL, NULL, count(*) FROM people) ORDER BY 1, 2, 3;
-- unordered
SELECT dept, manager, count(*) FROM people GROUP BY CUBE(dept, manager) HAVING count(*) > 1
UNION ALL
SELECT dept, NULL, count(*) FROM people GROUP BY dept WITH ROLLUP;
