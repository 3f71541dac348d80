SELECT id, salary FROM people WHERE salary NOT BETWEEN 60 AND 95 ORDER BY id;
