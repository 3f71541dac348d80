-- explode() of a number is an analysis error naming the type.
-- error: explode() needs an array or a map, not int
SELECT explode(1);
