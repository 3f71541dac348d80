-- round(decimal, 1) rounds HALF_UP away from zero; coalesce widens decimal and int
-- sqlite: SELECT id, CASE WHEN cents IS NOT NULL THEN printf('%.1f', (CASE WHEN cents >= 0 THEN (cents + 5) / 10 ELSE -((-cents + 5) / 10) END) / 10.0) END, printf('%.2f', coalesce(cents, 0) / 100.0) FROM prices WHERE id <= 12 ORDER BY id;
SELECT id, round(price, 1), coalesce(price, 0) FROM prices WHERE id <= 12 ORDER BY id;
