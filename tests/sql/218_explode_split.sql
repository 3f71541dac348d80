-- sqlite has no split/explode: json_each over the pieces
SELECT id, explode(split(w, '-')) AS part FROM words WHERE w LIKE '%-%' ORDER BY id, part;
-- sqlite: SELECT words.id, j.value AS part FROM words, json_each('["' || replace(w, '-', '","') || '"]') j WHERE w LIKE '%-%' ORDER BY words.id, part;
