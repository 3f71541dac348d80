-- A grouping expression written with the table name matches the same expression without it, in the
-- select list and in grouping().
-- sqlite: SELECT k + 1, count(*) FROM t1 GROUP BY k + 1 ORDER BY 1;
SELECT k + 1, count(*) FROM t1 x GROUP BY x.k + 1 ORDER BY 1;
