-- the USING column of a FULL join is the non-NULL side's key
-- unordered
SELECT k, v, w FROM t1 FULL JOIN t2 USING (k);
