-- A missing struct field is an analysis error naming the struct's type.
-- error: no field 'z' in struct<a:int>
SELECT named_struct('a', 1).z;
