-- to_date with a pattern: a day the month does not have is NULL (02-29 without a year is 1970-02-29),
-- never rolled over to March; worked by hand (sqlite3 has no to_date).
-- sqlite: SELECT NULL, '2024-02-29', NULL, '1970-12-31';
SELECT to_date('02-29', 'MM-dd'), to_date('2024-02-29', 'yyyy-MM-dd'), to_date('2023-04-31', 'yyyy-MM-dd'), to_date('12-31', 'MM-dd');
