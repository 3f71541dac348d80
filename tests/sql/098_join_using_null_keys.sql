SELECT k, t1.v, t2.w FROM t1 JOIN t2 USING (k) ORDER BY k, t1.v, t2.w;
