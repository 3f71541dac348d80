SELECT id, name FROM people WHERE salary > 60 AND dept = 'eng' ORDER BY id;
