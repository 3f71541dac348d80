-- collect_list (input order, NULLs left out) and collect_set (sorted, no repeats), joined into text for
-- sqlite3's group_concat over the rows in id order (people.csv's order) and sorted distinct values.
-- sqlite: SELECT dept, group_concat(name, '+'), (SELECT group_concat(m, ';') FROM (SELECT DISTINCT CAST(manager AS TEXT) AS m FROM people q WHERE q.dept IS p.dept AND manager IS NOT NULL ORDER BY 1)), count(name) FROM (SELECT * FROM people ORDER BY id) p GROUP BY dept ORDER BY dept;
SELECT dept, array_join(collect_list(name), '+'), array_join(collect_set(CAST(manager AS STRING)), ';'), size(collect_list(name)) FROM people GROUP BY dept ORDER BY dept;
