-- A LATERAL VIEW inside an IN subquery and a correlated scalar subquery is part of the subquery (its
-- columns are not the outer query's), and two LATERAL VIEWs chain; worked by hand: 'a,b' explodes to
-- a and b (no zz), so the IN finds nothing; the count of a and b is 2; the chained views pair p, q with r.
-- sqlite: SELECT 'none', 2, 'p|r' UNION ALL SELECT 'none', 2, 'q|r';
SELECT coalesce((SELECT k FROM VALUES ('a,b', 'zz') AS t(k, c) WHERE k IN (SELECT str FROM VALUES ('a,b') AS s(str) LATERAL VIEW explode(split(str, ',')) v AS c WHERE c = 'zz')), 'none'),
       (SELECT count(*) FROM VALUES ('a,b') AS s(str) LATERAL VIEW explode(split(str, ',')) v AS c WHERE s.str = 'a,b'),
       x.a || '|' || y.b
FROM (SELECT 1) LATERAL VIEW explode(split('p,q', ',')) x AS a LATERAL VIEW explode(split('r', ',')) y AS b ORDER BY 3;
