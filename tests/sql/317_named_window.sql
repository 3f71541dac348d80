-- Named windows: WINDOW w AS (...) used by several functions, and a second named window with a frame.
SELECT id, sum(salary) OVER w, row_number() OVER w, max(id) OVER w2 FROM people
WINDOW w AS (PARTITION BY dept ORDER BY id), w2 AS (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING)
ORDER BY id;
