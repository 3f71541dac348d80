-- an aggregate over no rows is one NULL row
SELECT k, (SELECT MAX(id) FROM empty) AS m, k + (SELECT MAX(id) FROM empty) AS s FROM t1 WHERE k < 3 ORDER BY k, v;
