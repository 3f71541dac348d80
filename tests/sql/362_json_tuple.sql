-- json_tuple: one row per input row with the keys' values as text (nested values as JSON, a missing key
-- or text that is not JSON NULL), in SELECT (columns c0, c1, ...) and in LATERAL VIEW. sqlite3's
-- json_extract gives the same values (json_valid guards the malformed row; the CSV quoting is spelled out).
-- sqlite: WITH j(id, t) AS (VALUES (1, '{"a": 1, "b": {"c": 2}, "x.y": "z"}'), (2, '{"a": "text", "b": [1, 2]}'), (3, 'oops'))
-- sqlite: SELECT id, a, CASE WHEN instr(b, ',') OR instr(b, '"') THEN '"' || replace(b, '"', '""') || '"' ELSE b END, xy FROM (
-- sqlite:   SELECT id, CASE WHEN json_valid(t) THEN json_extract(t, '$.a') END AS a, CASE WHEN json_valid(t) THEN json_extract(t, '$.b') END AS b, CASE WHEN json_valid(t) THEN json_extract(t, '$."x.y"') END AS xy FROM j) ORDER BY id;
WITH j(id, t) AS (VALUES (1, '{"a": 1, "b": {"c": 2}, "x.y": "z"}'), (2, '{"a": "text", "b": [1, 2]}'), (3, 'oops'))
SELECT id, a, b, xy FROM j LATERAL VIEW json_tuple(t, 'a', 'b', 'x.y') v AS a, b, xy ORDER BY id;
