-- Spark's conversion functions: int(x), bigint, double, string, date, decimal (decimal(10,0)), boolean;
-- if(c, a, b), nvl, nvl2, ifnull.
-- sqlite: SELECT id, CAST(salary AS INTEGER), id * 1000000000, salary * 1.0, CAST(id AS TEXT) || '!', born, CAST(round(salary) AS INTEGER), CASE WHEN salary > 80 THEN 'high' ELSE 'low' END, coalesce(dept, '-'), CASE WHEN manager IS NOT NULL THEN 'managed' ELSE 'top' END, coalesce(name, '?') FROM people WHERE salary IS NOT NULL ORDER BY id;
SELECT id, int(salary), bigint(id) * 1000000000, double(salary), string(id) || '!', date(born), decimal(salary),
       if(salary > 80, 'high', 'low'), nvl(dept, '-'), nvl2(manager, 'managed', 'top'), ifnull(name, '?')
FROM people WHERE salary IS NOT NULL ORDER BY id;
