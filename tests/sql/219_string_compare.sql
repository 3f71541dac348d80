SELECT id, w FROM words WHERE w >= 'a' AND w < 'b' ORDER BY w;
