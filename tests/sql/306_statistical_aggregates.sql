-- Central-moment aggregates (var_samp / variance, var_pop, stddev_samp / stddev, stddev_pop, skewness,
-- kurtosis) and bool_and / bool_or / every / some, against sqlite3 computing the moments from the
-- deviations around each group's mean. NULL where Spark's are NULL: one value for the sample forms, no
-- spread for skewness and kurtosis.
-- sqlite: WITH m AS (SELECT dept, avg(salary) AS mu, count(salary) AS n FROM people GROUP BY dept), d AS (SELECT p.dept, p.salary - m.mu AS x, m.n AS n FROM people p JOIN m ON p.dept IS m.dept WHERE p.salary IS NOT NULL) SELECT m.dept, CASE WHEN m.n > 1 THEN round(sum(x*x) / (m.n - 1), 6) END, round(sum(x*x) / m.n, 6), CASE WHEN m.n > 1 THEN round(sqrt(sum(x*x) / (m.n - 1)), 6) END, round(sqrt(sum(x*x) / m.n), 6), CASE WHEN sum(x*x) > 0 THEN round(sqrt(m.n) * sum(x*x*x) / pow(sum(x*x), 1.5), 6) END, CASE WHEN sum(x*x) > 0 THEN round(m.n * sum(x*x*x*x) / (sum(x*x) * sum(x*x)) - 3, 6) END, (SELECT CASE WHEN min(salary > 60) = 1 THEN 'true' ELSE 'false' END FROM people q WHERE q.dept IS m.dept AND q.salary IS NOT NULL), (SELECT CASE WHEN max(salary > 100) = 1 THEN 'true' ELSE 'false' END FROM people q WHERE q.dept IS m.dept AND q.salary IS NOT NULL) FROM m JOIN d ON d.dept IS m.dept GROUP BY m.dept ORDER BY m.dept;
SELECT dept, round(variance(salary), 6), round(var_pop(salary), 6), round(stddev(salary), 6), round(stddev_pop(salary), 6),
       round(skewness(salary), 6), round(kurtosis(salary), 6), every(salary > 60), some(salary > 100)
FROM people WHERE salary IS NOT NULL GROUP BY dept ORDER BY dept;
