-- months_between, next_day, trunc, weekday, format_number (half even), base64 / unbase64, bin, degrees,
-- atan2, bround (half even) and rint; values from Spark's documented examples or worked by hand.
-- sqlite: SELECT 3.94959677, 1.0, '2015-01-20', '2019-07-29', '2019-07-01', 3, '"12,332.1235"', '"1,234,568"', 'U3BhcmsgU1FM', 'Spark SQL', 1101, 180.0, 0.785398, 2, 4, 20, 2.2, 2.0;
SELECT months_between(timestamp '1997-02-28 10:30:00', timestamp '1996-10-30'), months_between(date '2024-03-31', date '2024-02-29'),
       next_day(date '2015-01-14', 'TU'), trunc(date '2019-08-04', 'week'), trunc(date '2019-08-04', 'quarter'), weekday(date '2009-07-30'),
       format_number(12332.123456, 4), format_number(1234567.5, 0), base64('Spark SQL'), unbase64('U3BhcmsgU1FM'), bin(13),
       round(degrees(pi()), 6), round(atan2(1, 1), 6), bround(2.5, 0), bround(3.5, 0), bround(25, -1), bround(2.25BD, 1), rint(2.5);
