-- DECIMAL(10,2) read from CSV: sum is decimal(20,2), min/max keep the type; sqlite adds integer cents
-- sqlite: SELECT grp, printf('%.2f', sum(cents) / 100.0), count(cents), printf('%.2f', min(cents) / 100.0), printf('%.2f', max(cents) / 100.0) FROM prices GROUP BY grp ORDER BY grp;
SELECT grp, sum(price), count(price), min(price), max(price) FROM prices GROUP BY grp ORDER BY grp;
