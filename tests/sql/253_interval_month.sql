-- INTERVAL n MONTH / YEAR added to dates: Spark's add_months (the month's last day when the day does
-- not exist), which sqlite3's date(d, '+1 month') does not do (it rolls over): the sqlite reference
-- computes the clamp itself, from the first day of the target month.
-- sqlite: SELECT id, min(date(d, 'start of month', '+1 month', '+' || (CAST(strftime('%d', d) AS INTEGER) - 1) || ' days'), date(d, 'start of month', '+2 months', '-1 day')), min(date(d, 'start of month', '-12 months', '+' || (CAST(strftime('%d', d) AS INTEGER) - 1) || ' days'), date(d, 'start of month', '-11 months', '-1 day')), CAST(strftime('%Y', d) AS INTEGER), CAST(strftime('%m', d) AS INTEGER) FROM events WHERE d IS NOT NULL ORDER BY id;
SELECT id, d + INTERVAL 1 MONTH, d - INTERVAL '1' YEAR, EXTRACT(YEAR FROM d), EXTRACT(MONTH FROM d) FROM events WHERE d IS NOT NULL ORDER BY id;
