-- upper / lower change every letter with a case partner, not only ASCII (Spark, DuckDB: CAFÉ). sqlite3's
-- upper() is ASCII only, so the expected values are written by hand (Unicode's simple case mappings).
-- sqlite: SELECT 'CAFÉ', 'école ωmega', 'ПРИВЕТ', 'straße', 'ÅNGSTRÖM';
SELECT upper('café'), lower('ÉCOLE ΩMEGA'), upper('привет'), lower('STRAßE'), upper('ångström');
