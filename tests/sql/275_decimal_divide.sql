-- decimal(10,2) / int: Spark's result type decimal(21,13), rounded HALF_UP (sqlite: integer arithmetic, positive values)
-- sqlite: SELECT id, printf('%d.%013d', ((2 * cents * 100000000000 + qty) / (2 * qty)) / 10000000000000, ((2 * cents * 100000000000 + qty) / (2 * qty)) % 10000000000000) FROM prices WHERE cents > 0 AND qty > 0 ORDER BY id;
SELECT id, price / qty FROM prices WHERE price > 0 AND qty > 0 ORDER BY id;
