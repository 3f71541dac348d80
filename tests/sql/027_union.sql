-- unordered
SELECT dept FROM people UNION SELECT dept FROM depts;
