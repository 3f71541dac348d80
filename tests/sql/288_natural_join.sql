-- NATURAL JOIN joins on every column both sides name (k and s here), not a table aliased "natural".
-- The USING columns come first (k, s), then the rest of each side, as Spark puts them.
-- sqlite: SELECT t1.k, t1.s, t1.v, x.w FROM t1 NATURAL JOIN (SELECT k, w, CASE WHEN k = 2 THEN 'b' ELSE s END AS s FROM t2) x;
-- unordered
SELECT * FROM t1 NATURAL JOIN (SELECT k, w, CASE WHEN k = 2 THEN 'b' ELSE s END AS s FROM t2) x;
