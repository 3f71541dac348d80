-- A regular expression over a column (compiled once per batch): names with a vowel after a consonant.
-- sqlite: SELECT id, name FROM people WHERE name GLOB '*[bcdfghjklmnpqrstvwxyz][aeiou]*' ORDER BY id;
SELECT id, name FROM people WHERE name RLIKE '[bcdfghjklmnpqrstvwxyz][aeiou]' ORDER BY id;
