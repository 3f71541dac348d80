-- [NOT] IN / EXISTS over a subquery reading the same table as the outer query: the subquery's names
-- shadow the outer query's (it is planned whole, under an alias), not an ambiguous column.
SELECT count(*) AS c,
  (SELECT count(*) FROM orders WHERE person_id NOT IN (SELECT person_id FROM orders WHERE status = 'cancelled' AND amount > 300)) AS n,
  (SELECT count(*) FROM orders WHERE EXISTS (SELECT 1 FROM orders WHERE amount > 400)) AS x
FROM orders WHERE person_id IN (SELECT person_id FROM orders WHERE status = 'paid');
