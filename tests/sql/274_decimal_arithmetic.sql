-- decimal(10,2) * int is exact at scale 2; + decimal(6,4) is exact at scale 4; - 1.5 at scale 2
-- sqlite: SELECT id, printf('%.2f', cents * qty / 100.0), printf('%.4f', (cents * 100 + r4) / 10000.0), printf('%.2f', (cents - 150) / 100.0), printf('%.2f', -cents / 100.0) FROM prices WHERE cents IS NOT NULL AND r4 IS NOT NULL ORDER BY id;
SELECT id, price * qty, price + rate, price - 1.5, -price FROM prices WHERE price IS NOT NULL AND rate IS NOT NULL ORDER BY id;
