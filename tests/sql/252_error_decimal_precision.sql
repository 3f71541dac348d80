-- DECIMAL holds at most 38 digits, as in Spark
-- error: the precision must be 1 to 38
SELECT CAST(price AS DECIMAL(40,2)) FROM prices;
