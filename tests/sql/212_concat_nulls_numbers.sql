-- concat and || give NULL when any argument is NULL; numbers are cast to strings
SELECT k, concat(s, '-', k), s || v, concat('n', v, 'x'), concat(s, 1.5) FROM t1 ORDER BY v NULLS LAST, k;
-- sqlite has no concat(): ||
-- sqlite: SELECT k, s || '-' || k, s || v, 'n' || v || 'x', s || 1.5 FROM t1 ORDER BY v NULLS LAST, k;
