-- sqlite has no year/month/dayofmonth: strftime
SELECT id, year(d), month(d), dayofmonth(d), day(d + INTERVAL 1 DAYS) FROM events ORDER BY id;
-- sqlite: SELECT id, CAST(strftime('%Y', d) AS INT), CAST(strftime('%m', d) AS INT), CAST(strftime('%d', d) AS INT), CAST(strftime('%d', date(d, '+1 days')) AS INT) FROM events ORDER BY id;
