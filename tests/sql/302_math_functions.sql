-- floor / ceil (bigint for doubles, decimal(p-s+1,0) for decimals), sqrt, power, ln, log10, log(b, x),
-- signum (double), greatest / least (NULLs skipped), against sqlite3's math functions.
-- sqlite: SELECT id, CAST(floor(salary) AS INTEGER), CAST(ceil(salary) AS INTEGER), round(sqrt(salary), 6), round(pow(id, 2), 6), round(ln(salary), 6), round(log10(salary), 6), round(ln(salary) / ln(2), 6), sign(salary - 80) * 1.0, max(id, coalesce(manager, id)), min(id, coalesce(manager, id)) FROM people WHERE salary IS NOT NULL ORDER BY id;
SELECT id, floor(salary), ceil(salary), round(sqrt(salary), 6), round(power(id, 2), 6), round(ln(salary), 6),
       round(log10(salary), 6), round(log(2, salary), 6), signum(salary - 80), greatest(id, manager), least(id, manager)
FROM people WHERE salary IS NOT NULL ORDER BY id;
