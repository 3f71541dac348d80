-- sqlite has no EXCEPT ALL: number the duplicates and subtract (value, n) pairs
SELECT status FROM orders WHERE person_id = 1 EXCEPT ALL SELECT status FROM orders WHERE person_id = 2 ORDER BY status;
-- sqlite: SELECT status FROM (SELECT status, row_number() OVER (PARTITION BY status) AS n FROM orders WHERE person_id = 1
-- sqlite: EXCEPT SELECT status, row_number() OVER (PARTITION BY status) FROM orders WHERE person_id = 2) ORDER BY status;
