-- Spark's / is always a double division; sqlite's needs a REAL operand
SELECT id, id + 1, id * 2, id - 3, ROUND(id / 4, 3), id % 3 FROM people ORDER BY id;
-- sqlite: SELECT id, id + 1, id * 2, id - 3, ROUND(id / 4.0, 3), id % 3 FROM people ORDER BY id;
