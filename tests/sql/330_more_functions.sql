-- More of Spark's functions, the expected values worked by hand or taken from Spark's documented examples
-- (sqlite3 has none of these): isnan, isnull, nanvl, pmod (a non-negative remainder), mod, typeof,
-- levenshtein, soundex, substring_index, overlay, octet_length, bit_length.
-- sqlite: SELECT 'true', 'true', 'true', 1.5, 2, 1.5, -1, 3.14159, 2.71828, 'int', 'string', '"decimal(2,1)"', 'void', 3, 'R163', 'T522', 'www.apache', 'apache.org', 'Spark_SQL', 'Spark CORESQL', 2, 16;
SELECT isnan(CAST('NaN' AS DOUBLE)), isnull(NULL), isnotnull(1), nanvl(CAST('NaN' AS DOUBLE), 1.5), pmod(-7, 3), pmod(7.5, -2),
       mod(-7, 3), round(pi(), 5), round(e(), 5), typeof(1), typeof('a'), typeof(1.5BD), typeof(NULL), levenshtein('kitten', 'sitting'),
       soundex('Robert'), soundex('Tymczak'), substring_index('www.apache.org', '.', 2), substring_index('www.apache.org', '.', -2),
       overlay('Spark SQL', '_', 6), overlay('Spark SQL', 'CORE', 7, 0), octet_length('é'), bit_length('ab');
