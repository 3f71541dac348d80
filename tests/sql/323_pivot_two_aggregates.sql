-- PIVOT with two aggregates (count(*) and max) and an alias on the pivoted table.
-- sqlite: SELECT id, count(CASE WHEN dept = 'eng' THEN 1 END), max(CASE WHEN dept = 'eng' THEN salary END), count(CASE WHEN dept = 'hr' THEN 1 END), max(CASE WHEN dept = 'hr' THEN salary END) FROM people GROUP BY id ORDER BY id;
SELECT x.id, eng_n, eng_mx, hr_n, hr_mx FROM (SELECT dept, id, salary FROM people) PIVOT (count(*) AS n, max(salary) mx FOR dept IN ('eng', 'hr')) x ORDER BY x.id;
