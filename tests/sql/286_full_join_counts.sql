-- FULL OUTER JOIN: the right side's columns of unmatched right rows keep their values (count(b.k)
-- counts them), and count(a.k) / count(b.k) are two aggregates, not one. sqlite3 has no FULL JOIN
-- before 3.39: the reference unions a left join with the unmatched right rows.
-- sqlite: SELECT count(ak), count(bk), count(*), count(bw) FROM (SELECT a.k AS ak, b.k AS bk, b.w AS bw FROM t1 a LEFT JOIN t2 b ON a.k = b.k UNION ALL SELECT NULL, b.k, b.w FROM t2 b WHERE NOT EXISTS (SELECT 1 FROM t1 a WHERE a.k = b.k));
SELECT count(a.k), count(b.k), count(*), count(b.w) FROM t1 a FULL OUTER JOIN t2 b ON a.k = b.k;
