-- split with an empty pattern gives every character (UTF-8 aware); worked by hand (sqlite3 has no split).
-- sqlite: SELECT 'h', 1 UNION ALL SELECT 'e', 1 UNION ALL SELECT 'l', 2 UNION ALL SELECT 'o', 1 UNION ALL SELECT 'é', 1;
-- unordered
SELECT c, count(*) FROM (SELECT explode(split('helloé', '')) AS c) GROUP BY c;
