-- rlike / regexp_replace (every match, $n groups) / regexp_extract (group n, '' when no match), worked by
-- hand (sqlite3 has no regular expressions): Spark's java.util.regex semantics for these patterns.
-- (riffle's CSV output writes an empty string as "" and booleans as true / false.)
-- sqlite: SELECT 'true', 'false', 'a#b#c', 'val', 'a<b>c', '""', 'x-y-z';
SELECT 'ab12' RLIKE '[0-9]+', 'abc' RLIKE '^b', regexp_replace('a1b22c', '[0-9]+', '#'),
       regexp_extract('key=val', '(\\w+)=(\\w+)', 2), regexp_replace('abc', '(b)', '<$1>'),
       regexp_extract('abc', '([0-9]+)', 1), regexp_replace('x  y   z', '\\s+', '-');
