-- brackets show the spaces (riffle's CSV writer, like Spark's, would trim leading and trailing spaces)
SELECT id, '[' || trim(w) || ']', length(w), length(trim(w)) FROM words ORDER BY id;
