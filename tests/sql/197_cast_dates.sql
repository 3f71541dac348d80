-- sqlite has no DATE type: dates are ISO strings there
SELECT CAST('2024-02-29' AS DATE), CAST(CAST('2024-02-29' AS DATE) AS STRING) || '!', CAST(d AS STRING) FROM events WHERE id IN (1, 5) ORDER BY id;
-- sqlite: SELECT '2024-02-29', '2024-02-29!', d FROM events WHERE id IN (1, 5) ORDER BY id;
