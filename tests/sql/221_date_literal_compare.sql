-- sqlite has no DATE literals: ISO strings compare the same way
SELECT id, born FROM people WHERE born >= DATE '1990-01-01' AND born < DATE '2000-02-29' ORDER BY born;
-- sqlite: SELECT id, born FROM people WHERE born >= '1990-01-01' AND born < '2000-02-29' ORDER BY born;
