SELECT * FROM (SELECT order_id, amount FROM orders WHERE amount IS NOT NULL ORDER BY amount DESC, order_id LIMIT 5) t ORDER BY order_id;
