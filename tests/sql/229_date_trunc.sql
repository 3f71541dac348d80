-- date_trunc gives a TIMESTAMP; sqlite builds the same text with strftime
SELECT id, date_trunc('MONTH', d), date_trunc('YEAR', d), date_trunc('DAY', d) FROM events ORDER BY id;
-- sqlite: SELECT id, strftime('%Y-%m-01 00:00:00', d), strftime('%Y-01-01 00:00:00', d), strftime('%Y-%m-%d 00:00:00', d) FROM events ORDER BY id;
