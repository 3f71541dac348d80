-- sqlite has no TIMESTAMP type: datetime strings
SELECT id, CAST(d AS TIMESTAMP), date_trunc('HOUR', TIMESTAMP '2026-03-28 12:34:56'), CAST(TIMESTAMP '2026-03-28 12:34:56' AS DATE) FROM events WHERE id IN (1, 5) ORDER BY id;
-- sqlite: SELECT id, datetime(d), strftime('%Y-%m-%d %H:00:00', '2026-03-28 12:34:56'), date('2026-03-28 12:34:56') FROM events WHERE id IN (1, 5) ORDER BY id;
