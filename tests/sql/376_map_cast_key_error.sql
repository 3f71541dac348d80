-- A map key that does not convert is an error (Spark refuses such a cast), never a NULL key.
-- error: cannot cast map key 'a' to int
SELECT cast(map('a', 1, 'b', 2) AS map<int, int>);
