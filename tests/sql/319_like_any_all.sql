-- LIKE ANY / SOME / ALL (...), NOT LIKE ALL, ILIKE (case-insensitive), NOT RLIKE; sqlite3's GLOB is the
-- case-sensitive reference (its LIKE ignores case).
-- sqlite: SELECT id, name FROM people WHERE (name GLOB 'A*' OR name GLOB '*y' OR lower(name) GLOB 'b*' OR lower(name) GLOB 'c*') AND NOT (name GLOB '*o*' AND name GLOB '*b') AND name NOT GLOB '*[0-9]*' ORDER BY id;
SELECT id, name FROM people
WHERE (name LIKE ANY ('A%', '%y') OR name ILIKE 'b%' OR name ILIKE SOME ('C%'))
  AND NOT name LIKE ALL ('%o%', '%b') AND name NOT RLIKE '[0-9]'
ORDER BY id;
