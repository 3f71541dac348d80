-- INT arithmetic wraps in Spark; sqlite computes in 64 bits, so the wrap is computed there
SELECT k, 2147483647 + k FROM t1 WHERE k < 3 ORDER BY k, v;
-- sqlite: SELECT k, ((2147483647 + k + 2147483648) % 4294967296) - 2147483648 FROM t1 WHERE k < 3 ORDER BY k, v;
