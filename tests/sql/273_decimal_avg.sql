-- avg(decimal(10,2)) is decimal(14,6): the exact mean rounded HALF_UP at 6 digits (sqlite: in integers, positive sums)
-- sqlite: SELECT grp, printf('%.6f', ((2 * sum(cents) * 10000 + count(cents)) / (2 * count(cents))) / 1000000.0) FROM prices WHERE cents > 0 GROUP BY grp ORDER BY grp;
SELECT grp, avg(price) FROM prices WHERE price > 0 GROUP BY grp ORDER BY grp;
