-- the subquery returns a NULL, so NOT IN is never true (SQL three-valued logic; docs/SQL.md lists this as a known difference)
SELECT k FROM t1 WHERE k NOT IN (SELECT k FROM t2) ORDER BY k;
