SELECT order_id, amount FROM orders WHERE amount > (SELECT AVG(amount) FROM orders) + 200 AND amount < (SELECT MAX(amount) FROM orders) ORDER BY order_id;
