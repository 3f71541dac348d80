SELECT k, 2 + k * 3, (2 + k) * 3, k - 1 - 1, -k * 2, 10 - -k, k * 2 % 3 FROM t1 WHERE k IS NOT NULL ORDER BY k, v;
