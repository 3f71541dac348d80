-- unordered
SELECT dept FROM people INTERSECT SELECT dept FROM depts;
