-- sqlite has no TIMESTAMP type: datetime strings
SELECT id FROM events WHERE CAST(d AS TIMESTAMP) < TIMESTAMP '2024-02-29 00:00:01' AND CAST(d AS TIMESTAMP) >= TIMESTAMP '2024-01-01 00:00:00' ORDER BY id;
-- sqlite: SELECT id FROM events WHERE datetime(d) < '2024-02-29 00:00:01' AND datetime(d) >= '2024-01-01 00:00:00' ORDER BY id;
