-- Spark rounds a double by its shortest decimal spelling, HALF_UP: 1.005 -> 1.01, 2.675 -> 2.68, 0.285 -> 0.29.
-- The literals here are exact decimals (as in Spark), so they round exactly; round(0.5) is decimal(1,0)
-- and prints 1 where sqlite's double prints 1.0.
-- sqlite: SELECT round(1.005, 2), round(2.675, 2), round(0.285, 2), round(-1.005, 2), CAST(round(0.5) AS INTEGER), CAST(round(-0.5) AS INTEGER), round(x + 0.005, 2) FROM vals WHERE g = 'a' AND x > 2;
SELECT round(1.005, 2), round(2.675, 2), round(0.285, 2), round(-1.005, 2), round(0.5), round(-0.5), round(x + 0.005, 2) FROM vals WHERE g = 'a' AND x > 2;
