-- unordered
SELECT dept FROM people UNION ALL SELECT dept FROM depts;
