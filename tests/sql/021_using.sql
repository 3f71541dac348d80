SELECT dept, id, floor FROM people JOIN depts USING (dept) ORDER BY id;
