-- covar_pop / covar_samp / corr (x, y) and the regr_ family (y, x), over the pairs where neither is NULL,
-- grouped and not; sqlite3 computes them from sums over the same pairs.
-- sqlite: WITH q AS (SELECT CASE WHEN id > 5 THEN 'hi' ELSE 'lo' END AS g, id * 1.0 AS x, salary AS y FROM people WHERE salary IS NOT NULL), s AS (SELECT g, count(*) AS n, avg(x) AS mx, avg(y) AS my, sum(x*x) AS sxx0, sum(y*y) AS syy0, sum(x*y) AS sxy0 FROM q GROUP BY g), m AS (SELECT g, n, mx, my, sxx0 - n*mx*mx AS sxx, syy0 - n*my*my AS syy, sxy0 - n*mx*my AS sxy FROM s) SELECT g, round(sxy / n, 6), round(sxy / (n - 1), 6), round(sxy / sqrt(sxx * syy), 6), n, round(sxy / sxx, 6), round(my - sxy / sxx * mx, 6), round(sxy * sxy / (sxx * syy), 6), round(mx, 6), round(my, 6), round(sxx, 6), round(syy, 6) FROM m ORDER BY g;
SELECT CASE WHEN id > 5 THEN 'hi' ELSE 'lo' END AS g, round(covar_pop(id, salary), 6), round(covar_samp(id, salary), 6),
       round(corr(id, salary), 6), regr_count(salary, id), round(regr_slope(salary, id), 6), round(regr_intercept(salary, id), 6),
       round(regr_r2(salary, id), 6), round(regr_avgx(salary, id), 6), round(regr_avgy(salary, id), 6), round(regr_sxx(salary, id), 6),
       round(regr_syy(salary, id), 6)
FROM people GROUP BY 1 ORDER BY 1;
