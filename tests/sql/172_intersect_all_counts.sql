-- each status as often as the smaller side has it; sqlite has no INTERSECT ALL: number the duplicates
SELECT status FROM orders WHERE person_id = 1 INTERSECT ALL SELECT status FROM orders WHERE person_id = 2 ORDER BY status;
-- sqlite: SELECT status FROM (SELECT status, row_number() OVER (PARTITION BY status) AS n FROM orders WHERE person_id = 1
-- sqlite: INTERSECT SELECT status, row_number() OVER (PARTITION BY status) FROM orders WHERE person_id = 2) ORDER BY status;
