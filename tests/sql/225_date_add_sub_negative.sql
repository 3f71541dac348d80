-- sqlite has no date_add/date_sub: date(d, '+n days')
SELECT id, date_add(d, -1), date_sub(d, -1), date_add(d, 366), date_sub(d, 0) FROM events ORDER BY id;
-- sqlite: SELECT id, date(d, '-1 days'), date(d, '+1 days'), date(d, '+366 days'), date(d) FROM events ORDER BY id;
