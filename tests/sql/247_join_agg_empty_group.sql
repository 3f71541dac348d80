-- a global aggregate over an empty join is still one row
SELECT COUNT(*), SUM(p.salary), MAX(e.v) FROM people p JOIN empty e ON p.id = e.id;
