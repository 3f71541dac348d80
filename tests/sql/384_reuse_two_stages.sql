-- Exchange reuse across stages: a view named twice plans its aggregation's exchange twice; both
-- final aggregations (in different stages, each re-shuffled for the join) read one exchange's output.
WITH s AS (SELECT person_id, count(*) AS n, sum(amount) AS amt FROM orders GROUP BY person_id)
SELECT x.person_id, x.n, y.amt, y.n AS m FROM s x JOIN s y ON x.person_id = y.person_id + 1
ORDER BY x.person_id;
