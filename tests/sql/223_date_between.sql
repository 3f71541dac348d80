-- sqlite has no DATE literals: ISO strings compare the same way
SELECT COUNT(*), MIN(day), MAX(day) FROM orders WHERE day BETWEEN DATE '2026-02-01' AND DATE '2026-02-28';
-- sqlite: SELECT COUNT(*), MIN(day), MAX(day) FROM orders WHERE day BETWEEN '2026-02-01' AND '2026-02-28';
