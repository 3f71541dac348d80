-- <=> matches NULL with NULL; sqlite spells it IS
SELECT t1.k, t1.v, t2.w FROM t1 JOIN t2 ON t1.k <=> t2.k ORDER BY t1.v NULLS LAST, t1.k, t2.w;
-- sqlite: SELECT t1.k, t1.v, t2.w FROM t1 JOIN t2 ON t1.k IS t2.k ORDER BY t1.v NULLS LAST, t1.k, t2.w;
