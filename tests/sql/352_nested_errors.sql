-- A NULL map key is an error, as in Spark.
-- error: a map key cannot be NULL
SELECT map(CASE WHEN id > 1 THEN NULL ELSE 'a' END, 1) FROM range(1, 3);
