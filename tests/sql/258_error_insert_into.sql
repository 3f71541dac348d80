-- error: expected OVERWRITE
INSERT INTO t1 SELECT * FROM t1;
