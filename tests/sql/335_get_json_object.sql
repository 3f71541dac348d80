-- get_json_object against sqlite3's json_extract (strings unquoted, objects and arrays as compact JSON,
-- JSON null and missing paths NULL; text that is not JSON is NULL, where sqlite3 needs json_valid). Both
-- sides drop quotes and turn commas into ';' so that sqlite3's unquoted output compares with CSV.
-- sqlite: WITH j(id, doc) AS (VALUES (1, '{"a":"b","n":{"m":[1,{"c":"x y"}]}}'), (2, '{"a": null, "n": {"m": [10, 20]}}'), (3, 'not json'), (4, '{"a": 1.5}')) SELECT id, CASE WHEN json_valid(doc) THEN json_extract(doc, '$.a') END, replace(replace(CASE WHEN json_valid(doc) THEN json_extract(doc, '$.n.m[1]') END, '"', ''), ',', ';'), replace(replace(CASE WHEN json_valid(doc) THEN json_extract(doc, '$.n') END, '"', ''), ',', ';'), CASE WHEN json_valid(doc) THEN json_extract(doc, '$.zz') END FROM j ORDER BY id;
SELECT id, get_json_object(doc, '$.a'), replace(replace(get_json_object(doc, '$.n.m[1]'), '"', ''), ',', ';'),
       replace(replace(get_json_object(doc, '$.n'), '"', ''), ',', ';'), get_json_object(doc, '$.zz')
FROM VALUES (1, '{"a":"b","n":{"m":[1,{"c":"x y"}]}}'), (2, '{"a": null, "n": {"m": [10, 20]}}'), (3, 'not json'), (4, '{"a": 1.5}') AS j(id, doc)
ORDER BY id;
