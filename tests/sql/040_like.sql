SELECT name FROM people WHERE name LIKE '%e%' OR name LIKE 'J_' ORDER BY name;
