-- Exchange reuse: a self-join reads one table through two identical exchanges; the second reads the
-- first's output (ReusedExchange), so the table is scanned and shuffled once.
SELECT a.person_id, count(*) AS pairs, sum(b.amount - a.amount) AS d
FROM orders a JOIN orders b ON a.person_id = b.person_id AND a.order_id < b.order_id
GROUP BY a.person_id ORDER BY a.person_id;
