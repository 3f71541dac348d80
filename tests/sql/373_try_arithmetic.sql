-- try_add / try_subtract / try_multiply / try_divide: NULL where + - * would overflow their type (int
-- for two ints, bigint with a bigint) and for a division by 0; try_divide gives a double. Worked by
-- hand: 2147483647 + 1 overflows int, 9223372036854775807 + 1 overflows bigint, 100000 * 100000
-- overflows int but not bigint; -2147483648 is a bigint literal (the minus applies to 2147483648).
-- sqlite: SELECT NULL, 3, NULL, -2147483649, NULL, 10000000000, NULL, 2.5, 3.5;
SELECT try_add(2147483647, 1), try_add(1, 2), try_add(9223372036854775807L, 1), try_subtract(-2147483648, 1), try_multiply(100000, 100000),
  try_multiply(100000L, 100000), try_divide(5, 0), try_divide(5, 2), try_add(1.5D, 2);
