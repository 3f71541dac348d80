-- a string compared with a date is cast to a date
SELECT order_id, day FROM orders WHERE day = '2026-03-10' OR day > '2026-03-29' ORDER BY order_id;
