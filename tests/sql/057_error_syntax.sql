-- error: syntax error: expected an expression near ';'
SELECT id FROM people WHERE (id > ;
