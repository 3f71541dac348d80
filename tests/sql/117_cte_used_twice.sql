WITH c AS (SELECT k, v FROM t1 WHERE k IS NOT NULL)
SELECT a.k, a.v, b.v FROM c a JOIN c b ON a.k = b.k AND a.v < b.v ORDER BY a.k;
