-- RANGE frames with value offsets over one ORDER BY key: the rows whose key is within the offsets of
-- the row's key (peers included), ascending and descending, a NULL key's frame being its peers, and
-- offsets on one side only; over integers and doubles. sqlite3 has RANGE frames with offsets.
WITH t(g, x, d) AS (VALUES (1, 1, 0.5), (1, 2, 1.5), (1, 2, 1.75), (1, 5, 2.0), (1, NULL, NULL), (1, 9, 4.5), (2, 3, 1.0), (2, 4, 3.0))
SELECT g, x, sum(x) OVER (PARTITION BY g ORDER BY x RANGE BETWEEN 1 PRECEDING AND 1 FOLLOWING),
  count(*) OVER (PARTITION BY g ORDER BY x RANGE BETWEEN 3 PRECEDING AND CURRENT ROW),
  sum(x) OVER (PARTITION BY g ORDER BY x DESC RANGE BETWEEN 2 PRECEDING AND 1 PRECEDING),
  max(x) OVER (PARTITION BY g ORDER BY x RANGE BETWEEN UNBOUNDED PRECEDING AND 2 FOLLOWING),
  min(x) OVER (PARTITION BY g ORDER BY x RANGE BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING),
  count(d) OVER (PARTITION BY g ORDER BY d RANGE BETWEEN 1 PRECEDING AND 1 FOLLOWING),
  sum(x) OVER (ORDER BY x RANGE 2 PRECEDING)
FROM t ORDER BY g, x, d;
