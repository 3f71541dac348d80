-- first_value / last_value / nth_value over running, whole-partition, suffix and peer-group frames
-- (a NULL first value is returned, not skipped), against sqlite3's window functions.
SELECT id, dept,
  first_value(salary) OVER (PARTITION BY dept ORDER BY id) AS f,
  last_value(salary) OVER (PARTITION BY dept ORDER BY id) AS l,
  last_value(salary) OVER (PARTITION BY dept ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS lt,
  nth_value(salary, 2) OVER (PARTITION BY dept ORDER BY id) AS n2,
  first_value(salary) OVER (PARTITION BY dept ORDER BY id ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS fs,
  last_value(name) OVER (PARTITION BY dept ORDER BY id ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS ls,
  first_value(id) OVER (ORDER BY born RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS fr
FROM people ORDER BY id;
