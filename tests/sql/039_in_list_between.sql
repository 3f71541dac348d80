SELECT id FROM people WHERE dept IN ('eng', 'ops') AND salary BETWEEN 40 AND 100 ORDER BY id;
