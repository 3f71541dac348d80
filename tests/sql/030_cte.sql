WITH big AS (SELECT * FROM orders WHERE amount > 250), per AS (SELECT person_id, COUNT(*) AS n FROM big GROUP BY person_id)
SELECT person_id, n FROM per ORDER BY n DESC, person_id;
