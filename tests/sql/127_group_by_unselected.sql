-- the grouping column need not be selected
SELECT COUNT(*) AS n, SUM(amount) AS total FROM orders GROUP BY person_id ORDER BY total DESC, n;
