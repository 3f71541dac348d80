SELECT e.id, e.name, m.name AS boss, mm.name AS boss_boss FROM people e LEFT JOIN people m ON e.manager = m.id LEFT JOIN people mm ON m.manager = mm.id ORDER BY e.id;
