-- error: column 'salry' not found; did you mean 'salary'?
SELECT salry FROM people;
