-- sqlite has no INTERVAL: date(d, '+n days')
SELECT id, d + INTERVAL 1 DAYS, d - INTERVAL 1 DAYS, d + INTERVAL 2 WEEKS, d - INTERVAL 30 DAYS FROM events ORDER BY id;
-- sqlite: SELECT id, date(d, '+1 days'), date(d, '-1 days'), date(d, '+14 days'), date(d, '-30 days') FROM events ORDER BY id;
