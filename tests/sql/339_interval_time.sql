-- INTERVAL n HOUR / MINUTE / SECOND with timestamps (a date counts from its midnight), and DAY / WEEK
-- intervals on timestamps (24-hour days); sqlite3's datetime modifiers are the reference.
-- sqlite: SELECT datetime('2024-03-05 10:00:00', '+90 minutes'), datetime('2024-03-05 10:00:00', '-1 hours'), datetime('2024-03-05', '+30 seconds'), datetime('2024-03-05 10:00:00', '+2 days'), datetime('2024-01-01 00:00:00', '+1 hours'), date('2024-03-05', '+2 days'), datetime('2024-03-05 10:00:00', '-7 days');
SELECT timestamp '2024-03-05 10:00:00' + INTERVAL 90 MINUTES, timestamp '2024-03-05 10:00:00' - INTERVAL '1' HOUR, date '2024-03-05' + INTERVAL 30 SECONDS,
       timestamp '2024-03-05 10:00:00' + INTERVAL 2 DAYS, INTERVAL 1 HOUR + timestamp '2024-01-01 00:00:00', date '2024-03-05' + INTERVAL 2 DAYS,
       timestamp '2024-03-05 10:00:00' - INTERVAL 1 WEEK;
