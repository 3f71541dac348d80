-- the NULLs in the subquery do not matter to IN: a row is kept only when it matches
SELECT k, v FROM t1 WHERE k IN (SELECT k FROM t2) ORDER BY k, v;
