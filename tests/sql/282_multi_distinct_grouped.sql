-- several DISTINCT aggregates and plain ones per group, NULL group keys included
-- unordered
SELECT dept, COUNT(DISTINCT manager), COUNT(DISTINCT born), SUM(DISTINCT id % 3), COUNT(*), MAX(salary), COUNT(name) FROM people GROUP BY dept;
