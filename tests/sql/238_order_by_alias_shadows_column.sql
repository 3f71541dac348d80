-- ORDER BY v names the select item v (-v), not the input column v
SELECT -v AS v FROM t1 WHERE v IS NOT NULL ORDER BY v;
