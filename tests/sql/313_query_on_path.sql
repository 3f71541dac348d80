-- A query straight on a file, Spark's csv.`path`: no header (the header line is a row), every column a
-- string named _c0, _c1, ...; text.`path` gives one row per line.
-- sqlite: SELECT 'k', 'v' UNION ALL SELECT CAST(k AS TEXT), CAST(v AS TEXT) FROM t1 WHERE s = 'a' OR s IS NULL UNION ALL SELECT 'lines', 10;
-- unordered
SELECT _c0, _c1 FROM csv.`${data}/t1.csv` x WHERE x._c2 = 'a' OR x._c2 IS NULL OR _c2 = 's'
UNION ALL
SELECT 'lines', CAST(count(*) AS STRING) FROM text.`${data}/t1.csv`;
