-- schema_of_json infers Spark's types (integers bigint, other numbers double, objects as structs with
-- their fields sorted by name, arrays of their elements' common type) and spells them in Spark's DDL.
-- Worked by hand from Spark's inference rules (no other engine here spells Spark's DDL).
-- sqlite: SELECT '"STRUCT<a: BIGINT, b: ARRAY<DOUBLE>, c: STRUCT<x: STRING>, d: BOOLEAN>"', 'ARRAY<BIGINT>';
SELECT schema_of_json('{"d": true, "b": [1, 2.5], "a": 1, "c": {"x": "y"}}'), schema_of_json('[1, 2]');
