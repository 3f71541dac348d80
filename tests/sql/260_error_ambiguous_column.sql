-- error: column reference 'k' is ambiguous
SELECT k FROM t1 JOIN t2 ON t1.k = t2.k;
