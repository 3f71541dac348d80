-- error: window 'nope' is not defined
SELECT sum(id) OVER nope FROM people;
