-- a CTE hides a view of the same name
WITH people AS (SELECT k AS id, s AS name FROM t1 WHERE k < 3) SELECT id, name FROM people ORDER BY id, name;
