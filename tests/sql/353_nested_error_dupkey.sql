-- A map key given twice is an error (Spark's spark.sql.mapKeyDedupPolicy=EXCEPTION).
-- error: duplicate map key
SELECT map('a', 1, 'a', 2);
