-- unordered
SELECT dept FROM depts EXCEPT SELECT dept FROM people;
