-- error: DECIMAL is not supported yet (use DOUBLE)
SELECT CAST(v AS DECIMAL(10,2)) FROM t1;
