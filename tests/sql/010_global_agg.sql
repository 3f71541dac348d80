SELECT COUNT(*), SUM(id), MIN(salary), MAX(salary) FROM people;
