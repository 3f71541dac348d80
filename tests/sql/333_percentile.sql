-- percentile (interpolated between the values around p x (n - 1)), median, percentile_approx (the value
-- of rank ceil(p x n), in the input's type), worked by hand from the data: eng ids 1, 2, 7; ops 5, 10;
-- sales 3, 6, 9 (salaries 70.25, 88, 70.25).
-- sqlite: SELECT NULL, 50.0, 50.0, 4.0, 4, 50.0 UNION ALL SELECT 'eng', 95.0, 95.0, 1.5, 2, 120.5 UNION ALL SELECT 'hr', 61.5, 61.5, 8.0, 8, 61.5 UNION ALL SELECT 'ops', 40.0, 40.0, 6.25, 5, 40.0 UNION ALL SELECT 'sales', 70.25, 70.25, 4.5, 6, 88.0;
SELECT dept, percentile(salary, 0.5), median(salary), percentile(id, 0.25), percentile_approx(id, 0.5), percentile_approx(salary, 0.9, 100)
FROM people GROUP BY dept ORDER BY dept;
