-- casts to and from decimal round HALF_UP and give NULL on overflow (Spark without ANSI mode); by hand
-- sqlite: SELECT '12.35', '-0.01', '', '2', '-2', '19.5', '1.1', '7', '';
SELECT CAST('12.345' AS DECIMAL(10,2)), CAST(-0.005 AS DECIMAL(10,2)), CAST('123456' AS DECIMAL(5,2)), CAST(2.5 AS INT), CAST(-2.9 AS INT), CAST(19.5D AS DECIMAL(4,1)), CAST(1.1 AS DOUBLE), CAST(7 AS DECIMAL(3,0)), CAST('x' AS DECIMAL(5,2));
