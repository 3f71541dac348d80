SELECT id FROM words WHERE w LIKE ' %' AND w LIKE '% ' AND trim(w) LIKE 'p%d' ORDER BY id;
