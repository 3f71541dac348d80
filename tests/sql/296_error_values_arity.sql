-- error: VALUES rows must all have 2 columns; this one has 3
SELECT * FROM VALUES (1, 2), (3, 4, 5);
