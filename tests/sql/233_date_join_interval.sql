-- orders placed within a week after another order of the same person (sqlite: date())
SELECT a.order_id, b.order_id FROM orders a JOIN orders b ON a.person_id = b.person_id AND b.day > a.day AND b.day <= a.day + INTERVAL 1 WEEKS
WHERE a.person_id = 5 ORDER BY a.order_id, b.order_id;
-- sqlite: SELECT a.order_id, b.order_id FROM orders a JOIN orders b ON a.person_id = b.person_id AND b.day > a.day AND b.day <= date(a.day, '+7 days')
-- sqlite: WHERE a.person_id = 5 ORDER BY a.order_id, b.order_id;
