-- error: column 'v' must appear in GROUP BY or inside an aggregate function
SELECT k FROM t1 GROUP BY k HAVING v > 1;
