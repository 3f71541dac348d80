SELECT id, salary FROM people WHERE salary > (SELECT AVG(salary) FROM people) ORDER BY id;
