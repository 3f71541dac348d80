-- error: VALUES takes constant expressions
SELECT * FROM VALUES (k + 1) AS t(x);
