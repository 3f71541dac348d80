-- unordered
SELECT dept, COUNT(*) FROM people GROUP BY dept;
