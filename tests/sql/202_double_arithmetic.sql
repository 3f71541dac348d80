SELECT g, x, x + 1, x * 2, x - 0.5, ROUND(x / 4, 4) FROM vals WHERE x IS NOT NULL ORDER BY x;
