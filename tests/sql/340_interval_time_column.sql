-- A time interval over a column of dates (each date's midnight plus 36 hours), against sqlite3.
-- sqlite: SELECT id, datetime(born, '+36 hours') FROM people WHERE born IS NOT NULL ORDER BY id;
SELECT id, born + INTERVAL 36 HOURS FROM people WHERE born IS NOT NULL ORDER BY id;
