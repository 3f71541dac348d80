-- Spark's literal types: 1.50 is decimal(3,2), 2 becomes decimal(1,0) next to it, 4.0 makes 10 / 4.0 a
-- decimal(9,6) division, 1e3 and 1.5D are doubles. sqlite has only doubles: the expected row is by hand.
-- sqlite: SELECT 'true', '3.50', '2.500000', '1.21', '1.5', '-1.25', '123.456', '1000.0', '1.5', 'false', '0.333333';
SELECT 0.1 + 0.2 = 0.3, 1.50 + 2, 10 / 4.0, 1.1 * 1.1, 7.5 % 2, -1.25, 123.456BD, 1e3, 1.5D, 0.1D + 0.2D = 0.3D, 1.0 / 3;
