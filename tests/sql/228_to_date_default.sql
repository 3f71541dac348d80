-- sqlite has no to_date: date() of the ISO string
SELECT to_date('2024-02-29'), to_date(CAST(d AS STRING)), datediff(to_date('2024-03-01'), to_date('2024-02-28')) FROM events WHERE id IN (3, 5) ORDER BY id;
-- sqlite: SELECT date('2024-02-29'), date(d), CAST(julianday('2024-03-01') - julianday('2024-02-28') AS INT) FROM events WHERE id IN (3, 5) ORDER BY id;
