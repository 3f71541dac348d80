-- Spark binds INTERSECT tighter than UNION; sqlite reads left to right, so parenthesize there
SELECT k FROM t2 WHERE k = 8 UNION SELECT k FROM t1 INTERSECT SELECT k FROM t2 WHERE k < 4 ORDER BY k;
-- sqlite: SELECT k FROM t2 WHERE k = 8 UNION SELECT * FROM (SELECT k FROM t1 INTERSECT SELECT k FROM t2 WHERE k < 4) ORDER BY k;
