-- running decimal sum per group (ROWS frame) and the group's exact average
-- sqlite: SELECT id, grp, printf('%.2f', sum(cents) OVER (PARTITION BY grp ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) / 100.0) FROM prices WHERE cents IS NOT NULL ORDER BY grp, id;
SELECT id, grp, sum(price) OVER (PARTITION BY grp ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM prices WHERE price IS NOT NULL ORDER BY grp, id;
