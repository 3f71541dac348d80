-- PIVOT: grouped by the columns the aggregates and the pivot column do not read; one column per value
-- (its alias or its text), value_agg with several aggregates; sqlite3 writes the conditional aggregates.
-- sqlite: SELECT manager, sum(CASE WHEN dept = 'eng' THEN salary END), sum(CASE WHEN dept = 'sales' THEN salary END), sum(CASE WHEN dept = 'ops' THEN salary END) FROM people GROUP BY manager ORDER BY manager;
SELECT * FROM (SELECT manager, dept, salary FROM people) PIVOT (sum(salary) FOR dept IN ('eng', 'sales' AS s, 'ops')) ORDER BY manager;
