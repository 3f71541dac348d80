-- A lambda with the wrong number of parameters is an analysis error naming the function.
-- error: the lambda of exists() takes 1 parameter, not 2
SELECT exists(array(1), (x, y) -> x > y);
