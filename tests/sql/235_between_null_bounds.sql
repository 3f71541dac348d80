-- a NULL bound makes BETWEEN NULL unless the other bound already decides it
SELECT k, v FROM t1 WHERE v BETWEEN 20 AND NULL OR v NOT BETWEEN NULL AND 15 ORDER BY k, v;
