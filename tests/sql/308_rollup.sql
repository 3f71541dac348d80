-- GROUP BY ROLLUP with grouping() and grouping_id(): the sqlite3 reference is the union of the three
-- groupings it stands for.
-- sqlite: SELECT * FROM (SELECT dept, manager, count(*), sum(salary), 0, 0 FROM people WHERE id < 8 GROUP BY dept, manager UNION ALL SELECT dept, NULL, count(*), sum(salary), 0, 1 FROM people WHERE id < 8 GROUP BY dept UNION ALL SELECT NULL, NULL, count(*), sum(salary), 1, 3 FROM people WHERE id < 8) ORDER BY 6, 1, 2;
SELECT dept, manager, count(*), sum(salary), grouping(dept), grouping_id() FROM people WHERE id < 8
GROUP BY ROLLUP(dept, manager) ORDER BY grouping_id(), dept, manager;
