-- error: EXISTS and IN (subquery) are supported as WHERE conjuncts only
SELECT k FROM t1 WHERE k > 5 OR k IN (SELECT k FROM t2);
