-- comparisons with NULL are NULL, so rows with a NULL dept are not selected by either side
SELECT id FROM people WHERE dept = 'eng' OR dept <> 'eng' ORDER BY id;
