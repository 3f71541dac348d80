-- error: VALUES rows must all have 7 columns; this one has 1
SELECT * FROM VALUES (1, 'a', 'b', 'c', 'd', 'e', 'f'), (2) AS t(a, b, c, d, e, f, g);
