-- SHOW FUNCTIONS LIKE 'pattern' ('*' any run, '|' alternatives), sorted; the list is riffle's own.
-- sqlite: SELECT 'btrim' UNION ALL SELECT 'date_add' UNION ALL SELECT 'date_format' UNION ALL SELECT 'date_sub' UNION ALL SELECT 'date_trunc' UNION ALL SELECT 'datediff' UNION ALL SELECT 'ltrim' UNION ALL SELECT 'rtrim' UNION ALL SELECT 'trim';
SHOW FUNCTIONS LIKE 'date*|*trim';
