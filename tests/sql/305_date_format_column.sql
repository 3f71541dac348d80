-- date_format over a column against sqlite3's strftime (yyyy-MM-dd / dd.MM.yyyy / the year and month).
-- sqlite: SELECT id, strftime('%d.%m.%Y', born), strftime('%Y%m', born), CAST(strftime('%s', born) AS INTEGER) FROM people WHERE born IS NOT NULL ORDER BY id;
SELECT id, date_format(born, 'dd.MM.yyyy'), date_format(born, 'yyyyMM'), unix_timestamp(born) FROM people WHERE born IS NOT NULL ORDER BY id;
