-- Spark rounds a double by its shortest decimal spelling, HALF_UP: 1.005 -> 1.01, 2.675 -> 2.68, 0.285 -> 0.29
SELECT round(1.005, 2), round(2.675, 2), round(0.285, 2), round(-1.005, 2), round(0.5), round(-0.5), round(x + 0.005, 2) FROM vals WHERE g = 'a' AND x > 2;
