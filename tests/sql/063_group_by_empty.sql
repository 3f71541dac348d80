-- grouped aggregation over no rows gives no rows (unlike a global aggregate)
SELECT v, COUNT(*) FROM empty GROUP BY v;
