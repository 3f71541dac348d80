-- unordered
SELECT DISTINCT dept FROM people;
