-- An error in a branch of UNION under ORDER BY is reported as itself (it was lost, leaving "out of memory").
-- error: column 'nope' not found
SELECT 1 UNION ALL SELECT nope FROM t1 ORDER BY 1;
