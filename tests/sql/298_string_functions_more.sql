-- ltrim / rtrim / trim forms, lpad / rpad, left / right, repeat, replace, instr, locate / position,
-- substring FROM FOR, concat_ws (NULLs skipped), translate-free checks over a column, against sqlite3's
-- equivalents (substr, instr, replace, printf padding, || and CASE).
-- sqlite: SELECT id, ltrim('  ' || name), rtrim(name || '  '), trim('xx' || name || 'x', 'x'), substr('000' || id, -3, 3), substr(name || '     ', 1, 5), substr(name, 1, 2), substr(name, -2, 2), replace(name, 'e', 'E'), instr(name, 'o'), instr(name, 'e'), substr(name, 2, 2), CASE WHEN dept IS NULL THEN name ELSE name || '/' || dept END, name || name FROM people WHERE name IS NOT NULL AND length(name) >= 3 ORDER BY id;
SELECT id, ltrim('  ' || name), rtrim(name || '  '), trim(BOTH 'x' FROM 'xx' || name || 'x'), lpad(CAST(id AS STRING), 3, '0'),
       rpad(name, 5), left(name, 2), right(name, 2), replace(name, 'e', 'E'), instr(name, 'o'), position('e' IN name),
       substring(name FROM 2 FOR 2), concat_ws('/', name, dept), repeat(name, 2)
FROM people WHERE name IS NOT NULL AND length(name) >= 3 ORDER BY id;
