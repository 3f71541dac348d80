-- Grouping by two columns of the same name from two tables, then ordering by position.
SELECT a.s, b.s, count(*) FROM t1 a JOIN t2 b ON a.k = b.k GROUP BY a.s, b.s ORDER BY 1, 2;
