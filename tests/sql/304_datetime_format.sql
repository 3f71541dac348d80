-- date_format / to_timestamp / unix_timestamp / from_unixtime / make_date with Spark's datetime
-- patterns, in UTC; worked by hand (sqlite3's strftime uses other patterns): 2024-03-05 was a Tuesday,
-- 2024-12-31 is day 366; 1704067200 is 2024-01-01 00:00:00 UTC; 2024-02-30 does not exist.
-- sqlite: SELECT '2024-03-05 14:07:09.123 Tue Mar PM 02', '31/12/24 366', '2024-03-05 14:07:00', '2024-03-05 01:02:03', 1704067200, '1970-01-02 00:00:00', '1970/01/01', NULL, '2024-02-29', '2024-03-05 00:00:00', NULL;
SELECT date_format(timestamp '2024-03-05 14:07:09.123', 'yyyy-MM-dd HH:mm:ss.SSS EEE MMM a hh'), date_format(date '2024-12-31', 'dd/MM/yy D'),
       to_timestamp('05/03/2024 14:07', 'dd/MM/yyyy HH:mm'), to_timestamp('2024-03-05 01:02:03'), unix_timestamp('2024-01-01 00:00:00'),
       from_unixtime(86400), from_unixtime(0, 'yyyy/MM/dd'), make_date(2024, 2, 30), make_date(2024, 2, 29),
       to_timestamp('Mar 5 2024', 'MMM d yyyy'), to_timestamp('2024-13-01', 'yyyy-MM-dd');
