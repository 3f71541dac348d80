-- String functions sqlite3 lacks, worked by hand from Spark's documented semantics: reverse (by
-- character), initcap, translate (unpaired characters deleted), split_part (negative from the end,
-- past the parts ''), ascii, chr, hex / unhex, startswith / endswith / contains, locate from a position.
-- (riffle's CSV output writes an empty string as "" and booleans as true / false.)
-- sqlite: SELECT 'olléh', 'Hello World', 'xcxc', 'c', '""', 65, 'B', 'FF', '4142', 'AB', 'true', 'false', 'true', 4, 0;
SELECT reverse('héllo'), initcap('hello wORLD'), translate('abcabc', 'ab', 'x'), split_part('a,b,c', ',', -1),
       split_part('a,b,c', ',', 5), ascii('A'), chr(66), hex(255), hex('AB'), unhex('4142'),
       startswith('abc', 'ab'), endswith('abc', 'b'), contains('abc', 'c'), locate('l', 'hello', 4), locate('z', 'hello');
