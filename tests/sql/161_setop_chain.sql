-- UNION ALL and EXCEPT have the same precedence and associate to the left in both engines
SELECT k FROM t1 UNION ALL SELECT k FROM t2 EXCEPT SELECT k FROM t2 WHERE k > 3 ORDER BY k;
