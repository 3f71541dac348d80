SELECT e.name, m.name AS manager FROM people e JOIN people m ON e.manager = m.id ORDER BY e.id;
