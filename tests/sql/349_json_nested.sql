-- from_json into a struct of typed fields (a missing field, a field of another JSON type and text that
-- is not JSON give NULL), into an array and a map; to_json of structs (NULL fields left out), arrays and
-- maps; json_array_length, json_object_keys, schema_of_json. Expected rows: DuckDB's JSON functions
-- (json_extract casts for from_json; its to_json keeps NULL fields, so the test's NULL is dropped there).
-- duckdb: CREATE TABLE j AS SELECT * FROM (VALUES (1, '{"a": 1, "b": [1, 2], "c": {"d": "x"}}'), (2, '{"a": "no", "b": [], "e": 5}'), (3, 'not json'), (4, '{"a": 7, "c": {"d": null}}')) v(id, txt);
-- duckdb: SELECT id, CASE WHEN json_valid(txt) THEN TRY_CAST(json_extract(txt, '$.a') AS INT) END, CASE WHEN json_valid(txt) THEN CAST(json_extract(txt, '$.b') AS INT[])::VARCHAR END,
-- duckdb:   CASE WHEN json_valid(txt) THEN json_extract_string(txt, '$.c.d') END,
-- duckdb:   to_json({'id': id, 't': 'q"' || id}), to_json([id, id + 1]), to_json(MAP {'k': id}),
-- duckdb:   CASE WHEN json_valid(txt) THEN json_array_length(json_extract(txt, '$.b')) END, CASE WHEN json_valid(txt) THEN json_keys(txt)::VARCHAR END,
-- duckdb:   (CAST(json_extract('[1, 2, 3]', '$') AS INT[]))[id]
-- duckdb: FROM j ORDER BY id;
CREATE TEMPORARY VIEW j AS SELECT * FROM VALUES (1, '{"a": 1, "b": [1, 2], "c": {"d": "x"}}'), (2, '{"a": "no", "b": [], "e": 5}'), (3, 'not json'), (4, '{"a": 7, "c": {"d": null}}') AS v(id, txt);
SELECT id, from_json(txt, 'a INT, b ARRAY<INT>, c STRUCT<d: STRING>').a, from_json(txt, 'a INT, b ARRAY<INT>, c STRUCT<d: STRING>').b,
  from_json(txt, 'a INT, b ARRAY<INT>, c STRUCT<d: STRING>').c.d,
  to_json(named_struct('id', id, 'gone', NULL, 't', concat('q"', id))), to_json(array(id, id + 1)), to_json(map('k', id)),
  json_array_length(get_json_object(txt, '$.b')), json_object_keys(txt),
  from_json('[1, 2, 3]', 'array<int>')[id - 1]
FROM j ORDER BY id;
