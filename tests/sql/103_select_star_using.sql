-- SELECT * with USING: the key once, then the other columns of each side
SELECT * FROM t1 JOIN t2 USING (k) ORDER BY k, v, w;
