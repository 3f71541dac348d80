-- Spark's semantics for: NOT LIKE ANY (some pattern does not match) / NOT LIKE ALL (none matches),
-- ltrim / rtrim (chars, str), a NULL concat_ws separator, ascii of a non-ASCII letter (its code point);
-- worked by hand.
-- sqlite: SELECT 'true', 'false', 'true', 'SparkSQL ', 'ax  xa', NULL, 233;
SELECT 'abc' NOT LIKE ANY ('a%', 'x%'), 'abc' NOT LIKE ALL ('a%', 'x%'), 'xyz' NOT LIKE ALL ('a%', 'b%'),
       ltrim('abc', 'acbabSparkSQL '), rtrim(' x', 'ax  xa'), concat_ws(CAST(NULL AS STRING), 'a', 'b'), ascii('é');
