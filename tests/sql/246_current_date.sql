-- sqlite spells current_date as date('now')
SELECT COUNT(*), COUNT(CASE WHEN datediff(current_date, born) > 365 * 18 THEN 1 END) FROM people WHERE current_date > DATE '2024-01-01';
-- sqlite: SELECT COUNT(*), COUNT(CASE WHEN julianday(date('now')) - julianday(born) > 365 * 18 THEN 1 END) FROM people WHERE date('now') > '2024-01-01';
