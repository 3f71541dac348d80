-- error: table or view 'peopel' not found; did you mean 'people'?
SELECT * FROM peopel;
