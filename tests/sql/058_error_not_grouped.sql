-- error: column 'name' must appear in GROUP BY or inside an aggregate function
SELECT dept, name FROM people GROUP BY dept;
