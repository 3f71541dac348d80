-- distinct sums of decimals beside a plain decimal sum (sqlite: in cents)
-- sqlite: SELECT grp, printf('%.2f', sum(DISTINCT cents) / 100.0), count(DISTINCT qty), printf('%.2f', sum(cents) / 100.0) FROM prices GROUP BY grp ORDER BY grp;
SELECT grp, sum(DISTINCT price), count(DISTINCT qty), sum(price) FROM prices GROUP BY grp ORDER BY grp;
