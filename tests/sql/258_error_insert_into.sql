-- INSERT INTO names a table of the catalog, not a temporary view
-- error: table 't1' not found (CREATE TABLE it first)
INSERT INTO t1 SELECT * FROM t1;
